import { existsSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { ApiError } from '../../core/errors.js';
import { ENVIRONMENTS, type Table } from '../../core/records.js';
import { hourKey } from '../../storage/lake/layout.js';
import type { LakeIndex } from '../../storage/lake/manifest.js';
import { sqlString } from '../../storage/lake/parquet.js';
import { emptyRelation } from '../../storage/lake/schema.js';
import { Semaphore } from './semaphore.js';
import { MACROS_SQL } from '../language/index.js';

/** DuckDB's words for a listed Parquet file that is not there. */
const MISSING_FILE = /No files found|No such file|Cannot open file|could not open|does not exist/i;

export interface EngineOptions {
  timeoutMs: number;
  maxConcurrent: number;
  memoryLimit: string;
  threads?: number;
}

/** Whose data a query may read: one project, and only the environments its key is held to (null: all). */
export interface Scope {
  project: string;
  environments: readonly string[] | null;
}

/** What the engine may tune for a query; it never changes the answer. */
export interface QueryHints {
  /**
   * The filter reads the wide map columns. DuckDB can read wide columns only for the rows a top-N keeps
   * ("late materialization"), by default for at most 50 rows; searches ask for a page + 1 (up to 1,001),
   * so raising the bound made `limit 50` 3x faster — except when the filter itself reads a map, which
   * then is read twice (2x slower). Measured in bench/README.md.
   */
  filterReadsMaps: boolean;
}

export interface TimeWindow {
  from: Date | null;
  to: Date | null;
}

/** Runs SQL on relations named after the tables, over one project's live files only. */
export interface Relations {
  all(sql: string, params?: unknown[], types?: DuckDBType[]): Promise<Record<string, unknown>[]>;
}

/**
 * DuckDB over the lake. Each query borrows a connection, on which `logs`/`events`/`alert_events` are
 * temp views over exactly the manifest's live files of one project in the queried hours (and the key's
 * environments), so no SQL can read another project's data. A timer interrupts queries that run past the timeout.
 */
export class QueryEngine {
  private db!: DuckDBInstance;
  private idle: DuckDBConnection[] = [];
  private readonly slots: Semaphore;

  constructor(
    private readonly manifest: LakeIndex,
    private readonly opts: EngineOptions,
  ) {
    this.slots = new Semaphore(opts.maxConcurrent);
  }

  async start(): Promise<void> {
    const config: Record<string, string> = { memory_limit: this.opts.memoryLimit };
    if (this.opts.threads) config.threads = String(this.opts.threads);
    this.db = await DuckDBInstance.create(':memory:', config);
  }

  private async connection(): Promise<DuckDBConnection> {
    const conn = this.idle.pop();
    if (conn) return conn;
    const fresh = await this.db.connect();
    // Sets TimeZone = UTC and defines the helper macros the compiled SQL uses.
    await fresh.run(MACROS_SQL);
    return fresh;
  }

  /**
   * Files of the window's hours (the half-open `to` bound means its own hour only when it is past the hour's
   * start), restricted to the scope's environments. Environment names are checked against the closed set
   * before they become SQL text: a view cannot take bound parameters.
   */
  private relation(scope: Scope, table: Table, window: TimeWindow, onlyPresent: boolean): string {
    const toHour = window.to ? hourKey(new Date(window.to.getTime() - 1)) : null;
    const listed = this.manifest.list(scope.project, table, window.from ? hourKey(window.from) : null, toHour);
    const files = onlyPresent ? listed.filter((f) => existsSync(this.manifest.absolute(f.path))) : listed;
    const source = files.length === 0
      ? emptyRelation(table)
      : `SELECT * FROM read_parquet([${files.map((f) => sqlString(this.manifest.absolute(f.path))).join(', ')}], union_by_name = true)`;
    if (!scope.environments || table === 'alert_events') return source;
    const allowed = scope.environments.filter((e) => (ENVIRONMENTS as readonly string[]).includes(e));
    return `SELECT * FROM (${source}) WHERE environment IN (${allowed.length ? allowed.map(sqlString).join(', ') : 'NULL'})`;
  }

  async withRelations<T>(scope: Scope, tables: Table[], window: TimeWindow, work: (rel: Relations) => Promise<T>, hints?: QueryHints): Promise<T> {
    const release = await this.slots.acquire();
    const conn = await this.connection();
    let healthy = true;
    try {
      await conn.run(`SET late_materialization_max_rows = ${hints?.filterReadsMaps ? 50 : 1001}`);
      const views = async (onlyPresent: boolean) => {
        for (const table of tables) await conn.run(`CREATE OR REPLACE TEMP VIEW ${table} AS ${this.relation(scope, table, window, onlyPresent)}`);
      };
      // A file committed a moment ago whose writer has not renamed it into place yet (or a crashed
      // writer's, until it is rolled forward): its rows are not visible yet, the rest of the answer is.
      await views(false).catch((err: Error) => {
        if (!MISSING_FILE.test(err.message)) throw err;
        return views(true);
      });
      const run = async (sql: string, params: unknown[], types: DuckDBType[] | undefined, retried: boolean): Promise<Record<string, unknown>[]> => {
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          conn.interrupt();
        }, this.opts.timeoutMs);
        try {
          const reader = await conn.runAndReadAll(sql, params as never, types as never);
          return reader.getRowObjectsJS() as Record<string, unknown>[];
        } catch (err) {
          if (timedOut) throw new ApiError(504, 'QUERY_TIMEOUT', `The query ran longer than ${this.opts.timeoutMs} ms and was cancelled`);
          // A file that left between the views and the query (compaction's sources, past their grace).
          if (!retried && MISSING_FILE.test(String((err as Error)?.message))) {
            clearTimeout(timer);
            await views(true);
            return run(sql, params, types, true);
          }
          healthy = false;
          throw err;
        } finally {
          clearTimeout(timer);
        }
      };
      return await work({ all: (sql, params = [], types) => run(sql, params, types, false) });
    } finally {
      if (healthy) this.idle.push(conn);
      else conn.closeSync();
      release();
    }
  }

  close(): void {
    for (const conn of this.idle) conn.closeSync();
    this.idle = [];
    this.db?.closeSync();
  }
}
