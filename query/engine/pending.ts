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

/**
 * A query's share of the writer's pending messages of one table, taken in the tick its files were listed,
 * and, once prepared, where each message's rows are read: its table, or its staging file.
 */
export interface PendingSnapshot {
  table: Table;
  messages: BusMessage[];
  inTable: number[];
  inFiles: { rows: string[]; columns: string[] };
}

interface Staged {
  message: BusMessage;
  path: string;
  columnar: boolean;
  written: Promise<void>;
}

const tableOf = (table: Table) => `_pending_${table}`;

/**
 * For `AHEAD_MS` after a query of a project's table, every `AHEAD_EVERY_MS`, its messages held for more
 * than `AHEAD_AGE_MS` are converted into the table ahead of the next query (about 5 µs of CPU a row, and
 * 15–40 ms a conversion however small: bench/README.md), so that however long the flush interval, a query
 * reads at most that age's worth from staging files. Younger ones are not: at the default flush interval
 * (500 ms) they are in a file before they are that old, and converting them too made ingest pay for every
 * row a second time while queries came (the process's CPU per record doubled under `npm run bench`).
 */
const AHEAD_MS = 10_000;
const AHEAD_EVERY_MS = 250;
const AHEAD_AGE_MS = 1_000;

/**
 * The writer's pending rows in the engine's database, so that a query reads them beside the files: a
 * message's payload is staged as a file named by its sequence the first time a query needs it, and read
 * through the writer's own reading of the bus formats (`stagedSelect`), so that a row reads the same
 * before its file is written as after; a query reads only the columns it needs of it. Messages held a
 * while are converted into a table per lake table, tagged with their sequence, so that a long flush
 * interval does not make every query read them again. Nothing is done at ingest. A message's file and rows
 * go once it is no longer pending and no running query holds it.
 */
export class PendingTables {
  /**
   * Messages whose rows are in their table, or that have none: DuckDB refused them (the writer dead-letters
   * those), or staging them failed (their rows are read from their file once it is written).
   */
  private readonly converted = new Map<number, BusMessage>();
  /** Messages being converted, by the conversion: none is converted twice (its rows would count twice). */
  private readonly inFlight = new Map<number, Promise<void>>();
  /** Staging files of messages a query read from one, and their writes. */
  private readonly staged = new Map<number, Staged>();
  /** Conversions and writes under way: closing waits for them. */
  private readonly running = new Set<Promise<unknown>>();
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
    return { table, messages, inTable: [], inFiles: { rows: [], columns: [] } };
  }

  release(snapshot: PendingSnapshot): void {
    for (const m of snapshot.messages) {
      const n = (this.holds.get(m.seq) ?? 1) - 1;
      if (n > 0) this.holds.set(m.seq, n);
      else this.holds.delete(m.seq);
    }
    this.sweep();
  }

  /**
   * Decides where each of the snapshot's messages is read: its table once converted, else its staging
   * file, written now if no query wrote it before. `convert`: converts them all first, each refused one
   * then read as empty (a query whose staging files DuckDB refused asks again so).
   */
  async prepare(snapshot: PendingSnapshot, convert = false): Promise<void> {
    if (convert) await this.convertAll(snapshot.table, snapshot.messages);
    const unconverted = snapshot.messages.filter((m) => !this.converted.has(m.seq));
    await Promise.all(unconverted.map((m) => this.stage(m).written));
    // Whatever was converted meanwhile is read from its table; a message is in one of the two parts only.
    snapshot.inTable = snapshot.messages.filter((m) => this.converted.has(m.seq)).map((m) => m.seq);
    const files = snapshot.messages.filter((m) => !this.converted.has(m.seq)).map((m) => this.staged.get(m.seq)!);
    snapshot.inFiles = { rows: files.filter((f) => !f.columnar).map((f) => f.path), columns: files.filter((f) => f.columnar).map((f) => f.path) };
  }

  /** Whether the prepared snapshot reads staging files, whose payloads DuckDB may refuse. */
  readsFiles(snapshot: PendingSnapshot): boolean {
    return snapshot.inFiles.rows.length + snapshot.inFiles.columns.length > 0;
  }

  /**
   * The prepared snapshot's rows as a relation with the table's columns; null when it holds none. With
   * `reads`, the rows still in staging files hold only those columns (`stagedSelect`), the rest NULL.
   */
  relation(snapshot: PendingSnapshot, reads?: ReadonlySet<string>): string | null {
    const parts: string[] = [];
    if (snapshot.inTable.length > 0) {
      // A range holds only the snapshot's sequences (rangesOf joins neighbours alone): no other project's rows.
      const where = rangesOf(snapshot.inTable).map(([lo, hi]) => (lo === hi ? `seq = ${lo}` : `seq BETWEEN ${lo} AND ${hi}`)).join(' OR ');
      parts.push(`SELECT * EXCLUDE (seq) FROM ${tableOf(snapshot.table)} WHERE ${where}`);
    }
    if (this.readsFiles(snapshot)) parts.push(`SELECT * EXCLUDE (filename) FROM (${stagedSelect(snapshot.table, snapshot.inFiles, true, reads)})`);
    return parts.length === 0 ? null : parts.join(' UNION ALL BY NAME ');
  }

  private stage(message: BusMessage): Staged {
    let file = this.staged.get(message.seq);
    if (!file) {
      const columnar = isColumnar(message.data);
      const path = join(this.stagingDir, `${message.seq}${columnar ? '.columns' : ''}.ndjson`);
      const written = this.track(writeFile(path, message.data).catch((err: unknown) => {
        this.staged.delete(message.seq);
        throw err;
      }));
      file = { message, path, columnar, written };
      this.staged.set(message.seq, file);
    }
    return file;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    void work.catch(() => undefined).finally(() => this.running.delete(work));
    return work;
  }

  /** Removes the staging files no running query reads and none will: their messages are converted, or in a file. */
  private sweep(): void {
    for (const [seq, file] of this.staged) {
      if (this.holds.has(seq) || (!this.converted.has(seq) && this.rows.isPending(file.message))) continue;
      this.staged.delete(seq);
      void this.track(file.written.catch(() => undefined).then(() => rm(file.path, { force: true })));
    }
  }

  /** Converts the older pending messages of the tables queried lately; stops once none was for `AHEAD_MS`. */
  private convertAhead(): void {
    const now = Date.now();
    for (const [key, { until }] of this.queried) if (until < now) this.queried.delete(key);
    if (this.queried.size === 0 && this.ahead) {
      clearInterval(this.ahead);
      this.ahead = null;
    }
    // One round at a time: a round that outlasts the interval is not queued behind again.
    if (this.aheadRound || this.closed) return;
    const rounds = [...this.queried.values()].map(({ project, table }) => this.convertAll(table, this.rows.pending(project, table, null, null, now - AHEAD_AGE_MS)));
    this.aheadRound = Promise.allSettled(rounds).then(() => {
      this.aheadRound = null;
      this.sweep();
    });
  }

  /**
   * Converts the messages not converted yet, on a connection of its own, and waits for those another
   * conversion has taken.
   */
  private async convertAll(table: Table, messages: BusMessage[]): Promise<void> {
    if (this.closed) return;
    const todo = messages.filter((m) => !this.converted.has(m.seq) && !this.inFlight.has(m.seq));
    if (todo.length > 0) {
      const done = this.track(this.convertOn(table, todo)).finally(() => {
        for (const m of todo) this.inFlight.delete(m.seq);
        if (!this.closed) this.pruning ??= this.prune(table).finally(() => (this.pruning = null));
      });
      for (const m of todo) this.inFlight.set(m.seq, done);
    }
    await Promise.all(new Set(messages.map((m) => this.inFlight.get(m.seq)).filter((w) => w !== undefined)));
  }

  private async convertOn(table: Table, messages: BusMessage[]): Promise<void> {
    const conn = this.idle.pop() ?? (await this.connect());
    try {
      await this.tableOn(conn, table);
      await this.convert(conn, table, messages);
    } finally {
      this.idle.push(conn);
    }
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
   * The messages' rows into the table, each message staged as a file named by its sequence (apart from the
   * files queries read, which stay until no query holds them). When DuckDB refuses them, by halves, so
   * that one it cannot read (the writer dead-letters it) costs the others nothing.
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
    const staged = messages.map((m) => ({ m, columnar: isColumnar(m.data), path: join(this.stagingDir, `${m.seq}.convert${isColumnar(m.data) ? '.columns' : ''}.ndjson`) }));
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
    while (this.running.size > 0 || this.pruning || this.aheadRound) {
      await Promise.allSettled([...this.running, this.pruning, this.aheadRound]);
    }
    for (const conn of this.connections) conn.closeSync();
    rmSync(this.stagingDir, { recursive: true, force: true });
  }
}
