// Fragments for statements built outside the compiler must select and bucket exactly what the compiled
// query does, with every user value bound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFixtureDb } from '../../test/helpers/fixture-db.js';
import { attributeTextSql, compileWhere, Params, parseQuery, runQuery, timeBucketSql, type Query } from './index.js';

const now = new Date('2026-06-15T12:00:00Z');
let db: Awaited<ReturnType<typeof openFixtureDb>>;
beforeAll(async () => { db = await openFixtureDb(); });
afterAll(() => db.close());

const structured = (text: object): Query => parseQuery({ dialect: 'structured', text, now });

async function whereIds(q: Query): Promise<string[]> {
  const params = new Params();
  const where = compileWhere(q, params);
  const rows = await db.runner.all(`SELECT id FROM logs${where ? ` WHERE ${where}` : ''} ORDER BY timestamp DESC, id DESC`, params.values);
  return rows.map((r) => String(r.id));
}

describe('compileWhere', () => {
  it('selects the rows the compiled search returns', async () => {
    const text = {
      dateRange: { date_from: '-7d' },
      severityLevels: ['error', 'warn'],
      filterGroup: { type: 'OR', values: [{ key: 'plan', operator: 'exact', value: 'pro' }, { key: 'host.name', operator: 'icontains', value: 'ip-10', type: 'resource' }] },
      limit: 1000,
    };
    const result = await runQuery(db.runner, { dialect: 'structured', text, now });
    const ids = result.dialect === 'structured' ? result.body.results.map((r) => r.id) : [];
    expect(ids.length).toBeGreaterThan(5);
    expect(await whereIds(structured(text))).toEqual(ids);
  });

  it('applies the search cursor, and only in search mode', async () => {
    const all = await whereIds(structured({ dateRange: { date_from: '-30d' } }));
    const q = parseQuery({ dialect: 'structured', text: { dateRange: { date_from: '-30d' } }, now, params: { cursorTS: '2026-06-15T11:49:48.424Z', cursorID: '1bfc83ff-3691-4d13-b549-85d11919d79b' } });
    const after = await whereIds(q);
    expect(after).toEqual(all.slice(all.indexOf('1bfc83ff-3691-4d13-b549-85d11919d79b') + 1));
    expect(await whereIds({ ...q, aggregate: { func: 'count', field: null, groupBy: [] } })).toEqual(all);
  });

  it('binds keys and values, and is null when nothing restricts rows', () => {
    const params = new Params();
    const q = structured({ filterGroup: [{ key: "k'); DROP TABLE logs; --", operator: 'exact', value: "v' OR '1'='1", type: 'resource' }] });
    const where = compileWhere(q, params)!;
    expect(where).not.toMatch(/DROP|'1'='1/);
    expect(params.values).toContain("k'); DROP TABLE logs; --");
    expect(compileWhere({ ...q, filter: null, time: { from: null, to: null, explicit: true } }, new Params())).toBeNull();
  });
});

describe('timeBucketSql and attributeTextSql', () => {
  it('bucket rows as the compiled timeslice does', async () => {
    const gql = await runQuery(db.runner, { dialect: 'gql', text: 'count | timeslice 1h | last 24h', now });
    const expected = gql.dialect === 'gql' ? gql.body.data.results : [];
    const params = new Params();
    const where = compileWhere(parseQuery({ dialect: 'gql', text: 'last 24h', now }), params);
    const rows = await db.runner.all(
      `SELECT ${timeBucketSql(3600, params)} AS time, count(*) AS value FROM logs WHERE ${where} GROUP BY time ORDER BY time`, params.values);
    expect(rows.map((r) => ({ time: (r.time as Date).toISOString(), value: Number(r.value) }))).toEqual(expected);
  });

  it('reads property and resource values as text', async () => {
    const distinct = async (map: 'property' | 'resource', key: string) => {
      const params = new Params();
      const text = attributeTextSql(map, key, params);
      const rows = await db.runner.all(`SELECT DISTINCT ${text} AS v FROM logs WHERE ${text} IS NOT NULL`, params.values);
      return rows.map((r) => r.v);
    };
    expect(await distinct('property', 'metadata.status_code')).toContain('503');
    const hosts = await distinct('resource', 'host.name');
    expect(hosts.length).toBeGreaterThan(1);
    expect(hosts.every((h) => typeof h === 'string' && h.startsWith('ip-'))).toBe(true);
  });
});
