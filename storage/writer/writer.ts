import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { Logger } from 'pino';
import type { Table } from '../../core/records.js';
import type { Bus, BusMessage, Subscription } from '../bus/bus.js';
import { DeadLetters } from '../dead-letters/dead-letters.js';
import type { LakeFile, Manifest } from '../lake/manifest.js';
import { partitionDir } from '../lake/layout.js';
import type { ParquetWriter } from '../lake/parquet.js';
import { rangesOf } from '../lake/ranges.js';

export interface WriterOptions {
  lakeDir: string;
  stagingDir: string;
  deadLetterDir: string;
  durable: string;
  flushIntervalMs: number;
  maxBufferedRows: number;
  maxPendingMessages: number;
  /** Told about every file once it is committed and acked (the schema catalog listens). */
  onCommitted?: (files: LakeFile[]) => void;
}

/** What readiness and `/metrics` report of a writer. */
export interface WriterStatus {
  /** Messages on the bus not yet delivered to the writer: the bus lag. */
  undelivered: number;
  /** Delivered and not yet acknowledged (buffered, being written, or held by a dead writer's ack wait). */
  ackPending: number;
  bufferedMessages: number;
  bufferedRows: number;
  /** When the writer last committed a file (ms since the epoch), or started, when it has not yet. */
  lastCommitAt: number;
  /** Why the last flush failed (a full disk), until one succeeds. */
  flushError: string | null;
}

const DISK_FULL = /ENOSPC|EDQUOT|No space left|quota exceeded/i;

/**
 * Whether a failed write is the messages' fault, so that writing fewer of them can succeed. A full disk
 * is no fault of theirs: they wait for space, never for the dead letters. Nor is a failure of the file
 * system under the staging directory or the lake (Node's errors carry a `code`, DuckDB's begin "IO
 * Error"): every message would fail alike, and each would be dead-lettered in turn.
 */
function messagesAtFault(err: unknown): boolean {
  if (!(err instanceof Error) || (err as NodeJS.ErrnoException).code) return false;
  return !DISK_FULL.test(err.message) && !err.message.startsWith('IO Error');
}

/** Why DuckDB refused a message, without the name of the staging file it read, which is gone by now. */
function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message.replace(/ in file "[^"]*\.ndjson",?/g, '') : String(err);
}

/** What one flush has written so far: undone (files removed, messages held again) if it fails. */
interface FlushOutcome {
  files: LakeFile[];
  written: BusMessage[];
  /** On disk in the dead letters and acked: never held again. */
  deadLettered: Set<BusMessage>;
}

interface PartitionBuffer {
  project: string;
  table: Table;
  hour: string;
  rows: number;
  messages: BusMessage[];
}

/**
 * Pulls batches from the bus, groups rows by (project, table, hour) and, every flush interval, writes one
 * Parquet file per partition: staged NDJSON → DuckDB → temp file → rename → manifest entry → ack.
 * Exactly once: a message is acked only after its rows are in a committed file, or it is on disk in the
 * dead letters, and a redelivered message whose sequence the manifest already holds is acked without
 * being written again.
 */
export class Writer {
  private subscription: Subscription | null = null;
  private buffers = new Map<string, PartitionBuffer>();
  private bufferedRows = 0;
  private bufferedMessages = 0;
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private loop: Promise<void> | null = null;
  private lastFlushAt = Date.now();
  private stopped = false;
  private flushes = 0;
  private lastCommitAt = Date.now();
  /** Why the last flush failed, until one succeeds. */
  private flushError: string | null = null;
  private failedFlushes = 0;
  /** Sequences buffered or being written, not yet acked. */
  private readonly inHand = new Set<number>();
  private readonly deadLetters: DeadLetters;
  rowsWritten = 0;

  constructor(
    private readonly bus: Bus,
    private readonly manifest: Manifest,
    private readonly parquet: ParquetWriter,
    private readonly opts: WriterOptions,
    private readonly logger: Logger,
  ) {
    this.deadLetters = new DeadLetters(opts.deadLetterDir);
  }

  async start(): Promise<void> {
    mkdirSync(this.opts.stagingDir, { recursive: true });
    this.subscription = await this.bus.subscribe(this.opts.durable, { maxPending: this.opts.maxPendingMessages });
    const subscription = this.subscription;
    this.loop = (async () => {
      for await (const message of subscription) this.accept(message);
    })().catch((err) => {
      if (!this.stopped) this.logger.error({ err }, 'writer: bus subscription ended');
    });
    this.timer = setInterval(() => this.scheduleFlush(), Math.max(50, Math.floor(this.opts.flushIntervalMs / 4)));
  }

  private accept(message: BusMessage): void {
    if (this.manifest.isCommitted(this.bus.busId, message.seq)) {
      void message.ack();
      return;
    }
    // A redelivery of a message already in hand (its ack wait ran out mid-write): the copy held is written and acked once.
    if (this.inHand.has(message.seq)) return;
    this.hold(message);
    // Un-acked messages hold the bus's delivery window open: flush early rather than stall it.
    if (this.bufferedRows >= this.opts.maxBufferedRows || this.bufferedMessages >= this.opts.maxPendingMessages * 0.8) {
      this.scheduleFlush(true);
    }
  }

  private hold(message: BusMessage): void {
    this.inHand.add(message.seq);
    const key = `${message.project}\u0000${message.table}\u0000${message.hour}`;
    let buffer = this.buffers.get(key);
    if (!buffer) {
      buffer = { project: message.project, table: message.table, hour: message.hour, rows: 0, messages: [] };
      this.buffers.set(key, buffer);
    }
    buffer.messages.push(message);
    buffer.rows += message.rows;
    this.bufferedRows += message.rows;
    this.bufferedMessages++;
  }

  private scheduleFlush(force = false): void {
    if (this.buffers.size === 0) return;
    // After a failure, retries back off (doubling, at most 10 s) instead of spinning on a full disk.
    const interval = this.failedFlushes > 0 ? Math.min(10_000, this.opts.flushIntervalMs * 2 ** this.failedFlushes) : this.opts.flushIntervalMs;
    if ((!force || this.failedFlushes > 0) && Date.now() - this.lastFlushAt < interval) return;
    this.lastFlushAt = Date.now();
    this.flushing = this.flushing.then(() => this.flush()).catch((err) => this.logger.error({ err }, 'writer: flush failed; messages stay un-acked and will be retried'));
  }

  /** Writes everything buffered; serialised by `flushing`. */
  private async flush(): Promise<void> {
    const buffers = [...this.buffers.values()];
    if (buffers.length === 0) return;
    this.buffers = new Map();
    this.bufferedRows = 0;
    this.bufferedMessages = 0;
    const out: FlushOutcome = { files: [], written: [], deadLettered: new Set() };
    try {
      for (const buffer of buffers) await this.writePartition(buffer, buffer.messages, out);
      if (out.written.length > 0) this.manifest.commit(this.bus.busId, out.files, rangesOf(out.written.map((m) => m.seq)));
      this.flushError = null;
      this.failedFlushes = 0;
    } catch (err) {
      for (const f of out.files) rmSync(this.manifest.absolute(f.path), { force: true });
      // Held, not acked: the next flush tries again (a full disk resumes by itself once space is freed).
      for (const buffer of buffers) for (const m of buffer.messages) if (!out.deadLettered.has(m)) this.hold(m);
      this.flushError = (err as Error).message;
      this.failedFlushes++;
      throw err;
    }
    const { files, written } = out;
    if (written.length === 0) return;
    this.lastCommitAt = Date.now();
    this.rowsWritten += files.reduce((n, f) => n + f.rows, 0);
    await Promise.all(written.map((m) => m.ack()));
    for (const m of written) this.inHand.delete(m.seq);
    this.opts.onCommitted?.(files);
    if (++this.flushes % 50 === 0) this.manifest.forgetUpTo(this.bus.busId, await this.subscription!.ackFloor());
  }

  /**
   * Writes `messages` of a partition as one file. When DuckDB refuses them, it writes them again by halves,
   * so that one bad message costs its neighbours nothing: they are committed, and it alone goes to the dead
   * letters. Refusing them whole instead re-buffered the lot, and the writer retried it for ever.
   */
  private async writePartition(partition: PartitionBuffer, messages: BusMessage[], out: FlushOutcome): Promise<void> {
    try {
      out.files.push(await this.writeFile(partition, messages));
      out.written.push(...messages);
    } catch (err) {
      if (!messagesAtFault(err)) throw err;
      if (messages.length > 1) {
        const half = Math.ceil(messages.length / 2);
        await this.writePartition(partition, messages.slice(0, half), out);
        await this.writePartition(partition, messages.slice(half), out);
        return;
      }
      await this.deadLetter(messages[0], err);
      out.deadLettered.add(messages[0]);
    }
  }

  private async writeFile(partition: PartitionBuffer, messages: BusMessage[]): Promise<LakeFile> {
    const name = `part-${uuidv7()}`;
    const staging = join(this.opts.stagingDir, `${name}.ndjson`);
    // One writev off the event loop: a synchronous write of the concatenated messages held up ingest.
    const file = await open(staging, 'w');
    try {
      await file.writev(messages.map((m) => m.data));
    } finally {
      await file.close();
    }
    const dir = partitionDir(this.opts.lakeDir, partition.project, partition.table, partition.hour);
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `.${name}.parquet.tmp`);
    const final = join(dir, `${name}.parquet`);
    try {
      const rows = await this.parquet.fromNdjson(partition.table, [staging], tmp);
      renameSync(tmp, final);
      return { path: relative(this.opts.lakeDir, final), project: partition.project, table: partition.table, hour: partition.hour, rows, bytes: statSync(final).size };
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    } finally {
      rmSync(staging, { force: true });
    }
  }

  /** A message DuckDB cannot read is kept aside whole, never silently dropped; acked once it is on disk. */
  private async deadLetter(message: BusMessage, err: unknown): Promise<void> {
    const id = await this.deadLetters.put(message, [reasonOf(err)]);
    await message.ack();
    this.inHand.delete(message.seq);
    this.logger.error({ err, seq: message.seq, table: message.table, project: message.project, id }, 'writer: message moved to dead letters');
  }

  async status(): Promise<WriterStatus> {
    const s = this.subscription;
    const [undelivered, ackPending] = s ? await Promise.all([s.undelivered(), s.ackPending()]) : [0, 0];
    return { undelivered, ackPending, bufferedMessages: this.bufferedMessages, bufferedRows: this.bufferedRows, lastCommitAt: this.lastCommitAt, flushError: this.flushError };
  }

  /**
   * Drains: takes what is still on the bus (up to `drainMs`; what remains then is written at the next
   * start, never lost), stops pulling, writes and acks everything buffered.
   */
  async stop(drainMs = 30_000): Promise<void> {
    if (this.stopped) return;
    const deadline = Date.now() + drainMs;
    while (this.subscription && Date.now() < deadline && (await this.subscription.undelivered()) > 0) {
      await new Promise((r) => setTimeout(r, 50));
    }
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.subscription?.stop();
    await this.loop;
    this.scheduleFlush(true);
    await this.flushing;
  }
}
