import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

function parquetFiles(dir: string): string[] {
  let out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) out = out.concat(parquetFiles(full));
    else if (e.name.endsWith('.parquet') && !e.name.startsWith('.')) out.push(full);
  }
  return out;
}

/**
 * Reads a table's Parquet files straight from disk with a DuckDB of the test's own — an oracle that
 * shares nothing with loglake's query path. Counts every row, so a duplicate shows.
 */
export function lakeIds(dataDir: string, project: string, table: string): Promise<{ rows: number; ids: Map<string, number> }> {
  return lakeValues(dataDir, project, table, 'id');
}

/** How often each value of `column` occurs in a table's Parquet files, read like `lakeIds`. */
export async function lakeValues(dataDir: string, project: string, table: string, column: string): Promise<{ rows: number; ids: Map<string, number> }> {
  // Compaction may swap files between listing and reading them: list again then.
  for (let attempt = 1; ; attempt++) {
    try {
      return await readValues(parquetFiles(join(dataDir, 'lake', project, table)), column);
    } catch (err) {
      if (attempt >= 5 || !/No such file|No files found/.test(String(err))) throw err;
    }
  }
}

async function readValues(files: string[], column: string): Promise<{ rows: number; ids: Map<string, number> }> {
  if (files.length === 0) return { rows: 0, ids: new Map() };
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const reader = await conn.runAndReadAll(`SELECT "${column}"::VARCHAR, count(*)::INTEGER AS n FROM read_parquet([${files.map((f) => `'${f}'`).join(',')}]) GROUP BY 1`);
    const ids = new Map<string, number>();
    let rows = 0;
    for (const [id, n] of reader.getRows() as [string, number][]) {
      ids.set(id, n);
      rows += n;
    }
    return { rows, ids };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/**
 * Rows in a table's Parquet files from their footers alone: cheap enough to poll while a writer works
 * (reading every id would compete with the writer for the CPU it is measured on).
 */
export async function lakeRowCount(dataDir: string, project: string, table: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const files = parquetFiles(join(dataDir, 'lake', project, table));
    if (files.length === 0) return 0;
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      const reader = await conn.runAndReadAll(`SELECT coalesce(sum(num_rows), 0)::BIGINT AS n FROM parquet_file_metadata([${files.map((f) => `'${f}'`).join(',')}])`);
      return Number(reader.getRows()[0][0]);
    } catch (err) {
      if (attempt >= 5 || !/No such file|No files found/.test(String(err))) throw err;
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  }
}
