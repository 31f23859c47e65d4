import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { inlineParams } from './inline.js';

let db: DuckDBInstance;
let conn: DuckDBConnection;
beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
  conn = await db.connect();
  await conn.run("SET TimeZone = 'UTC'");
});
afterAll(() => {
  conn.closeSync();
  db.closeSync();
});

const rows = async (sql: string, params?: unknown[]) => (await conn.runAndReadAll(sql, params as never)).getRowObjectsJS();

describe('inlineParams', () => {
  const values: unknown[] = [
    'plain', "it's", "'; DROP TABLE logs; --", "x')) OR TRUE --", 'back\\slash\\', '$1 and $2', '"quoted"', 'ünïcödé 日本 😀', '',
    '2026-12-03T10:00:00.000Z', 0, -0, 1, -1, 2_147_483_647, -2_147_483_648, 2_147_483_648, 9_007_199_254_740_991,
    -9_007_199_254_740_991, 0.1, -2.5, 1.5e-300, 5e-324, 1 / 3, NaN, Infinity, -Infinity, true, false, null,
  ];

  it('gives each value the type and value the driver binds', async () => {
    for (const v of values) {
      const sql = 'SELECT $1 AS v, typeof($1) AS t';
      const inlined = inlineParams(sql, [v]);
      expect(inlined, String(v)).not.toBeNull();
      expect(await rows(inlined!), String(v)).toEqual(await rows(sql, [v]));
    }
  });

  it('types each value as the driver does wherever it is used', async () => {
    const uses = ['X + 1::TINYINT', 'X + 1::FLOAT', 'coalesce(X, 1::TINYINT)', '[1::TINYINT, X]', 'CASE WHEN true THEN X ELSE 1::SMALLINT END', 'X * 2'];
    for (const v of [5, 3_000_000_000, 1.5, '2026-02-01', true]) {
      for (const use of uses) {
        const sql = `SELECT typeof(${use.replaceAll('X', '$1')}) AS t`;
        // An error's first line (the rest quotes the SQL text).
        const answer = (run: Promise<unknown>) => run.then((r) => r, (err: Error) => err.message.split('\n')[0]);
        expect(await answer(rows(inlineParams(sql, [v])!)), `${use} of ${String(v)}`).toEqual(await answer(rows(sql, [v])));
      }
    }
    // A bound string compares with a timestamp as quoted text does (a VARCHAR would not).
    expect(await rows(inlineParams("SELECT TIMESTAMPTZ '2026-01-01' < $1 AS later", ['2026-02-01'])!)).toEqual([{ later: true }]);
  });

  it('answers a statement as the bound one does', async () => {
    const sql = `SELECT count(*) FILTER (WHERE s = $1) AS a, count(*) FILTER (WHERE n > $2) AS b, max(ts) < CAST($3 AS TIMESTAMPTZ) AS c
      FROM (VALUES ('it''s', 1.5, TIMESTAMPTZ '2026-01-01'), ('x', 3, TIMESTAMPTZ '2027-01-01')) t(s, n, ts) LIMIT $4`;
    const params = ["it's", 2, '2026-12-03T00:00:00Z', 10];
    expect(await rows(inlineParams(sql, params)!)).toEqual(await rows(sql, params));
  });

  it('leaves quoted text and comments alone', () => {
    expect(inlineParams(`SELECT '$1', "$1" -- $1\n, $1`, ['a'])).toBe(`SELECT '$1', "$1" -- $1\n, 'a'`);
    expect(inlineParams("SELECT 'a''$1', $10", Array.from({ length: 10 }, (_, i) => i))).toBe("SELECT 'a''$1', CAST(9 AS INTEGER)");
    expect(inlineParams('SELECT 1', [])).toBe('SELECT 1');
  });

  it('leaves to the driver what it does not read surely', () => {
    for (const [sql, params] of [
      ["SELECT E'\\'', $1", ['a']],
      ['SELECT ?', ['a']],
      ['SELECT $name', ['a']],
      ['SELECT a$1 FROM t', ['a']],
      ['SELECT $$x$$', []],
      ['SELECT $2', ['a']],
      ["SELECT 'open", []],
      ['SELECT /* open', []],
      ['SELECT /* a /* b */ $1 */ 1', ['*/ 2']],
      ['SELECT $1', ['nul\0']],
      ['SELECT $1', [2 ** 60]],
      ['SELECT $1', [1e300]],
      ['SELECT $1', [new Date(0)]],
      ['SELECT $1', [1n]],
    ] as [string, unknown[]][]) expect(inlineParams(sql, params), sql).toBeNull();
  });
});
