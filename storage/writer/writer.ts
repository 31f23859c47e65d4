import { mkdirSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { Logger } from 'pino';
import type { Bus, BusMessage, Subscription } from '../bus/bus.js';
import { DeadLetters } from '../dead-letters/dead-letters.js';
import { rollForward, tempPathOf, type CommitOutcome, type LakeFile, type LakeManifest, type Part, type Partition } from '../lake/manifest.js';
import { isColumnar } from '../lake/encode.js';
import { partitionDir } from '../lake/layout.js';
import type { ParquetWriter } from '../lake/parquet.js';
import { HeldMessages, type PendingRows } from './pending.js';

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

/** Writes the messages' data, one after the other, to a staging file (none when there are no messages). */
async function stage(path: string | undefined, messages: BusMessage[]): Promise<void> {
  if (path === undefined) return;
  const file = await open(path, 'w');
  try {
    await file.writev(messages.map((m) => m.data));
  } finally {
    await file.close();
  }
}

/** What one flush has written so far: undone (temp files removed, messages held again) if it fails. */
interface FlushOutcome {
  staged: Staged[];
  /** On disk in the dead letters and acked: never held again. */
  deadLettered: Set<BusMessage>;
}

interface PartitionBuffer extends Partition {
  rows: number;
  messages: BusMessage[];
}

/** Some of a partition's messages written as a file under its temp name, not committed yet. */
interface Staged {
  messages: BusMessage[];
  tmp: string;
  part: Part;
}

/** Every this many flushes the commit also forgets sequences the bus has acked (they never come again). */
const FORGET_EVERY = 10;

/**
 * Pulls batches from the bus, groups rows by (project, table, hour) and, every flush interval, writes one
 * Parquet file per partition: staged payloads → DuckDB → temp file → rename → manifest entry → ack.
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
  private readonly held: HeldMessages;
  private readonly deadLetters: DeadLetters;
  rowsWritten = 0;

  constructor(
    private readonly bus: Bus,
    private readonly manifest: LakeManifest,
    private readonly parquet: ParquetWriter,
    private readonly opts: WriterOptions,
    private readonly logger: Logger,
  ) {
    this.deadLetters = new DeadLetters(opts.deadLetterDir);
    this.held = new HeldMessages((m) => manifest.isCommitted(bus.busId, m.seq, m));
  }

  /** What queries in this process read beside the lake's files: rows held and not yet in a committed file. */
  get pending(): PendingRows {
    return this.held;
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
    if (this.manifest.isCommitted(this.bus.busId, message.seq, message)) {
      // Its writer may have died between the commit and the rename: put the partition's files in place.
      for (const f of this.manifest.list(message.project, message.table, message.hour, message.hour)) rollForward(this.manifest.absolute(f.path));
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
    this.held.add(message);
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

  /**
   * Writes everything buffered; serialised by `flushing`. Each partition's file is written under a hidden
   * temp name, committed, and only then renamed into place and its messages acked: a glob of the lake never
   * sees a file that is not committed, and a part another writer committed first is dropped, not duplicated.
   */
  private async flush(): Promise<void> {
    const buffers = [...this.buffers.values()];
    if (buffers.length === 0) return;
    this.buffers = new Map();
    this.bufferedRows = 0;
    this.bufferedMessages = 0;
    const out: FlushOutcome = { staged: [], deadLettered: new Set() };
    let outcome: CommitOutcome;
    try {
      for (const buffer of buffers) await this.writePartition(buffer, buffer.messages, out);
      const { staged } = out;
      const floor = staged.length > 0 && ++this.flushes % FORGET_EVERY === 0 ? await this.subscription!.ackFloor() : undefined;
      outcome = staged.length > 0 ? await this.manifest.commit(this.bus.busId, staged.map((s) => s.part), floor) : { committed: [], refused: [] };
      this.flushError = null;
      this.failedFlushes = 0;
    } catch (err) {
      for (const s of out.staged) rmSync(s.tmp, { force: true });
      // Held, not acked: the next flush tries again (a full disk resumes by itself once space is freed).
      for (const buffer of buffers) for (const m of buffer.messages) if (!out.deadLettered.has(m)) this.hold(m);
      this.flushError = (err as Error).message;
      this.failedFlushes++;
      throw err;
    }
    const byPart = new Map(out.staged.map((s) => [s.part, s]));
    const acked: BusMessage[] = [];
    for (const part of outcome.committed) {
      const s = byPart.get(part)!;
      // Another node's tidying may have put a committed file in place first: either way it is there.
      rollForward(this.manifest.absolute(part.file.path));
      acked.push(...s.messages);
    }
    for (const { part, taken } of outcome.refused) {
      const s = byPart.get(part)!;
      rmSync(s.tmp, { force: true });
      // Another writer holds a redelivered copy and committed it first: those are done, the rest go again.
      const done = new Set(taken);
      for (const message of s.messages) {
        if (done.has(message.seq)) acked.push(message);
        else this.hold(message);
      }
    }
    if (acked.length === 0) return;
    const files = outcome.committed.map((p) => p.file);
    this.lastCommitAt = Date.now();
    this.rowsWritten += files.reduce((n, f) => n + f.rows, 0);
    await Promise.all(acked.map((m) => m.ack()));
    for (const m of acked) this.inHand.delete(m.seq);
    this.held.acked(acked);
    if (files.length > 0) this.opts.onCommitted?.(files);
  }

  /**
   * Writes `messages` of a partition as one file. When DuckDB refuses them, it writes them again by halves,
   * so that one bad message costs its neighbours nothing: they are committed, and it alone goes to the dead
   * letters. Refusing them whole instead re-buffered the lot, and the writer retried it for ever.
   */
  private async writePartition(partition: PartitionBuffer, messages: BusMessage[], out: FlushOutcome): Promise<void> {
    try {
      out.staged.push(await this.writeFile(partition, messages));
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

  /** The messages' rows as a Parquet file under its temp name, not committed yet. */
  private async writeFile(partition: PartitionBuffer, messages: BusMessage[]): Promise<Staged> {
    const name = `part-${uuidv7()}`;
    // Columnar payloads and the older NDJSON rows (still on a bus after an upgrade) are staged apart: DuckDB reads each its way.
    const columnar = messages.filter((m) => isColumnar(m.data));
    const rows = columnar.length === messages.length ? [] : messages.filter((m) => !isColumnar(m.data));
    const staging = { rows: rows.length > 0 ? [join(this.opts.stagingDir, `${name}.ndjson`)] : [], columns: columnar.length > 0 ? [join(this.opts.stagingDir, `${name}.columns.ndjson`)] : [] };
    const dir = partitionDir(this.opts.lakeDir, partition.project, partition.table, partition.hour);
    const final = join(dir, `${name}.parquet`);
    const tmp = tempPathOf(final);
    try {
      // One writev off the event loop: a synchronous write of the concatenated messages held up ingest.
      await Promise.all([stage(staging.rows[0], rows), stage(staging.columns[0], columnar)]);
      mkdirSync(dir, { recursive: true });
      const written = await this.parquet.fromStaged(partition.table, staging, tmp);
      const lakeFile: LakeFile = { path: relative(this.opts.lakeDir, final), project: partition.project, table: partition.table, hour: partition.hour, rows: written, bytes: statSync(tmp).size };
      return { messages, tmp, part: { file: lakeFile, seqs: messages.map((m) => m.seq) } };
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    } finally {
      for (const path of [...staging.rows, ...staging.columns]) rmSync(path, { force: true });
    }
  }

  /** A message DuckDB cannot read is kept aside whole, never silently dropped; acked once it is on disk. */
  private async deadLetter(message: BusMessage, err: unknown): Promise<void> {
    const id = await this.deadLetters.put(message, [reasonOf(err)]);
    await message.ack();
    this.inHand.delete(message.seq);
    this.held.drop(message);
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
