import { mkdtempSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Table } from '../../core/records.js';
import type { BusMessage } from '../../storage/bus/bus.js';
import { isColumnar } from '../../storage/lake/encode.js';
import { stagedSelect } from '../../storage/lake/parquet.js';
import { rangesOf } from '../../storage/lake/ranges.js';
import { emptyRelation } from '../../storage/lake/schema.js';
import type { PendingRows } from '../../storage/writer/pending.js';

/** A query's share of the writer's pending messages of one table, taken in the tick its files were listed. */
export interface PendingSnapshot {
  table: Table;
  messages: BusMessage[];
}

const tableOf = (table: Table) => `_pending_${table}`;

/**
 * For `AHEAD_MS` after a query of a project's table, every `AHEAD_EVERY_MS`, its messages held for more
 * than `AHEAD_AGE_MS` are converted ahead of the next query, which then converts at most that age's worth
 * itself rather than a flush interval's (about 5 µs of CPU a row, and 15–40 ms a conversion however small:
 * bench/README.md). Younger ones are left: at the default flush interval (500 ms) they are in a file before
 * they are that old, and converting them ahead made ingest pay for every row a second time while queries
 * came (the process's CPU per record doubled under `npm run bench`). While nobody queries, ingest pays nothing.
 */
const AHEAD_MS = 10_000;
const AHEAD_EVERY_MS = 250;
const AHEAD_AGE_MS = 1_000;

/**
 * The writer's pending rows in the engine's database, so that a query reads them beside the files: one
 * table per lake table holding the rows of every message some query needed, tagged with its bus sequence.
 * Messages are converted when a query needs them (or, while queries come, just ahead of them), never at
 * ingest, with the writer's own reading of the bus formats (`stagedSelect`), so that a row reads the same
 * before its file is written as after. A message's rows are deleted once it is no longer pending and no
 * running query holds it.
 */
export class PendingTables {
  /**
   * Messages whose rows are in their table, or that have none: DuckDB refused them (the writer dead-letters
   * those), or staging them failed (their rows are read from their file once it is written).
   */
  private readonly converted = new Map<number, BusMessage>();
  /**
   * The conversion under way that will hold each message's rows: a query waits for the one holding its
   * messages, not for every other, and no message is converted twice (its rows would count twice).
   */
  private readonly inFlight = new Map<number, Promise<void>>();
  /** How many running queries hold each sequence in a snapshot. */
  private readonly holds = new Map<number, number>();
  private readonly created = new Map<Table, Promise<void>>();
  private readonly idle: DuckDBConnection[] = [];
  private readonly connections: DuckDBConnection[] = [];
  private pruning: Promise<void> | null = null;
  /** The project's tables queried lately, and until when their messages are converted ahead. */
  private readonly queried = new Map<string, { project: string; table: Table; until: number }>();
  private ahead: NodeJS.Timeout | null = null;
  private aheadRound: Promise<unknown> | null = null;
  private closed = false;

  private constructor(
    private readonly db: DuckDBInstance,
    private readonly rows: PendingRows,
    private readonly stagingDir: string,
  ) {}

  static create(db: DuckDBInstance, rows: PendingRows): PendingTables {
    return new PendingTables(db, rows, mkdtempSync(join(tmpdir(), 'loglake-pending-')));
  }

  /** Synchronous: taken right after the manifest's file list, it sees the manifest that list did. */
  snapshot(project: string, table: Table, fromHour: string | null, toHour: string | null): PendingSnapshot {
    const messages = this.rows.pending(project, table, fromHour, toHour);
    for (const m of messages) this.holds.set(m.seq, (this.holds.get(m.seq) ?? 0) + 1);
    this.queried.set(`${project}\u0000${table}`, { project, table, until: Date.now() + AHEAD_MS });
    this.ahead ??= setInterval(() => this.convertAhead(), AHEAD_EVERY_MS).unref();
    return { table, messages };
  }

  release(snapshot: PendingSnapshot): void {
    for (const m of snapshot.messages) {
      const n = (this.holds.get(m.seq) ?? 1) - 1;
      if (n > 0) this.holds.set(m.seq, n);
      else this.holds.delete(m.seq);
    }
  }

  /** Resolves once every message of the snapshot has its rows in the table; no DuckDB work when all have. */
  async prepare(snapshot: PendingSnapshot): Promise<void> {
    if (this.closed) return;
    const todo = snapshot.messages.filter((m) => !this.converted.has(m.seq) && !this.inFlight.has(m.seq));
    if (todo.length > 0) {
      const done = this.convertOn(snapshot.table, todo).finally(() => {
        for (const m of todo) this.inFlight.delete(m.seq);
      });
      for (const m of todo) this.inFlight.set(m.seq, done);
    }
    const waits = new Set<Promise<void>>();
    for (const m of snapshot.messages) {
      const w = this.inFlight.get(m.seq);
      if (w) waits.add(w);
    }
    await Promise.all(waits);
  }

  /** Converts the pending messages of the tables queried lately; stops once none was for `AHEAD_MS`. */
  private convertAhead(): void {
    const now = Date.now();
    for (const [key, { until }] of this.queried) if (until < now) this.queried.delete(key);
    if (this.queried.size === 0 && this.ahead) {
      clearInterval(this.ahead);
      this.ahead = null;
    }
    // One round at a time: a round that outlasts the interval is not queued behind again.
    if (this.aheadRound) return;
    const rounds = [...this.queried.values()].map(({ project, table }) => this.prepare({ table, messages: this.rows.pending(project, table, null, null, now - AHEAD_AGE_MS) }));
    this.aheadRound = Promise.allSettled(rounds).then(() => (this.aheadRound = null));
  }

  /** The snapshot's rows as a relation with the table's columns; null when it holds none. */
  relation(snapshot: PendingSnapshot): string | null {
    if (snapshot.messages.length === 0) return null;
    // A range holds only the snapshot's sequences (rangesOf joins neighbours alone): no other project's rows.
    const ranges = rangesOf(snapshot.messages.map((m) => m.seq));
    const where = ranges.map(([lo, hi]) => (lo === hi ? `seq = ${lo}` : `seq BETWEEN ${lo} AND ${hi}`)).join(' OR ');
    return `SELECT * EXCLUDE (seq) FROM ${tableOf(snapshot.table)} WHERE ${where}`;
  }

  /** On a connection of its own: conversions for different queries run side by side. */
  private async convertOn(table: Table, messages: BusMessage[]): Promise<void> {
    const conn = this.idle.pop() ?? (await this.connect());
    try {
      await this.tableOn(conn, table);
      await this.convert(conn, table, messages);
    } finally {
      this.idle.push(conn);
    }
    if (!this.closed) this.pruning ??= this.prune(table).finally(() => (this.pruning = null));
  }

  private async connect(): Promise<DuckDBConnection> {
    const conn = await this.db.connect();
    this.connections.push(conn);
    // As the writer's DuckDB reads staged times.
    await conn.run("SET TimeZone = 'UTC'");
    return conn;
  }

  private tableOn(conn: DuckDBConnection, table: Table): Promise<void> {
    let created = this.created.get(table);
    if (!created) {
      created = conn.run(`CREATE TABLE ${tableOf(table)} AS SELECT *, CAST(NULL AS BIGINT) AS seq FROM (${emptyRelation(table)})`).then(() => undefined, (err: unknown) => {
        this.created.delete(table);
        throw err;
      });
      this.created.set(table, created);
    }
    return created;
  }

  /** Deletes the rows of messages now in a file that no running query holds: they are never pending again. */
  private async prune(table: Table): Promise<void> {
    const gone = [...this.converted.values()].filter((m) => m.table === table && !this.holds.has(m.seq) && !this.rows.isPending(m));
    if (gone.length === 0) return;
    const conn = this.idle.pop() ?? (await this.connect());
    try {
      await conn.run(`DELETE FROM ${tableOf(table)} WHERE seq IN (${gone.map((m) => m.seq).join(', ')})`);
      for (const m of gone) this.converted.delete(m.seq);
    } finally {
      this.idle.push(conn);
    }
  }

  /**
   * The messages' rows into the table, each message staged as a file named by its sequence. When DuckDB
   * refuses them, by halves, so that one it cannot read (the writer dead-letters it) costs the others nothing.
   */
  private async convert(conn: DuckDBConnection, table: Table, messages: BusMessage[]): Promise<void> {
    if (await this.insert(conn, table, messages)) {
      for (const m of messages) this.converted.set(m.seq, m);
    } else if (messages.length === 1) {
      this.converted.set(messages[0].seq, messages[0]);
    } else {
      const half = Math.ceil(messages.length / 2);
      await this.convert(conn, table, messages.slice(0, half));
      await this.convert(conn, table, messages.slice(half));
    }
  }

  /** False when DuckDB refused the messages (the statement then inserted nothing). */
  private async insert(conn: DuckDBConnection, table: Table, messages: BusMessage[]): Promise<boolean> {
    const staged = messages.map((m) => ({ m, columnar: isColumnar(m.data), path: join(this.stagingDir, `${m.seq}${isColumnar(m.data) ? '.columns' : ''}.ndjson`) }));
    try {
      await Promise.all(staged.map((s) => writeFile(s.path, s.m.data)));
      const select = stagedSelect(table, { rows: staged.filter((s) => !s.columnar).map((s) => s.path), columns: staged.filter((s) => s.columnar).map((s) => s.path) }, true);
      await conn.run(`INSERT INTO ${tableOf(table)} BY NAME SELECT * EXCLUDE (filename), CAST(split_part(parse_filename(filename), '.', 1) AS BIGINT) AS seq FROM (${select})`);
      return true;
    } catch {
      return false;
    } finally {
      await Promise.all(staged.map((s) => rm(s.path, { force: true })));
    }
  }

  /** After the conversions under way: DuckDB closing under a running statement waits for ever. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.ahead) clearInterval(this.ahead);
    await Promise.allSettled(this.inFlight.values());
    await this.pruning?.catch(() => undefined);
    for (const conn of this.connections) conn.closeSync();
    rmSync(this.stagingDir, { recursive: true, force: true });
  }
}
