import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { tmp } from '../meta/testing.js';
import { StatsReader } from './stats.js';

const dir = tmp('loglake-stats-');
const file = join(dir, 'logs.parquet');
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
// 30 rows: `plan` in every row (three values), `n` in every other, `ok` in every third.
await conn.run(`COPY (SELECT i,
    MAP {'plan': ['free', 'pro', 'team'][i % 3 + 1]} AS attrs_str,
    CASE WHEN i % 2 = 0 THEN MAP {'n': i::DOUBLE} ELSE MAP {}::MAP(VARCHAR, DOUBLE) END AS attrs_num,
    CASE WHEN i % 3 = 0 THEN MAP {'ok': i % 2 = 0} ELSE MAP {}::MAP(VARCHAR, BOOLEAN) END AS attrs_bool
  FROM range(30) r(i)) TO '${file}' (FORMAT parquet)`);
conn.closeSync();
const reader = await StatsReader.create();
afterAll(() => reader.close());

describe('a file’s property stats', () => {
  it('counts every key and reads a few distinct examples of each', async () => {
    const stats = await reader.read('logs', file);
    const byKey = Object.fromEntries(stats.properties.map((p) => [p.key, p]));
    expect(Object.keys(byKey).sort()).toEqual(['n', 'ok', 'plan']);
    expect(byKey.plan).toMatchObject({ type: 'string', volume: 30 });
    expect([...byKey.plan.examples].sort()).toEqual(['free', 'pro', 'team']);
    expect(byKey.n).toMatchObject({ type: 'number', volume: 15 });
    expect(byKey.n.examples).toHaveLength(5);
    expect(byKey.ok).toMatchObject({ type: 'boolean', volume: 10 });
    expect([...byKey.ok.examples].sort()).toEqual([false, true]);
  });

  it('reads no values of keys the catalog has its examples of, and counts them all the same', async () => {
    const stats = await reader.read('logs', file, (type, key) => !(type === 'string' && key === 'plan'));
    const byKey = Object.fromEntries(stats.properties.map((p) => [p.key, p]));
    expect(byKey.plan).toEqual({ key: 'plan', type: 'string', volume: 30, examples: [] });
    expect(byKey.n.examples).toHaveLength(5);
  });
});
