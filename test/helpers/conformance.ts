// The query conformance corpus (shared/spec/conformance) and its comparison rules, for the runners that
// drive it: the language in process, and the service over HTTP.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Beside the repository (CI clones `shared/` next to it). */
export const SPEC_DIR = path.resolve(process.cwd(), '../shared/spec');

export type Dialect = 'gql' | 'lcql' | 'kql' | 'structured';

export interface Case {
  id: string; dialect: Dialect; source?: 'logs' | 'events' | 'alert_events';
  query: string | object; params?: Record<string, string | number>; now: string; note?: string;
  expect: { mode?: 'search' | 'aggregate'; ids?: string[]; has_more?: boolean; rows?: unknown[];
    results?: unknown[]; total_groups?: number; error?: string };
}

export function loadCases(): Case[] {
  return readFileSync(path.join(SPEC_DIR, 'conformance/public.jsonl'), 'utf8')
    .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Case);
}

/**
 * What an answer says, whatever its surface: an error (`status` and `code` where the surface has them;
 * Logtrail's envelope has no `code`), a search page, or aggregate results.
 */
export type Outcome =
  | { kind: 'error'; type: unknown; code?: unknown; status?: number }
  | { kind: 'search'; ids: unknown[]; hasMore: unknown; rows: unknown[] }
  | { kind: 'aggregate'; results: unknown; totalGroups: unknown };

/**
 * A successful answer's body (and headers, for Logtrail's paging) as an outcome. The in-process result
 * bodies are the HTTP bodies, so both runners read them here.
 */
export function answerOutcome(dialect: Dialect, body: any, header: (name: string) => string | undefined): Outcome {
  switch (dialect) {
    case 'gql': {
      const data = body.data;
      if (data.mode === 'aggregate') return { kind: 'aggregate', results: data.results, totalGroups: data.total_groups };
      return { kind: 'search', ids: data.results.map((x: any) => x.id), hasMore: data.has_more, rows: data.results };
    }
    case 'lcql': return { kind: 'search', ids: body.map((x: any) => x.id), hasMore: header('x-has-more') === 'true', rows: body };
    case 'kql': return { kind: 'search', ids: body.results.map((x: any) => x.id), hasMore: body.has_more, rows: body.results };
    case 'structured': return { kind: 'search', ids: body.results.map((x: any) => x.id), hasMore: body.hasMore, rows: body.results };
  }
}

const TS = /^\d{4}-\d{2}-\d{2}T/;

/** Deep equality with the README's numeric tolerance and timestamps compared as instants. */
export function same(actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'number' && typeof actual === 'number') {
    return Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
  }
  if (typeof expected === 'string' && typeof actual === 'string' && TS.test(expected) && TS.test(actual)) {
    return new Date(expected).getTime() === new Date(actual).getTime();
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => same(actual[i], e));
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual)) return false;
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    const keys = new Set([...Object.keys(a), ...Object.keys(e)]);
    return [...keys].every((k) => k in a && k in e && same(a[k], e[k]));
  }
  return actual === expected;
}

/** The README's comparison: null when the outcome meets the case, else what differs. */
export function judge(c: Case, o: Outcome): string | null {
  if (c.expect.error) {
    if (o.kind !== 'error') return `expected ${c.expect.error}, got a result`;
    const ok = o.type === c.expect.error && (o.code === undefined || o.code === 'VALIDATION_ERROR') && (o.status === undefined || o.status === 400);
    return ok ? null : `error ${JSON.stringify(o)}, expected ${c.expect.error}`;
  }
  if (o.kind === 'error') return `error ${JSON.stringify(o)}`;
  if (c.expect.mode === 'aggregate') {
    if (o.kind !== 'aggregate') return 'expected aggregate mode';
    if (o.totalGroups !== c.expect.total_groups) return `total_groups ${String(o.totalGroups)}, expected ${c.expect.total_groups}`;
    return same(o.results, c.expect.results) ? null : `results ${JSON.stringify(o.results)}\n expected ${JSON.stringify(c.expect.results)}`;
  }
  if (o.kind !== 'search') return 'expected search mode';
  if (!same(o.ids, c.expect.ids)) return `ids ${JSON.stringify(o.ids)}\n expected ${JSON.stringify(c.expect.ids)}`;
  if (o.hasMore !== c.expect.has_more) return `has_more ${String(o.hasMore)}, expected ${c.expect.has_more}`;
  if (c.expect.rows && !same(o.rows, c.expect.rows)) return `rows ${JSON.stringify(o.rows)}\n expected ${JSON.stringify(c.expect.rows)}`;
  return null;
}

/** The closing line of a run: `<label>: N passed, N failed[: ids]`. */
export function tally(label: string): { record(id: string, problem: string | null): void; line(): string } {
  const failed: string[] = [];
  let passed = 0;
  return {
    record(id, problem) {
      if (problem) failed.push(id);
      else passed++;
    },
    line: () => `${label}: ${passed} passed, ${failed.length} failed${failed.length ? `: ${failed.join(', ')}` : ''}`,
  };
}
