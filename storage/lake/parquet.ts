import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Table } from '../../core/records.js';
import { parquetColumns, readJsonColumns, SORT_ORDER } from './schema.js';

/** Paths are ours (uuid names under the data directory), but quote them properly all the same. */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * The staged rows' columns as stored: the encoder leaves out empty lists and maps (`encode.ts`), which
 * read_json reads as NULL, so they are restored here as the empty values the files have always held.
 */
function stagedColumns(table: Table): string {
  return parquetColumns(table)
    .map(([name, type]) => (type.endsWith('[]') || type.startsWith('MAP(') ? `COALESCE("${name}", CAST(${type.startsWith('MAP(') ? 'MAP {}' : '[]'} AS ${type})) AS "${name}"` : `"${name}"`))
    .join(', ');
}

const PARQUET_OPTIONS = "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)";

/** A private DuckDB for turning staged rows into Parquet: the write path never shares the query engine's. */
export class ParquetWriter {
  private constructor(private readonly conn: DuckDBConnection) {}

  /** Bounded so a writer catching up on a backlog cannot take the machine's memory (DuckDB spills past it). */
  static async create(threads = 1, memoryLimit = '512MB'): Promise<ParquetWriter> {
    const db = await DuckDBInstance.create(':memory:', { threads: String(threads), memory_limit: memoryLimit });
    const conn = await db.connect();
    await conn.run("SET TimeZone = 'UTC'");
    return new ParquetWriter(conn);
  }

  /**
   * Staged NDJSON (the encoder's rows) → one ZSTD Parquet file; returns the row count. Not sorted: these
   * are the small rolling files of one flush, sorting them was a third of the writer's time, and
   * compaction sorts when it merges them into the files queries mostly read.
   */
  async fromNdjson(table: Table, ndjsonPaths: string[], target: string): Promise<number> {
    const sources = `[${ndjsonPaths.map(sqlString).join(', ')}]`;
    const reader = await this.conn.runAndReadAll(
      `COPY (SELECT ${stagedColumns(table)} FROM read_json(${sources}, format = 'newline_delimited', columns = ${readJsonColumns(table)})) TO ${sqlString(target)} ${PARQUET_OPTIONS}`,
    );
    return Number(reader.getRows()[0]?.[0] ?? 0);
  }

  /** Several Parquet files of one partition → one, re-sorted (compaction). */
  async merge(table: Table, sources: string[], target: string): Promise<number> {
    const reader = await this.conn.runAndReadAll(
      `COPY (SELECT * FROM read_parquet([${sources.map(sqlString).join(', ')}], union_by_name = true) ORDER BY ${SORT_ORDER[table]}) TO ${sqlString(target)} ${PARQUET_OPTIONS}`,
    );
    return Number(reader.getRows()[0]?.[0] ?? 0);
  }

  /** Other reads of files this writer wrote, on its DuckDB (the skip index of a merged file). */
  async withConnection<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return work(this.conn);
  }

  close(): void {
    this.conn.closeSync();
  }
}
