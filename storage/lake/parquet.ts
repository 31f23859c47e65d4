import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Table } from '../../core/records.js';
import { parquetColumns, readColumnarColumns, readJsonColumns, SORT_ORDER } from './schema.js';

/** Paths are ours (uuid names under the data directory), but quote them properly all the same. */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * `read_parquet` over lake files. The lake's folders are named like Hive partitions (`date=…/hour=…`), from
 * which DuckDB would add `date` and `hour` columns, and compaction wrote them into merged files (`hour` as
 * text or as a number by its digits); rows carry their own time, so the folders are read as plain paths.
 */
export function lakeFiles(paths: readonly string[], options = ''): string {
  return `read_parquet([${paths.map(sqlString).join(', ')}], union_by_name = true, hive_partitioning = false${options ? `, ${options}` : ''})`;
}

/**
 * The staged rows' columns as stored: the encoder leaves out empty lists and maps (`encode.ts`), which
 * read_json reads as NULL, so they are restored here as the empty values the files have always held. A
 * column outside `reads` (when given) is NULL: the statement reading them names no such column.
 */
function stagedColumns(table: Table, reads?: ReadonlySet<string>): string {
  return parquetColumns(table)
    .map(([name, type]) => {
      if (reads && !reads.has(name)) return `CAST(NULL AS ${type}) AS "${name}"`;
      return type.endsWith('[]') || type.startsWith('MAP(') ? `COALESCE("${name}", CAST(${type.startsWith('MAP(') ? 'MAP {}' : '[]'} AS ${type})) AS "${name}"` : `"${name}"`;
    })
    .join(', ');
}

/** Staged bus payloads: files of NDJSON rows (the older bus format) and files of columnar payloads, one per line (`encode.ts`). */
export interface Staging {
  rows: string[];
  columns: string[];
}

/**
 * Columnar payloads' rows: one per position of the id list (always a list, `encode.ts`), each column taken
 * from \`k\` when the payload holds it once, else from its list at that position. (Unnesting every list side
 * by side instead cost DuckDB half as much again.) `file` is `, filename` or nothing. With `reads`, only
 * those columns (and the id, which counts the rows) are read out of the JSON: DuckDB's reader turns every
 * field of the structs it is given into values, read or not, which was half of a count over pending rows.
 */
function columnarSelect(table: Table, sources: string, file: string, reads?: ReadonlySet<string>): string {
  const read = parquetColumns(table).filter(([name]) => !reads || reads.has(name) || name === 'id');
  const merged = read.map(([name]) => `COALESCE(k."${name}", l."${name}"[i]) AS "${name}"`).join(', ');
  return `SELECT ${stagedColumns(table, reads)}${file} FROM (SELECT ${merged}${file} FROM (SELECT k, l${file}, UNNEST(range(1, len(l.id) + 1)) AS i FROM read_json(${sources}, format = 'newline_delimited', columns = ${readColumnarColumns(read)}${file && ', filename = true'})))`;
}

/**
 * The staged payloads' rows as the table's columns, as the lake's files hold them: the one reading of the
 * bus formats, for the writer's files and the rows queries read before they are written. With `withFile`,
 * each row also carries `filename`, the staging file it was read from. With `reads`, columnar payloads'
 * other columns are NULL (a query's pending rows, for a statement that reads only those).
 */
export function stagedSelect(table: Table, staged: Staging, withFile = false, reads?: ReadonlySet<string>): string {
  const list = (paths: string[]) => `[${paths.map(sqlString).join(', ')}]`;
  const file = withFile ? ', filename' : '';
  const selects: string[] = [];
  if (staged.rows.length > 0) {
    selects.push(`SELECT ${stagedColumns(table)}${file} FROM read_json(${list(staged.rows)}, format = 'newline_delimited', columns = ${readJsonColumns(table)}${file && ', filename = true'})`);
  }
  if (staged.columns.length > 0) selects.push(columnarSelect(table, list(staged.columns), file, reads));
  if (selects.length === 0) throw new Error('stagedSelect: nothing staged');
  return selects.join(' UNION ALL ');
}

const parquetOptions = (rowGroupRows: number, level?: number) =>
  `(FORMAT parquet, COMPRESSION zstd${level === undefined ? '' : `, COMPRESSION_LEVEL ${level}`}, ROW_GROUP_SIZE ${rowGroupRows})`;
const PARQUET_OPTIONS = parquetOptions(122880);
/**
 * The writer's rolling files live until compaction rewrites them, so they are written for the writer's CPU:
 * ZSTD's fastest level. Rows per CPU-second rose by 5-8 % and the files came out a tenth smaller on the
 * bench's records; without dictionaries the write gained more but the catalog's read of each file lost
 * it again (bench/README.md, issue 12).
 */
const ROLLING_OPTIONS = parquetOptions(122880, 1);

/**
 * Rows per row group of a merged logs file: one skip-index block (skip-index.ts), so a scan of a block's
 * row range skips every other row group of the file instead of decoding one that spans the whole hour.
 * The price: DuckDB pays per row group, and the fast aggregates are slower (bench/README.md, issue 14).
 */
export const LOGS_ROW_GROUP_ROWS = 8192;

/** The options a merged file of `table` is written with. */
export function mergedParquetOptions(table: Table): string {
  return table === 'logs' ? parquetOptions(LOGS_ROW_GROUP_ROWS) : PARQUET_OPTIONS;
}

/**
 * A merge's sort, bounded below the rest of compaction's work: it spills past the bound, where the skip
 * index's build fails (which is why the writer's bound is not this low). At the writer's 512 MB a 2M-row
 * merge took the process's RSS up by up to 350 MB; at this bound, by nothing beyond the miner's (bench/README.md).
 */
const MERGE_MEMORY_LIMIT = '256MB';

/** A private DuckDB for turning staged rows into Parquet: the write path never shares the query engine's. */
export class ParquetWriter {
  private constructor(
    private readonly conn: DuckDBConnection,
    private readonly memoryLimit: string,
  ) {}

  /**
   * Bounded so a writer catching up on a backlog cannot take the machine's memory: DuckDB spills past it,
   * into `tempDir` when given (else `.tmp` under the process's working directory, which may not be writable).
   */
  static async create(threads = 1, memoryLimit = '512MB', tempDir?: string): Promise<ParquetWriter> {
    const db = await DuckDBInstance.create(':memory:', { threads: String(threads), memory_limit: memoryLimit, ...(tempDir ? { temp_directory: tempDir } : {}) });
    const conn = await db.connect();
    await conn.run("SET TimeZone = 'UTC'");
    return new ParquetWriter(conn, memoryLimit);
  }

  /** Other work on the same connection (the pattern miner's reads before a merge, and its temp tables). */
  async rows(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    return (await this.conn.runAndReadAll(sql, params as never)).getRowObjectsJS() as Record<string, unknown>[];
  }

  /**
   * Staged NDJSON (the encoder's rows) → one ZSTD Parquet file; returns the row count. Not sorted: these
   * are the small rolling files of one flush, sorting them was a third of the writer's time, and
   * compaction sorts when it merges them into the files queries mostly read.
   */
  async fromNdjson(table: Table, ndjsonPaths: string[], target: string): Promise<number> {
    return this.fromStaged(table, { rows: ndjsonPaths, columns: [] }, target);
  }

  /**
   * Staged bus payloads of both formats → one ZSTD Parquet file: `rows` files of NDJSON rows (the older
   * bus format, still on a bus after an upgrade) and `columns` files of columnar payloads, one per line
   * (`encode.ts`), whose lists are unnested in one vectorised SELECT. Rows read either way are the same.
   */
  async fromStaged(table: Table, staged: Staging, target: string): Promise<number> {
    const reader = await this.conn.runAndReadAll(`COPY (${stagedSelect(table, staged)}) TO ${sqlString(target)} ${ROLLING_OPTIONS}`);
    return Number(reader.getRows()[0]?.[0] ?? 0);
  }

  /**
   * Several Parquet files of one partition → one, re-sorted (compaction); `from`, when given, is the
   * relation of their rows with lake columns filled in (the pattern miner's).
   */
  async merge(table: Table, sources: string[], target: string, from = lakeFiles(sources)): Promise<number> {
    // DuckDB refuses a bound below what it holds already (the miner's tables): the merge then runs at the writer's.
    const bounded = await this.conn.run(`SET memory_limit = '${MERGE_MEMORY_LIMIT}'`).then(() => true, () => false);
    try {
      const reader = await this.conn.runAndReadAll(
        `COPY (SELECT * FROM ${from} ORDER BY ${SORT_ORDER[table]}) TO ${sqlString(target)} ${mergedParquetOptions(table)}`,
      );
      return Number(reader.getRows()[0]?.[0] ?? 0);
    } finally {
      if (bounded) await this.conn.run(`SET memory_limit = '${this.memoryLimit}'`);
    }
  }

  /** Other reads of files this writer wrote, on its DuckDB (the skip index of a merged file). */
  async withConnection<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return work(this.conn);
  }

  close(): void {
    this.conn.closeSync();
  }
}
