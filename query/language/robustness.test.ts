// Whatever a client sends, the language answers a QueryError or a result: never another exception, which
// an endpoint would turn into a 500. Mutations of the public corpus's queries, with a fixed seed so a
// failure reproduces.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFixtureDb, SPEC_DIR } from '../../test/helpers/fixture-db.js';
import { QueryError, runQuery, type Dialect, type Source } from './index.js';

interface Case { dialect: Dialect; query: unknown; source?: Source; params?: Record<string, unknown> }
const cases = readFileSync(path.join(SPEC_DIR, 'conformance/public.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Case);
const now = new Date('2026-06-15T12:00:00Z');

let db: Awaited<ReturnType<typeof openFixtureDb>>;
beforeAll(async () => { db = await openFixtureDb(); });
afterAll(() => db.close());

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

const ALPHABET = ' |:=!~@<>()"\',`*\\-.$az09';
const WORDS = ['from', 'last', 'since', 'count', 'by', 'top', 'sort', 'limit', 'where', 'not', 'and', 'or', 'in', 'is', 'null'];
const JUNK: unknown[] = [null, 0, -1, Infinity, 'x', '', [], {}, [1, 'a'], true, { type: 'AND', values: [] }, '-24h', '2026-13-45'];

function mutateText(q: string, rnd: () => number): string {
  let s = q;
  for (let i = 0, n = 1 + Math.floor(rnd() * 3); i < n; i++) {
    const at = Math.floor(rnd() * (s.length + 1));
    const op = rnd();
    if (op < 0.35) s = s.slice(0, at) + s.slice(at + 1);
    else if (op < 0.7) s = s.slice(0, at) + ALPHABET[Math.floor(rnd() * ALPHABET.length)] + s.slice(at);
    else s = `${s.slice(0, at)} ${WORDS[Math.floor(rnd() * WORDS.length)]} ${s.slice(at)}`;
  }
  return s;
}

function mutateJson(v: unknown, rnd: () => number): unknown {
  if (Array.isArray(v)) return v.map((x) => (rnd() < 0.2 ? JUNK[Math.floor(rnd() * JUNK.length)] : mutateJson(x, rnd)));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const r = rnd();
      if (r < 0.1) continue;
      out[k] = r < 0.25 ? JUNK[Math.floor(rnd() * JUNK.length)] : mutateJson(x, rnd);
    }
    return out;
  }
  return v;
}

async function outcome(c: Case, text: string | object): Promise<'result' | 'query error' | string> {
  try {
    await runQuery(db.runner, { dialect: c.dialect, text, source: c.source, params: c.params, now });
    return 'result';
  } catch (err) {
    return err instanceof QueryError ? 'query error' : `${JSON.stringify(text)} → ${String(err)}`;
  }
}

describe('the language under mutated input', () => {
  it('answers a result or a QueryError for every mutation of the corpus queries', async () => {
    const rnd = random(20260615);
    const escaped: string[] = [];
    const seen = new Set<string>();
    for (let round = 0; round < 8; round++) {
      for (const c of cases) {
        const text = typeof c.query === 'string' ? mutateText(c.query, rnd) : (mutateJson(c.query, rnd) as object);
        const result = await outcome(c, text);
        seen.add(result === 'result' || result === 'query error' ? result : 'other');
        if (result !== 'result' && result !== 'query error') escaped.push(result);
      }
    }
    expect(escaped).toEqual([]);
    // The mutations reach both the parser's errors and the engine.
    expect([...seen].sort()).toEqual(['query error', 'result']);
  });
});
