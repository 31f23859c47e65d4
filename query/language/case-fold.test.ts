// Case-insensitive equality on text columns keeps its meaning when the compiler adds a prunable range.
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MACROS_SQL, runQuery, type SqlRunner } from './index.js';

const now = new Date('2026-06-15T12:00:00Z');
const services = ['billing', 'Billing', 'BILLING', 'billings', 'bill', 'Kafka', 'kafka', '\u212Aafka', 'Ünïcode', 'ünïcode', null];
let db: DuckDBInstance;
let runner: SqlRunner;

beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(MACROS_SQL);
  await conn.run(`CREATE TABLE logs (id VARCHAR, timestamp TIMESTAMPTZ, service VARCHAR, severity VARCHAR, environment VARCHAR, message VARCHAR, action VARCHAR)`);
  for (const [i, service] of services.entries()) {
    await conn.run(`INSERT INTO logs VALUES ($1, TIMESTAMPTZ '2026-06-15 11:00:00+00', $2, 'info', 'production', NULL, NULL)`, [`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, service]);
  }
  runner = { all: async (sql, params) => (await conn.runAndReadAll(sql, params as never)).getRowObjectsJS() as Record<string, unknown>[] };
});
afterAll(() => db.closeSync());

async function matching(filter: string): Promise<string[]> {
  const result = await runQuery(runner, { dialect: 'gql', text: `${filter} | count by service`, now });
  if (result.dialect !== 'gql' || result.body.data.mode !== 'aggregate') throw new Error('not an aggregate');
  return result.body.data.results.map((r) => String(r.service)).sort();
}

describe('text equality ignoring case', () => {
  it('matches every case variant and nothing else', async () => {
    expect(await matching('service:billing')).toEqual(['BILLING', 'Billing', 'billing']);
    expect(await matching('service:BiLLing')).toEqual(['BILLING', 'Billing', 'billing']);
    expect(await matching('service in (billing, bill)')).toEqual(['BILLING', 'Billing', 'bill', 'billing']);
  });

  it('keeps values outside ASCII and the Kelvin sign, which lower-cases to k', async () => {
    expect(await matching('service:kafka')).toEqual(['Kafka', 'kafka', '\u212Aafka'].sort());
    expect(await matching('service:ÜNÏCODE')).toEqual(['Ünïcode', 'ünïcode']);
  });

  it('leaves not-equal the exact complement', async () => {
    expect((await matching('service!=billing')).length).toBe(services.length - 3);
  });
});
