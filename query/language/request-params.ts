// Request members outside the query text (lcql/kql `from`, `to`, `limit`, `pageSize`, cursors), which
// every search dialect validates the same way (sections 7, 8, 11, 12.3).
import type { Dialect } from './ast.js';
import { errorAt } from './errors.js';
import { checkOrder, type Bounds } from './time-range.js';
import { parseTimestamp } from './time.js';

export interface RequestParams {
  from?: string; to?: string; limit?: number | string; pageSize?: number | string;
  cursorTS?: string; cursorID?: string;
}

function paramError(dialect: Dialect, param: string, message: string, value: unknown) {
  return errorAt('VALIDATION_QUERY_SYNTAX', { path: `/${param}` }, message, { dialect, param, found: value }, ['timestamp']);
}

function instant(dialect: Dialect, param: string, value: unknown, now: Date): Date | null {
  if (value === undefined || value === null || value === '') return null;
  const parsed = typeof value === 'string' ? parseTimestamp(value, now) : null;
  if (!parsed) throw paramError(dialect, param, `Invalid timestamp in '${param}'`, value);
  return parsed.date;
}

/** `from` is inclusive and `to` exclusive (section 11.4); the pair must be ordered (11.6). */
export function paramBounds(dialect: Dialect, params: RequestParams, now: Date): Bounds {
  const bounds = { from: instant(dialect, 'from', params.from, now), to: instant(dialect, 'to', params.to, now) };
  checkOrder(bounds, { path: '/to' }, dialect);
  return bounds;
}

/** An integer request member within [min, max]; anything else is a constraint violation (section 15). */
export function boundedInteger(
  dialect: Dialect, param: string, value: number | string | undefined, min: number, max: number, fallback: number,
): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'number' ? value : /^-?[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw errorAt('VALIDATION_QUERY_CONSTRAINT', { path: `/${param}` },
      `'${param}' must be an integer between ${min} and ${max}`, { dialect, param, found: value }, ['integer']);
  }
  return n;
}

/** Keyset cursor (12.3): both members or neither. */
export function cursorParam(dialect: Dialect, params: RequestParams, now: Date): { ts: string; id: string } | undefined {
  const { cursorTS, cursorID } = params;
  if (!cursorTS && !cursorID) return undefined;
  if (!cursorTS || !cursorID) {
    throw paramError(dialect, cursorTS ? 'cursorID' : 'cursorTS', 'cursorTS and cursorID must be given together', null);
  }
  const ts = parseTimestamp(cursorTS, now);
  if (!ts) throw paramError(dialect, 'cursorTS', "Invalid timestamp in 'cursorTS'", cursorTS);
  return { ts: ts.iso, id: cursorID };
}

/** Django REST framework's page size; PostHog-style lists page by `limit` and `offset`. */
const DEFAULT_PAGE_LIMIT = 100;

/** The `limit` (1–1000) and `offset` of a PostHog-style list request's query string. */
export function pageParams(query: unknown): { limit: number; offset: number } {
  const q = (query ?? {}) as Record<string, string | undefined>;
  return {
    limit: boundedInteger('structured', 'limit', q.limit, 1, 1000, DEFAULT_PAGE_LIMIT),
    offset: boundedInteger('structured', 'offset', q.offset, 0, Number.MAX_SAFE_INTEGER, 0),
  };
}
