// Runs the public conformance corpus (shared/spec/conformance) through runQuery, the path every
// endpoint uses, and compares as the corpus README prescribes.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFixtureDb, SPEC_DIR } from './fixture-db.js';
import { QueryError, runQuery, type QueryResult, type SqlRunner } from './index.js';

interface Case {
  id: string; dialect: 'gql' | 'lcql' | 'kql' | 'structured'; source?: 'logs' | 'events' | 'alert_events';
  query: string | object; params?: Record<string, never>; now: string; note?: string;
  expect: { mode?: 'search' | 'aggregate'; ids?: string[]; has_more?: boolean; rows?: unknown[];
    results?: unknown[]; total_groups?: number; error?: string };
}

const cases: Case[] = readFileSync(path.join(SPEC_DIR, 'conformance/public.jsonl'), 'utf8')
  .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Case);

function searchView(r: QueryResult): { ids: unknown[]; hasMore: boolean; rows: unknown[] } {
  switch (r.dialect) {
    case 'gql': {
      const data = r.body.data;
      if (data.mode !== 'search') throw new Error(`expected search mode, got ${data.mode}`);
      return { ids: data.results.map((x) => x.id), hasMore: data.has_more, rows: data.results };
    }
    case 'kql': return { ids: r.body.results.map((x) => x.id), hasMore: r.body.has_more, rows: r.body.results };
    case 'lcql': return { ids: r.body.map((x) => x.id), hasMore: r.headers['X-Has-More'] === 'true', rows: r.body };
    case 'structured': return { ids: r.body.results.map((x) => x.id), hasMore: r.body.hasMore, rows: r.body.results };
  }
}

const TS = /^\d{4}-\d{2}-\d{2}T/;

/** Deep equality with the README's numeric tolerance and timestamps compared as instants. */
function same(actual: unknown, expected: unknown): boolean {
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

async function check(runner: SqlRunner, c: Case): Promise<string | null> {
  let result: QueryResult;
  try {
    result = await runQuery(runner, {
      dialect: c.dialect, text: c.query, source: c.source, params: c.params, now: new Date(c.now),
    });
  } catch (err) {
    if (c.expect.error && err instanceof QueryError) {
      return err.type === c.expect.error && err.toJSON().code === 'VALIDATION_ERROR'
        ? null : `error ${err.type} (${err.message}), expected ${c.expect.error}`;
    }
    return `threw ${err instanceof Error ? err.message : String(err)}`;
  }
  if (c.expect.error) return `expected ${c.expect.error}, got a result`;
  if (c.expect.mode === 'aggregate') {
    if (result.dialect !== 'gql' || result.body.data.mode !== 'aggregate') return 'expected aggregate mode';
    const data = result.body.data;
    if (data.total_groups !== c.expect.total_groups) return `total_groups ${data.total_groups}, expected ${c.expect.total_groups}`;
    return same(data.results, c.expect.results)
      ? null : `results ${JSON.stringify(data.results)}\n expected ${JSON.stringify(c.expect.results)}`;
  }
  const view = searchView(result);
  if (!same(view.ids, c.expect.ids)) return `ids ${JSON.stringify(view.ids)}\n expected ${JSON.stringify(c.expect.ids)}`;
  if (view.hasMore !== c.expect.has_more) return `has_more ${view.hasMore}, expected ${c.expect.has_more}`;
  if (c.expect.rows && !same(view.rows, c.expect.rows)) {
    return `rows ${JSON.stringify(view.rows)}\n expected ${JSON.stringify(c.expect.rows)}`;
  }
  return null;
}

describe('public conformance corpus', () => {
  let db: Awaited<ReturnType<typeof openFixtureDb>>;
  const failed: string[] = [];
  let passed = 0;

  beforeAll(async () => { db = await openFixtureDb(); });
  afterAll(() => {
    db?.close();
    console.log(`conformance: ${passed} passed, ${failed.length} failed${failed.length ? `: ${failed.join(', ')}` : ''}`);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (id, c) => {
    const problem = await check(db.runner, c);
    if (problem) failed.push(id); else passed++;
    expect(problem, `${id}: ${typeof c.query === 'string' ? c.query : JSON.stringify(c.query)}`).toBeNull();
  });
});
