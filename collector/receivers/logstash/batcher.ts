import type { Batch, LogRecord } from '../../../core/records.js';

export interface Line {
  record: LogRecord;
  remoteAddress?: string;
}

export interface BatcherOptions {
  size: number;
  waitMs: number;
  /** The receiver id, as batch context. */
  receiver: string;
  /** Resolves once the batch is durable on the bus. */
  consume(batch: Batch<'logs'>): Promise<void>;
  delivered(records: number): void;
  refused(err: unknown, attempt: number, records: number, retryInMs: number): void;
  lost(err: unknown, records: number): void;
}

const backoff = (attempt: number) => Math.min(100 * 2 ** (attempt - 1), 5000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Collects records into batches of `size` (or whatever arrived within `waitMs`) and delivers one batch at a
 * time, retrying a refused one with backoff. While one batch is on its way the next one fills; once that one
 * is full too, or while the bus refuses, `saturated` tells readers to stop reading until `whenReady()`. So
 * memory holds about two batches (plus what readers had already read), however fast senders are.
 */
export class Batcher {
  private buffer: Line[] = [];
  private inFlight = 0;
  private delivering = false;
  private retrying = false;
  private due = false;
  private draining = false;
  private giveUpAt = Infinity;
  private timer: NodeJS.Timeout | undefined;
  private idle: Promise<void> = Promise.resolve();
  private waiters: (() => void)[] = [];

  constructor(private readonly opts: BatcherOptions) {}

  /** Records held in memory: filling plus on their way. */
  get buffered(): number {
    return this.buffer.length + this.inFlight;
  }

  get saturated(): boolean {
    return this.delivering && (this.retrying || this.buffer.length >= this.opts.size);
  }

  add(line: Line): void {
    this.buffer.push(line);
    if (this.buffer.length >= this.opts.size) this.kick();
    else this.arm();
  }

  /** Resolves when reading may go on. */
  whenReady(): Promise<void> {
    if (!this.saturated) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Delivers everything held; a batch the bus keeps refusing is given up after `timeoutMs`. */
  async flush(timeoutMs: number): Promise<void> {
    this.draining = true;
    this.giveUpAt = Date.now() + timeoutMs;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.kick();
    await this.idle;
  }

  private arm(): void {
    if (this.timer || this.draining) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.due = true;
      this.kick();
    }, this.opts.waitMs);
  }

  private kick(): void {
    if (this.delivering) return;
    this.delivering = true;
    this.idle = this.loop();
  }

  private async loop(): Promise<void> {
    const size = this.opts.size;
    while (this.buffer.length >= size || (this.buffer.length > 0 && (this.due || this.draining))) {
      this.due = false;
      const lines = this.buffer.splice(0, size);
      this.inFlight = lines.length;
      this.wake();
      await this.deliver(lines);
      this.inFlight = 0;
    }
    this.delivering = false;
    this.due = false;
    if (this.buffer.length > 0) this.arm();
    this.wake();
  }

  private async deliver(lines: Line[]): Promise<void> {
    for (const batch of this.group(lines)) {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.opts.consume(batch);
          this.opts.delivered(batch.records.length);
          break;
        } catch (err) {
          const delay = Math.min(backoff(attempt), this.giveUpAt - Date.now());
          if (delay <= 0) {
            this.opts.lost(err, batch.records.length);
            break;
          }
          this.retrying = true;
          this.opts.refused(err, attempt, batch.records.length, delay);
          await sleep(delay);
        }
      }
      if (this.retrying) {
        this.retrying = false;
        this.wake();
      }
    }
  }

  /** A batch holds one project's records; records from different clients stay apart so `$ip` is theirs. */
  private group(lines: Line[]): Batch<'logs'>[] {
    const batches = new Map<string, Batch<'logs'>>();
    let batch: Batch<'logs'> | undefined;
    let client = '';
    for (const { record, remoteAddress } of lines) {
      // Lines come in runs from one client and project: the map is only looked in when the run changes.
      if (batch?.projectId === record.project_id && client === (remoteAddress ?? '')) {
        batch.records.push(record);
        continue;
      }
      client = remoteAddress ?? '';
      const id = `${record.project_id}\n${client}`;
      batch = batches.get(id);
      if (!batch) {
        batch = { table: 'logs', projectId: record.project_id, records: [], context: { receiver: this.opts.receiver, remoteAddress } };
        batches.set(id, batch);
      }
      batch.records.push(record);
    }
    return [...batches.values()];
  }

  private wake(): void {
    if (this.saturated || this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
