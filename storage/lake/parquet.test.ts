// The bus carries columnar payloads now, NDJSON rows before: the writer reads both, and the Parquet files
// must not tell which it read.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCanonical } from '../../core/canonical.js';
import type { RecordOf, Table } from '../../core/records.js';
import { encodeColumns, encodeRow } from './encode.js';
import { LOGS_ROW_GROUP_ROWS, ParquetWriter } from './parquet.js';
import { BLOCK_ROWS } from './skip-index.js';

const dir = mkdtempSync(join(tmpdir(), 'loglake-parquet-formats-'));
let writer: ParquetWriter;
beforeAll(async () => (writer = await ParquetWriter.create()));
afterAll(() => writer.close());

const at = (s: number) => new Date(Date.UTC(2026, 5, 15, 12, 0, s)).toISOString();

/** Records of every shape a column takes: null or set, empty or not, the same in every row or not. */
function records(table: Table, n: number, vary: boolean): RecordOf[Table][] {
  return Array.from({ length: n }, (_, i) => {
    const raw: Record<string, unknown> =
      table === 'logs'
        ? {
            id: randomUUID(), timestamp: at(vary ? i % 50 : 0), observed_timestamp: at(59), severity: vary ? ['info', 'error', 'debug'][i % 3] : 'info',
            message: vary && i % 4 === 0 ? undefined : `message ${i} "quoted" ünïcode\n`, service: vary ? `svc-${i % 3}` : 'api',
            action: i % 5 === 0 ? 'act' : undefined, tags: vary && i % 2 ? ['a', `t${i}`] : [], trace_id: vary ? `tr${i}` : undefined,
            span_id: i % 3 === 0 ? 'sp' : undefined, trace_flags: vary && i % 2 ? 1 : undefined, environment: vary && i % 7 === 0 ? 'staging' : 'production',
            properties: vary ? { plan: i % 2 ? 'pro' : 'free', amount: i + 0.5, beta: i % 3 === 0 } : {},
            resource: vary && i % 2 ? { 'host.name': `h${i}` } : {},
          }
        : table === 'events'
          ? { id: randomUUID(), timestamp: at(vary ? i : 1), event: vary ? ['signup', 'buy'][i % 2] : 'signup', distinct_id: vary && i % 3 ? `u${i}` : undefined, properties: vary ? { amount: i, ok: true } : {} }
          : { id: `al-${vary}-${i}`, timestamp: at(i), alert_id: 'al1', alert_name: 'errors', state: i % 2 ? 'firing' : 'resolved', value: vary && i % 2 ? i : null, threshold: 3 };
    const record = parseCanonical(table, raw, 'p1', 'test');
    // What a pipeline may leave in properties that a client cannot send: nested values, big and odd numbers, nulls.
    if (vary && 'properties' in record) Object.assign(record.properties, { nested: { a: i, b: [1, 'x'] }, big: 2n ** 70n, inf: Infinity, gone: null });
    return record;
  });
}

/** The same records as messages of either format: each message a slice of them. */
function messages(table: Table, slices: RecordOf[Table][][], format: 'rows' | 'columns'): string {
  return slices.map((s) => (format === 'rows' ? s.map((r) => `${encodeRow(table, r)}\n`).join('') : encodeColumns(table, s))).join('');
}

async function read(path: string): Promise<{ schema: unknown[]; rows: unknown[] }> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    await conn.run("SET TimeZone = 'UTC'");
    const schema = (await conn.runAndReadAll(`SELECT name, type, repetition_type, converted_type, logical_type FROM parquet_schema('${path}')`)).getRowsJson();
    const rows = (await conn.runAndReadAll(`SELECT * FROM read_parquet('${path}') ORDER BY id`)).getRowsJson();
    return { schema, rows };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

describe('the writer reads both bus formats into the same Parquet', () => {
  it.each(['logs', 'events', 'alert_events'] as Table[])('%s: columnar payloads, NDJSON rows and a mix of the two give the same schema and rows', async (table) => {
    const varied = records(table, 60, true);
    const same = records(table, 20, false);
    // A one-row message, one whose columns are nearly all the same, and a varied one cut in two.
    const slices = [varied.slice(0, 1), same, varied.slice(1, 30), varied.slice(30)];
    const write = async (name: string, rows: string, columns: string) => {
      const staged = { rows: rows ? [join(dir, `${table}-${name}.ndjson`)] : [], columns: columns ? [join(dir, `${table}-${name}.columns.ndjson`)] : [] };
      if (rows) writeFileSync(staged.rows[0], rows);
      if (columns) writeFileSync(staged.columns[0], columns);
      const target = join(dir, `${table}-${name}.parquet`);
      expect(await writer.fromStaged(table, staged, target)).toBe(80);
      return read(target);
    };
    const before = await write('rows', messages(table, slices, 'rows'), '');
    const after = await write('columns', '', messages(table, slices, 'columns'));
    const mixed = await write('mixed', messages(table, slices.slice(0, 2), 'rows'), messages(table, slices.slice(2), 'columns'));
    expect(before.rows).toHaveLength(80);
    expect(after).toEqual(before);
    expect(mixed).toEqual(before);
  });

  it('writes a columnar payload\'s rows in their order', async () => {
    const rows = records('logs', 40, true) as RecordOf['logs'][];
    const staged = join(dir, 'order.columns.ndjson');
    writeFileSync(staged, encodeColumns('logs', rows));
    const target = join(dir, 'order.parquet');
    await writer.fromStaged('logs', { rows: [], columns: [staged] }, target);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const ids = (await conn.runAndReadAll(`SELECT id FROM read_parquet('${target}')`)).getRows().map(([id]) => id);
    conn.closeSync();
    expect(ids).toEqual(rows.map((r) => r.id));
  });
});

describe('merged files', () => {
  it('logs are written in row groups of one skip-index block, so a block\'s row range skips the others', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const source = join(dir, 'merge-source.parquet');
    await conn.run(`COPY (SELECT 'svc-' || (i % 3) AS service, make_timestamptz(1781524800000000 + i * 1000) AS timestamp, i::VARCHAR AS id FROM range(20000) t(i)) TO '${source}' (FORMAT parquet)`);
    const target = join(dir, 'merged.parquet');
    expect(await writer.merge('logs', [source], target)).toBe(20000);
    const groups = (await conn.runAndReadAll(`SELECT row_group_num_rows FROM parquet_metadata('${target}') WHERE column_id = 0 ORDER BY row_group_id`)).getRows().map(([n]) => Number(n));
    conn.closeSync();
    expect(LOGS_ROW_GROUP_ROWS).toBe(BLOCK_ROWS);
    expect(groups).toEqual([BLOCK_ROWS, BLOCK_ROWS, 20000 - 2 * BLOCK_ROWS]);
  });

  it('hold the table\'s columns only, not the date and hour of the folders they lie in', async () => {
    const partition = join(dir, 'p', 'logs', 'date=2026-06-15', 'hour=07');
    mkdirSync(partition, { recursive: true });
    const sources = [0, 1].map((k) => join(partition, `part-${k}.parquet`));
    for (const [k, source] of sources.entries()) {
      const staged = join(dir, `hive-${k}.columns.ndjson`);
      writeFileSync(staged, encodeColumns('logs', records('logs', 10, true) as never));
      await writer.fromStaged('logs', { rows: [], columns: [staged] }, source);
    }
    const target = join(partition, 'merged.parquet');
    expect(await writer.merge('logs', sources, target)).toBe(20);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const names = (await conn.runAndReadAll(`SELECT name FROM parquet_schema('${target}')`)).getRows().map(([n]) => String(n));
    conn.closeSync();
    expect(names).not.toContain('date');
    expect(names).not.toContain('hour');
  });
});
