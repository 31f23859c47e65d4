import { existsSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { ApiError } from '../../core/errors.js';
import { ENVIRONMENTS, type Table } from '../../core/records.js';
import { hourKey } from '../../storage/lake/layout.js';
import type { LakeFile, LakeIndex } from '../../storage/lake/manifest.js';
import { lakeFiles, sqlString } from '../../storage/lake/parquet.js';
import { emptyRelation } from '../../storage/lake/schema.js';
import { readSkipIndex, type SkipIndex } from '../../storage/lake/skip-index.js';
import type { PendingRows } from '../../storage/writer/pending.js';
import { PendingTables, type PendingSnapshot } from './pending.js';
import { Semaphore } from './semaphore.js';
import { candidateRanges, filesWorth, scansOf, type Requirement, type RowRange } from './skip.js';
import { inlineParams } from './inline.js';
import { columnsRead } from './columns.js';
import { MACROS_SQL } from '../language/index.js';

/**
 * A file is read over its candidate row ranges only when they hold at most this share of its blocks;
 * past it, it is read whole, in the one scan of all such files (the share was measured when a file was
 * one row group, bench/README.md).
 */
const MAX_SHARE = 0.5;
/** A page reads the newest files first only when the filter leaves more than this many files' worth of rows. */
const FIRST_FILES_MIN = 4;

/** Statements whose columns (columns.ts) the engine remembers, the oldest forgotten first. */
const STATEMENTS_REMEMBERED = 512;

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
  /** logs: what every matching row holds, in skip-index terms (query/engine/skip.ts); null: nothing known. */
  need?: Requirement;
  /**
   * logs: the statement returns its first `rows` rows by (timestamp, id) in this order and nothing else
   * (a search whose only post stage is its page limit). The engine may then read the newest (oldest)
   * indexed files first and stop once no file left out could hold a row of the answer.
   */
  firstRows?: { rows: number; order: 'latest' | 'earliest' };
}

/** One file of a view: whole (null), or only its candidate row ranges (in file order). */
interface Pick {
  file: LakeFile;
  index: SkipIndex | null;
  ranges: RowRange[] | null;
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
  /** Per connection, the statements its views and settings were last created with (to skip recreating them). */
  private readonly viewsOf = new WeakMap<DuckDBConnection, Map<string, string>>();
  private readonly indexes = new Map<string, SkipIndex>();
  private readonly slots: Semaphore;
  private pending: PendingTables | null = null;
  private readonly statementColumns = new Map<string, ReadonlySet<string> | null>();

  /** `pendingRows`: the writer's rows not yet in a file, when it runs in this process; queries read them too. */
  constructor(
    private readonly manifest: LakeIndex,
    private readonly opts: EngineOptions,
    private readonly pendingRows: PendingRows | null = null,
  ) {
    this.slots = new Semaphore(opts.maxConcurrent);
  }

  async start(): Promise<void> {
    const config: Record<string, string> = { memory_limit: this.opts.memoryLimit };
    if (this.opts.threads) config.threads = String(this.opts.threads);
    this.db = await DuckDBInstance.create(':memory:', config);
    if (this.pendingRows) this.pending = PendingTables.create(this.db, this.pendingRows);
  }

  private async connection(): Promise<DuckDBConnection> {
    const conn = this.idle.pop();
    if (conn) return conn;
    const fresh = await this.db.connect();
    // Sets TimeZone = UTC and defines the helper macros the compiled SQL uses.
    await fresh.run(MACROS_SQL);
    // Files never change once written: their footers are read once, not at every view and query.
    await fresh.run('SET parquet_metadata_cache = true');
    return fresh;
  }

  /** The skip index of a live file, cached (files and their indexes never change once written); null: scan it. */
  private indexOf(f: LakeFile): SkipIndex | null {
    const cached = this.indexes.get(f.path);
    if (cached) return cached;
    const index = readSkipIndex(this.manifest.absolute(f.path), f.rows);
    if (index) {
      if (this.indexes.size >= 10_000) this.indexes.clear();
      this.indexes.set(f.path, index);
    }
    return index;
  }

  /** Files of the window's hours. */
  private listed(scope: Scope, table: Table, window: TimeWindow, onlyPresent: boolean): LakeFile[] {
    const listed = this.manifest.list(scope.project, table, ...hoursOf(window));
    return onlyPresent ? listed.filter((f) => existsSync(this.manifest.absolute(f.path))) : listed;
  }

  /**
   * The files a filter can match in, by their skip indexes: a file none of whose blocks may hold the
   * required terms is left out, one with few candidate blocks is read over their row ranges.
   * Files without an index are read whole.
   */
  private picks(files: LakeFile[], need: Requirement, useIndex: boolean): Pick[] {
    const out: Pick[] = [];
    for (const file of files) {
      const index = useIndex ? this.indexOf(file) : null;
      const ranges = index && need ? candidateRanges(index, need, MAX_SHARE) : null;
      if (ranges?.length !== 0) out.push({ file, index, ranges });
    }
    return out;
  }

  /**
   * The picked files as one relation, restricted to the scope's environments. Environment names are checked
   * against the closed set before they become SQL text: a view cannot take bound parameters.
   */
  private relation(scope: Scope, table: Table, picks: Pick[], pending: PendingSnapshot | null, reads?: ReadonlySet<string>): string {
    const paths = (files: LakeFile[]) => files.map((f) => this.manifest.absolute(f.path));
    const whole = picks.filter((p) => !p.ranges).map((p) => p.file);
    const parts = whole.length ? [`SELECT * FROM ${lakeFiles(paths(whole))}`] : [];
    for (const { files, range } of scansOf(picks.flatMap((p) => (p.ranges ? [{ file: p.file, ranges: p.ranges }] : [])))) {
      parts.push(`SELECT * EXCLUDE (file_row_number) FROM ${lakeFiles(paths(files), 'file_row_number = true')} WHERE file_row_number BETWEEN ${range[0]} AND ${range[1]}`);
    }
    // The scope's own filter reads the environment, whatever the statement names.
    const unwritten = pending && this.pending?.relation(pending, reads && new Set([...reads, 'environment']));
    if (unwritten) parts.push(unwritten);
    const source = parts.length === 0 ? emptyRelation(table) : parts.join(' UNION ALL BY NAME ');
    if (!scope.environments || table === 'alert_events') return source;
    const allowed = scope.environments.filter((e) => (ENVIRONMENTS as readonly string[]).includes(e));
    return `SELECT * FROM (${source}) WHERE environment IN (${allowed.length ? allowed.map(sqlString).join(', ') : 'NULL'})`;
  }

  /**
   * The columns `sql` reads of the views `tables` (null: any), remembered by statement: the same statements
   * come again (a dashboard, an alert, a live tail), and under load each extra call to DuckDB waits its turn
   * on a busy event loop, which cost a probe query more than its narrower read saved.
   */
  private async columnsOf(conn: DuckDBConnection, sql: string, tables: Table[]): Promise<ReadonlySet<string> | null> {
    const key = `${tables.join()}\u0000${sql}`;
    if (this.statementColumns.has(key)) return this.statementColumns.get(key)!;
    const [row] = (await conn.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql])).getRows();
    const reads = columnsRead(JSON.parse(String(row[0])), tables);
    if (this.statementColumns.size >= STATEMENTS_REMEMBERED) this.statementColumns.delete(this.statementColumns.keys().next().value!);
    this.statementColumns.set(key, reads);
    return reads;
  }

  /** Runs `sql` on the connection unless it was the last statement run there under `key` (a view, a setting). */
  private async once(conn: DuckDBConnection, key: string, sql: string): Promise<void> {
    let done = this.viewsOf.get(conn);
    if (!done) this.viewsOf.set(conn, (done = new Map()));
    if (done.get(key) === sql) return;
    done.delete(key);
    await conn.run(sql);
    done.set(key, sql);
  }

  async withRelations<T>(scope: Scope, tables: Table[], window: TimeWindow, work: (rel: Relations) => Promise<T>, hints?: QueryHints): Promise<T> {
    const release = await this.slots.acquire();
    const conn = await this.connection();
    let healthy = true;
    const snapshots: PendingSnapshot[] = [];
    try {
      const lateRows = (rows: number) => this.once(conn, '', `SET late_materialization_max_rows = ${rows}`);
      await lateRows(hints?.filterReadsMaps ? 50 : 1001);
      const indexed = tables.length === 1 && tables[0] === 'logs' && Boolean(hints?.need || hints?.firstRows);
      let onlyPresent = false;
      /** Pending rows are read converted, none from staging files (DuckDB refused one: the writer dead-letters it). */
      let convertPending = false;
      /** The files the views read now: all the filter can match in, or the first few of them (firstRows). */
      let narrow: (picks: Pick[]) => Pick[] = (picks) => picks;
      const plan = (table: Table) => this.picks(this.listed(scope, table, window, onlyPresent), indexed ? hints?.need ?? null : null, indexed);
      /** What each view reads now, so that a statement's view can read fewer of the pending rows' columns. */
      const built = new Map<Table, { picks: Pick[]; pending: PendingSnapshot | null }>();
      const view = (table: Table, reads?: ReadonlySet<string>) => {
        const { picks, pending } = built.get(table)!;
        return this.once(conn, table, `CREATE OR REPLACE TEMP VIEW ${table} AS ${this.relation(scope, table, picks, pending, reads)}`);
      };
      const views = async () => {
        for (const table of tables) {
          const picks = narrow(plan(table));
          // In the tick the files were listed: a message is in a listed file or pending, never both, never neither.
          const pending = this.pending?.snapshot(scope.project, table, ...hoursOf(window)) ?? null;
          if (pending) {
            snapshots.push(pending);
            await this.pending!.prepare(pending, convertPending);
          }
          built.set(table, { picks, pending });
        }
      };
      /**
       * The views, made for the statement about to run: the writer's rows still in staging files are read
       * for just the columns it names, when that is known (columns.ts).
       */
      const fit = async (sql: string) => {
        let reads: ReadonlySet<string> | undefined;
        if ([...built.values()].some((b) => b.pending && this.pending!.readsFiles(b.pending))) reads = (await this.columnsOf(conn, sql, tables)) ?? undefined;
        for (const table of built.keys()) await view(table, reads);
      };
      // A file committed a moment ago whose writer has not renamed it into place yet (or a crashed
      // writer's, until it is rolled forward): its rows are not visible yet, the rest of the answer is.
      const fitViews = (sql: string) => fit(sql).catch(async (err: Error) => {
        if (!MISSING_FILE.test(err.message)) throw err;
        onlyPresent = true;
        await views();
        return fit(sql);
      });
      const run = async (sql: string, params: unknown[], types: DuckDBType[] | undefined, retried: boolean): Promise<Record<string, unknown>[]> => {
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          conn.interrupt();
        }, this.opts.timeoutMs);
        try {
          await fitViews(sql);
          // Bound once, not at a prepare and again at the execute (inline.ts); explicit types are the driver's to bind.
          const inlined = types ? null : inlineParams(sql, params);
          const reader = await (inlined === null ? conn.runAndReadAll(sql, params as never, types as never) : conn.runAndReadAll(inlined));
          return reader.getRowObjectsJS() as Record<string, unknown>[];
        } catch (err) {
          if (timedOut) throw new ApiError(504, 'QUERY_TIMEOUT', `The query ran longer than ${this.opts.timeoutMs} ms and was cancelled`);
          // A file that left between the views and the query (compaction's sources, past their grace).
          if (!retried && MISSING_FILE.test(String((err as Error)?.message))) {
            clearTimeout(timer);
            onlyPresent = true;
            await views();
            return run(sql, params, types, true);
          }
          if (!retried && !convertPending && snapshots.some((s) => this.pending!.readsFiles(s))) {
            clearTimeout(timer);
            convertPending = true;
            await views();
            return run(sql, params, types, true);
          }
          healthy = false;
          throw err;
        } finally {
          clearTimeout(timer);
        }
      };
      const rel: Relations = { all: (sql, params = [], types) => run(sql, params, types, false) };
      const first = indexed ? hints?.firstRows : undefined;
      const timed = first ? plan('logs').filter((p) => p.index?.minTs != null && p.index.maxTs != null) : [];
      if (!first || filesWorth(timed) <= FIRST_FILES_MIN) {
        await views();
        return await work(rel);
      }
      // Newest (oldest) indexed files first, beside every file without a time range: the answer is complete
      // once every file left out ends before (starts after) its last row. The first file's share of the
      // page says how many more to read: at most one more round, unless the files left out still overlap.
      const latest = first.order === 'latest';
      timed.sort((a, b) => (latest ? b.index!.maxTs! - a.index!.maxTs! : a.index!.minTs! - b.index!.minTs!));
      let k = 1;
      for (;;) {
        const taken = new Set(timed.slice(0, k).map((p) => p.file.path));
        narrow = (picks) => (k >= timed.length ? picks : picks.filter((p) => p.index?.minTs == null || p.index.maxTs == null || taken.has(p.file.path)));
        await views();
        const result = await work(rel);
        if (k >= timed.length || !Array.isArray(result)) return result;
        const bound = result.length >= first.rows ? boundMicros((result[result.length - 1] as Record<string, unknown>).timestamp, latest) : null;
        if (bound === null) {
          k = result.length === 0 ? timed.length : Math.ceil((k * first.rows * 1.5) / result.length);
          // Sparse: the next round reads every file and may not fill the page. Reading columns late then costs
          // a second pass over every file that holds a row of the answer (2x slower, bench/README.md).
          if (k >= timed.length) await lateRows(50);
          continue;
        }
        const could = timed.slice(k).filter((p) => (latest ? p.index!.maxTs! >= bound : p.index!.minTs! <= bound)).length;
        if (could === 0) return result;
        k += could;
      }
    } finally {
      for (const s of snapshots) this.pending!.release(s);
      if (healthy) this.idle.push(conn);
      else conn.closeSync();
      release();
    }
  }

  async close(): Promise<void> {
    for (const conn of this.idle) conn.closeSync();
    this.idle = [];
    await this.pending?.close();
    this.db?.closeSync();
  }
}

/** The hours a window reads, as the manifest lists them (the half-open `to` bound means its own hour only when it is past the hour's start). */
function hoursOf(window: TimeWindow): [fromHour: string | null, toHour: string | null] {
  return [window.from ? hourKey(window.from) : null, window.to ? hourKey(new Date(window.to.getTime() - 1)) : null];
}

/**
 * A bound in epoch microseconds that a row's timestamp is surely past (latest: at or above; earliest: at
 * or below), whatever precision the value came back in; null when it is not a time.
 */
function boundMicros(value: unknown, latest: boolean): number | null {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) return null;
  return latest ? (Math.floor(ms) - 1) * 1000 : (Math.ceil(ms) + 1) * 1000 + 999;
}
