import { mkdtempSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Table } from '../../core/records.js';
import type { BusMessage } from '../../storage/bus/bus.js';
import { isColumnar } from '../../storage/lake/encode.js';
import { stagedSelect } from '../../storage/lake/parquet.js';
import { emptyRelation } from '../../storage/lake/schema.js';
import type { PendingRows } from '../../storage/writer/pending.js';

/** A query's share of the writer's pending messages of one table, taken in the tick its files were listed. */
export interface PendingSnapshot {
  table: Table;
  messages: BusMessage[];
}

const tableOf = (table: Table) => `_pending_${table}`;

/**
 * The writer's pending rows in the engine's database, so that a query reads them beside the files: one
 * table per lake table holding the rows of every message some query needed, tagged with its bus sequence.
 * Messages are converted when a query first needs them, never at ingest, with the writer's own reading of
 * the bus formats (`stagedSelect`), so that a row reads the same before its file is written as after. A
 * message's rows are deleted once it is no longer pending and no running query holds it.
 */
export class PendingTables {
  /** Messages whose rows are in their table (or, when DuckDB refused them, that have none: the writer dead-letters those). */
  private readonly converted = new Map<number, BusMessage>();
  /** How many running queries hold each sequence in a snapshot. */
  private readonly holds = new Map<number, number>();
  private readonly created = new Set<Table>();
  /** Conversions run one at a time, on one connection: a second query finds the first one's rows there. */
  private work: Promise<void> = Promise.resolve();

  private constructor(
    private readonly conn: DuckDBConnection,
    private readonly rows: PendingRows,
    private readonly stagingDir: string,
  ) {}

  static async create(db: DuckDBInstance, rows: PendingRows): Promise<PendingTables> {
    const conn = await db.connect();
    // As the writer's DuckDB reads staged times.
    await conn.run("SET TimeZone = 'UTC'");
    return new PendingTables(conn, rows, mkdtempSync(join(tmpdir(), 'loglake-pending-')));
  }

  /** Synchronous: taken right after the manifest's file list, it sees the manifest that list did. */
  snapshot(project: string, table: Table, fromHour: string | null, toHour: string | null): PendingSnapshot {
    const messages = this.rows.pending(project, table, fromHour, toHour);
    for (const m of messages) this.holds.set(m.seq, (this.holds.get(m.seq) ?? 0) + 1);
    return { table, messages };
  }

  release(snapshot: PendingSnapshot): void {
    for (const m of snapshot.messages) {
      const n = (this.holds.get(m.seq) ?? 1) - 1;
      if (n > 0) this.holds.set(m.seq, n);
      else this.holds.delete(m.seq);
    }
  }

  /** Converts what the snapshot holds that is not converted yet; nothing to do (no DuckDB work) when all is. */
  prepare(snapshot: PendingSnapshot): Promise<void> {
    const fresh = snapshot.messages.filter((m) => !this.converted.has(m.seq));
    if (fresh.length === 0) return Promise.resolve();
    const done = this.work.then(async () => {
      const todo = fresh.filter((m) => !this.converted.has(m.seq));
      if (todo.length === 0) return;
      await this.ensureTable(snapshot.table);
      await this.prune(snapshot.table);
      await this.convert(snapshot.table, todo);
    });
    this.work = done.catch(() => undefined);
    return done;
  }

  /** The snapshot's rows as a relation with the table's columns; null when it holds none. */
  relation(snapshot: PendingSnapshot): string | null {
    if (snapshot.messages.length === 0) return null;
    return `SELECT * EXCLUDE (seq) FROM ${tableOf(snapshot.table)} WHERE seq IN (${snapshot.messages.map((m) => m.seq).join(', ')})`;
  }

  private async ensureTable(table: Table): Promise<void> {
    if (this.created.has(table)) return;
    await this.conn.run(`CREATE TABLE ${tableOf(table)} AS SELECT *, CAST(NULL AS BIGINT) AS seq FROM (${emptyRelation(table)})`);
    this.created.add(table);
  }

  /** Deletes the rows of messages now in a file that no running query holds: they are never pending again. */
  private async prune(table: Table): Promise<void> {
    const gone = [...this.converted.values()].filter((m) => m.table === table && !this.holds.has(m.seq) && !this.rows.isPending(m));
    if (gone.length === 0) return;
    await this.conn.run(`DELETE FROM ${tableOf(table)} WHERE seq IN (${gone.map((m) => m.seq).join(', ')})`);
    for (const m of gone) this.converted.delete(m.seq);
  }

  /**
   * The messages' rows into the table, each message staged as a file named by its sequence. When DuckDB
   * refuses them, by halves, so that one it cannot read (the writer dead-letters it) costs the others nothing.
   */
  private async convert(table: Table, messages: BusMessage[]): Promise<void> {
    if (await this.insert(table, messages)) {
      for (const m of messages) this.converted.set(m.seq, m);
    } else if (messages.length === 1) {
      this.converted.set(messages[0].seq, messages[0]);
    } else {
      const half = Math.ceil(messages.length / 2);
      await this.convert(table, messages.slice(0, half));
      await this.convert(table, messages.slice(half));
    }
  }

  /** False when DuckDB refused the messages (the statement then inserted nothing). */
  private async insert(table: Table, messages: BusMessage[]): Promise<boolean> {
    const staged = messages.map((m) => ({ m, columnar: isColumnar(m.data), path: join(this.stagingDir, `${m.seq}${isColumnar(m.data) ? '.columns' : ''}.ndjson`) }));
    try {
      await Promise.all(staged.map((s) => writeFile(s.path, s.m.data)));
      const select = stagedSelect(table, { rows: staged.filter((s) => !s.columnar).map((s) => s.path), columns: staged.filter((s) => s.columnar).map((s) => s.path) }, true);
      await this.conn.run(`INSERT INTO ${tableOf(table)} BY NAME SELECT * EXCLUDE (filename), CAST(split_part(parse_filename(filename), '.', 1) AS BIGINT) AS seq FROM (${select})`);
      return true;
    } catch {
      return false;
    } finally {
      await Promise.all(staged.map((s) => rm(s.path, { force: true })));
    }
  }

  close(): void {
    this.conn.closeSync();
    rmSync(this.stagingDir, { recursive: true, force: true });
  }
}
