// The skip index never changes an answer: the public conformance corpus and cases where an index could
// wrongly skip (case folding, unicode, `*`/`%`/`_`, numbers stored as numbers and as strings, keys with
// dots and spaces, negations, nulls), answered by the engine over a lake of hour files with indexes of
// 2-row blocks, then again with every index removed or unreadable (the files are then scanned), must agree.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseCanonical } from '../../core/canonical.js';
import type { LogRecord } from '../../core/records.js';
import { answerOutcome, judge, loadCases, SPEC_DIR, type Case, type Outcome } from '../../test/helpers/conformance.js';
import { encodeRow } from '../../storage/lake/encode.js';
import { hourOf, partitionDir } from '../../storage/lake/layout.js';
import { Manifest } from '../../storage/lake/manifest.js';
import { ParquetWriter } from '../../storage/lake/parquet.js';
import { indexPathOf, writeSkipIndex } from '../../storage/lake/skip-index.js';
import { executeQuery } from '../execute.js';
import { QueryError } from '../language/index.js';
import { QueryEngine } from './engine.js';

const NOW = '2026-06-15T12:00:00Z';

/** Rows an index could wrongly skip, in project p2 over three hours. */
function tricky(): LogRecord[] {
  const rows: [string, Record<string, unknown>][] = [
    ['Straße gesperrt', { city: 'München', 'user.name': 'bob', 'first name': 'Ann', code: 42 }],
    ['STRASSE frei', { city: 'MÜNCHEN', code: '42' }],
    ['İstanbul office: disk 50% full', { code: '042', note: 'a_b' }],
    ['Kelvin 273K and \u212Aelvin sign', { code: 42.5, flag: true }],
    ['literal star x*y and a_b and 100%', { code: 'forty-two', flag: 'true' }],
    ['emoji 🙂🙂 party in 東京', { 'user.name': 'Bob', status: 'ok' }],
    ['timeout to db-17 after 3s', { user_id: 'u_4242' }],
    ['timeout to db-170 after 30s', { user_id: 'u_42420' }],
    ['', { user_id: '' }],
    ['null message below', {}],
    // Enough rows in one hour for several ranges of one file: the needles are blocks apart.
    ...Array.from({ length: 14 }, (_, i): [string, Record<string, unknown>] => [i % 6 === 1 ? `needle haystack ${i}` : `filler row ${i}`, i % 6 === 1 ? { batch: 'b7' } : {}]),
  ];
  return rows.map(([message, properties], i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, project_id: 'p2', environment: i % 2 ? 'staging' : 'production',
    timestamp: `2026-06-15T${String(i >= 10 ? 10 : 9 + (i % 3)).padStart(2, '0')}:${String(10 + i).padStart(2, '0')}:00.000Z`, observed_timestamp: '2026-06-15T11:00:00.000Z',
    severity: i % 4 === 0 ? 'error' : 'info', severity_number: 9, message: i === 9 ? null : message, service: `svc-${i % 2}`,
    action: i === 5 ? 'Login' : null, tags: [], trace_id: null, span_id: null, trace_flags: null, properties, resource: {}, receiver: 'test',
  }) as LogRecord);
}

const TRICKY_QUERIES = [
  'message ~ "straße"', 'message ~ "STRASSE"', 'message ~ "strasse"', 'message ~ "münchen"', 'city = "München"', 'city = "münchen"',
  'message ~ "istanbul"', 'message ~ "İstanbul"', 'message ~ "i̇stanbul"', 'message ~ "kelvin"', 'message ~ "\u212Aelvin"', 'message ~ "273k"',
  'message ~ "50%"', 'message ~ "0% f"', 'message ~ "a_b"', 'message ~ "x*y"', 'message:*x*y*', 'message:*star*', 'message ~ "🙂🙂"', 'message ~ "東京"',
  'message = "straße gesperrt"', 'message:"Straße gesperrt"', 'Straße', 'strasse', 'party', 'db', 'timeout after', '"timeout to db-17 after 3s"',
  'message ~ "timeout to db-17 after 3s"', 'message ~ "db-17 "', 'user_id = "u_4242"', 'user_id = u_4242', 'user_id:u_4242*', 'user_id = ""', 'user_id = null',
  'code = 42', 'code = "42"', 'code = "042"', 'code = 42.5', 'code = "forty-two"', 'code ~ "42"', 'flag = true', 'flag = "true"',
  '`user.name` = "bob"', 'properties.user.name = "bob"', 'properties.user.name = "Bob"', '`first name` = "Ann"', '`first name` = "ann"',
  'NOT message ~ "timeout"', 'message !~ "timeout"', '-user_id = "u_4242"', 'user_id != "u_4242"', 'message ~ "zzzz" OR severity:error',
  'message ~ "zzzz" OR user_id = "u_4242"', 'message ~ "timeout" AND NOT message ~ "30s"', 'message:*', 'message = null', 'action ~ "login"', 'action = "login"',
  'id:00000000-0000-4000-8000-000000000003', 'id:00000000-0000-4000-8000-000000000099', 'id:00000000-0000-4000-8000-000000000003 OR id:00000000-0000-4000-8000-000000000004',
  'needle', 'message ~ "needle hay"', 'batch = "b7"', 'batch = "b7" OR needle', 'needle | limit 1',
  'message ~ "timeout" | limit 1', 'message ~ "timeout" | limit 1 | sort by timestamp asc', 'user_id:* | limit 2', 'limit 3', 'count by city', 'count',
].map((q) => `${q} | last 24h`);

let lakeDir: string;
let engine: QueryEngine;
const cases = loadCases().filter((c) => (c.source ?? 'logs') === 'logs' && typeof c.query === 'string' && !/from\s*:?\s*(events|alert)/i.test(c.query));

async function buildLake(): Promise<void> {
  lakeDir = mkdtempSync(join(tmpdir(), 'loglake-skip-'));
  const manifest = new Manifest(lakeDir);
  manifest.open();
  const data = JSON.parse(readFileSync(path.join(SPEC_DIR, 'fixtures/dataset.json'), 'utf8')) as Record<string, unknown[]>;
  const records = [...data.logs.map((raw) => parseCanonical('logs', raw, 'p1', 'fixture') as LogRecord), ...tricky()];
  const byPartition = new Map<string, LogRecord[]>();
  for (const r of records) {
    const key = `${r.project_id}\u0000${hourOf(r.timestamp)}`;
    byPartition.set(key, [...(byPartition.get(key) ?? []), r]);
  }
  const writer = await ParquetWriter.create();
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  let n = 0;
  for (const [key, rows] of byPartition) {
    const [project, hour] = key.split('\u0000');
    const dir = partitionDir(lakeDir, project, 'logs', hour);
    mkdirSync(dir, { recursive: true });
    const staged = join(lakeDir, `stage-${n}.ndjson`);
    writeFileSync(staged, rows.map((r) => encodeRow('logs', r)).join('\n'));
    const file = join(dir, `f${n++}.parquet`);
    const count = await writer.fromNdjson('logs', [staged], file);
    rmSync(staged);
    expect(await writeSkipIndex(conn, 'logs', file, file, { blockRows: 2 })).toBe(true);
    manifest.commitSync('bus', [{ path: path.relative(lakeDir, file), project, table: 'logs', hour, rows: count, bytes: statSync(file).size }], []);
  }
  conn.closeSync();
  writer.close();
  manifest.close();
}

async function answers(queries: { project: string; text: string; now: string }[]): Promise<unknown[]> {
  const manifest = new Manifest(lakeDir);
  manifest.open();
  engine = new QueryEngine(manifest, { timeoutMs: 10_000, maxConcurrent: 1, memoryLimit: '1GB' });
  await engine.start();
  const out: unknown[] = [];
  for (const q of queries) {
    try {
      const result = await executeQuery(engine, { project: q.project, environments: null }, { dialect: 'gql', text: q.text, now: new Date(q.now) });
      out.push(result.body);
    } catch (err) {
      out.push(err instanceof QueryError ? { error: err.type } : { threw: String(err) });
    }
  }
  engine.close();
  manifest.close();
  return out;
}

const corpus = cases.filter((c) => c.dialect === 'gql').map((c) => ({ project: 'p1', text: c.query as string, now: c.now }));
const mine = TRICKY_QUERIES.map((text) => ({ project: 'p2', text, now: NOW }));
let indexed: unknown[];
let scanned: unknown[];
/** Files the index left out, files read over row ranges only, and those read over several ranges, per run. */
const narrowed = { skipped: 0, ranged: 0, multi: 0 };
const picks = (QueryEngine.prototype as unknown as { picks: (files: unknown[], ...rest: unknown[]) => { ranges: unknown }[] }).picks;
(QueryEngine.prototype as unknown as { picks: typeof picks }).picks = function (this: unknown, files: unknown[], ...rest: unknown[]) {
  const kept = picks.call(this, files, ...rest);
  narrowed.skipped += files.length - kept.length;
  narrowed.ranged += kept.filter((p) => p.ranges).length;
  narrowed.multi += kept.filter((p) => Array.isArray(p.ranges) && p.ranges.length > 1).length;
  return kept;
};
let narrowedWithIndex = { ...narrowed };

beforeAll(async () => {
  await buildLake();
  indexed = await answers([...corpus, ...mine]);
  narrowedWithIndex = { ...narrowed };
  narrowed.skipped = narrowed.ranged = narrowed.multi = 0;
  const manifest = new Manifest(lakeDir);
  manifest.open();
  // Half the indexes gone, half unreadable: both mean "scan the file".
  manifest.all().forEach((f, i) => {
    if (i % 2) rmSync(indexPathOf(join(lakeDir, f.path)), { force: true });
    else writeFileSync(indexPathOf(join(lakeDir, f.path)), 'LLSKIP1\n\u0004\u0000\u0000\u0000{}');
  });
  manifest.close();
  scanned = await answers([...corpus, ...mine]);
}, 60_000);
afterAll(() => rmSync(lakeDir, { recursive: true, force: true }));

describe('skip index soundness', () => {
  it('narrowed what was read with the indexes, and read everything without them', () => {
    expect(corpus.length).toBeGreaterThan(30);
    expect(narrowedWithIndex.skipped).toBeGreaterThan(50);
    expect(narrowedWithIndex.ranged).toBeGreaterThan(10);
    expect(narrowedWithIndex.multi).toBeGreaterThan(2);
    expect(narrowed).toEqual({ skipped: 0, ranged: 0, multi: 0 });
  });

  it.each(corpus.map((q, i) => [q.text, i] as const))('corpus %s: same answer, and the expected one', (_text, i) => {
    expect(indexed[i]).toEqual(scanned[i]);
    const c = cases.filter((x) => x.dialect === 'gql')[i] as Case;
    const body = indexed[i] as Record<string, unknown>;
    if ('error' in body || 'threw' in body) return;
    const o: Outcome = answerOutcome('gql', body, () => undefined);
    expect(judge(c, o)).toBeNull();
  });

  it.each(mine.map((q, i) => [q.text, i] as const))('%s: same answer with and without the index', (_text, i) => {
    expect(indexed[corpus.length + i]).toEqual(scanned[corpus.length + i]);
    expect(indexed[corpus.length + i]).not.toHaveProperty('threw');
  });

  it('the tricky cases match what they should', () => {
    const ids = (text: string) => ((indexed[corpus.length + TRICKY_QUERIES.indexOf(`${text} | last 24h`)] as { data: { results: { id: string }[] } }).data.results.map((r) => r.id.slice(-2)).sort());
    expect(ids('message ~ "straße"')).toEqual(['00']);
    expect(ids('user_id = "u_4242"')).toEqual(['06']);
    expect(ids('message ~ "50%"')).toEqual(['02']);
    expect(ids('message ~ "a_b"')).toEqual(['04']);
    expect(ids('`first name` = "Ann"')).toEqual(['00']);
    expect(ids('id:00000000-0000-4000-8000-000000000003')).toEqual(['03']);
    expect(ids('needle')).toEqual(['11', '17', '23']);
    expect(ids('batch = "b7"')).toEqual(['11', '17', '23']);
  });
});
