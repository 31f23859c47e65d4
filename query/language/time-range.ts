// Section 11: which window a query reads, from the dialect's explicit bounds and its timestamp comparisons.
import type { Dialect, Expr, TimeRange } from './ast.js';
import { errorAt, type Where } from './errors.js';

const DAY_MS = 86_400_000;

/** Explicit bounds a dialect states outside the filter (last/since/until, from/to, dateRange). */
export interface Bounds { from: Date | null; to: Date | null }

/** Rule 11.6: the lower bound must be before the upper bound. */
export function checkOrder(bounds: Bounds, where: Where, dialect: Dialect): void {
  if (bounds.from && bounds.to && bounds.from.getTime() >= bounds.to.getTime()) {
    throw errorAt('VALIDATION_QUERY_TIME_RANGE', where, 'The start of the time range must be before its end',
      { dialect, from: bounds.from.toISOString(), to: bounds.to.toISOString() });
  }
}

type Side = { lower: boolean; upper: boolean };

function isTimestampCmp(e: Expr): e is Extract<Expr, { op: 'cmp' }> {
  return e.op === 'cmp' && e.field.kind === 'column' && e.field.name === 'timestamp';
}

/** Rule 11.1: a comparison on `timestamp` anywhere in the filter states an explicit bound. */
function comparisonSides(e: Expr | null, acc: Side = { lower: false, upper: false }): Side {
  if (!e) return acc;
  if (e.op === 'and' || e.op === 'or') e.args.forEach((a) => comparisonSides(a, acc));
  else if (e.op === 'not') comparisonSides(e.arg, acc);
  else if (isTimestampCmp(e)) {
    if (e.cmp === 'gt' || e.cmp === 'gte' || e.cmp === 'eq') acc.lower = true;
    if (e.cmp === 'lt' || e.cmp === 'lte' || e.cmp === 'eq') acc.upper = true;
  }
  return acc;
}

function topLevelConjuncts(e: Expr | null): Expr[] {
  if (!e) return [];
  return e.op === 'and' ? e.args.flatMap(topLevelConjuncts) : [e];
}

/** Literal texts are ISO with up to microseconds; Date keeps milliseconds, so round outward. */
function floorMs(iso: string): number { return new Date(iso).getTime(); }
function ceilMs(iso: string): number {
  const micros = /\.\d{3}(\d+)Z$/.exec(iso)?.[1];
  return floorMs(iso) + (micros && /[1-9]/.test(micros) ? 1 : 0);
}

/**
 * Resolves the window and narrows it with top-level timestamp comparisons. Narrowing never changes the
 * result (the comparison stays in the filter) but gives the storage layer a tight range to prune files.
 */
export function resolveTimeRange(bounds: Bounds, filter: Expr | null, now: Date): TimeRange {
  const sides = comparisonSides(filter);
  const explicitLower = bounds.from !== null || sides.lower;
  const explicitUpper = bounds.to !== null || sides.upper;
  if (!explicitLower && !explicitUpper) {
    return { from: new Date(now.getTime() - DAY_MS), to: new Date(now.getTime()), explicit: false };
  }
  let from = bounds.from?.getTime() ?? null;
  let to = bounds.to?.getTime() ?? (explicitUpper ? null : now.getTime());
  const raise = (ms: number) => { from = from === null ? ms : Math.max(from, ms); };
  const lower = (ms: number) => { to = to === null ? ms : Math.min(to, ms); };
  for (const c of topLevelConjuncts(filter)) {
    if (!isTimestampCmp(c) || c.values.length !== 1) continue;
    const iso = c.values[0].text;
    if (c.cmp === 'gt' || c.cmp === 'gte') raise(floorMs(iso));
    else if (c.cmp === 'lt') lower(ceilMs(iso));
    else if (c.cmp === 'lte') lower(floorMs(iso) + 1);
    else if (c.cmp === 'eq') { raise(floorMs(iso)); lower(floorMs(iso) + 1); }
  }
  return {
    from: from === null ? null : new Date(from),
    to: to === null ? null : new Date(to),
    explicit: true,
  };
}
