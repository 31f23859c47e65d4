// Test support: the conformance dataset in an in-memory DuckDB, plus a SqlRunner over it. The records go
// the way stored data goes (canonical parse, the lake encoder, the Parquet writer), so the tables are
// what the lake holds.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { parseCanonical } from '../../core/canonical.js';
import { TABLES } from '../../core/tables.js';
import { MACROS_SQL, type SqlRunner } from '../../query/language/index.js';
import { encodeRow } from '../../storage/lake/encode.js';
import { ParquetWriter, sqlString } from '../../storage/lake/parquet.js';
import { SPEC_DIR } from './conformance.js';

export { SPEC_DIR };

export async function openFixtureDb(): Promise<{ conn: DuckDBConnection; runner: SqlRunner; close(): void }> {
  const data = JSON.parse(readFileSync(path.join(SPEC_DIR, 'fixtures/dataset.json'), 'utf8')) as Record<string, unknown[]>;
  const dir = mkdtempSync(path.join(tmpdir(), 'loglake-ql-'));
  const writer = await ParquetWriter.create();
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(MACROS_SQL);
    for (const table of TABLES) {
      const staged = path.join(dir, `${table}.ndjson`);
      const parquet = path.join(dir, `${table}.parquet`);
      writeFileSync(staged, data[table].map((raw) => encodeRow(table, parseCanonical(table, raw, 'p1', 'fixture'))).join('\n'));
      await writer.fromNdjson(table, [staged], parquet);
      await conn.run(`CREATE TABLE ${table} AS SELECT * FROM read_parquet(${sqlString(parquet)})`);
    }
  } finally {
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const runner: SqlRunner = {
    async all(sql, params) {
      const reader = await conn.runAndReadAll(sql, params as never);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    },
  };
  return { conn, runner, close: () => { conn.closeSync(); instance.closeSync(); } };
}
