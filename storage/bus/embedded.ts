import { closeSync, constants, mkdirSync, openSync, readdirSync, readSync, fstatSync, ftruncateSync, unlinkSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { open, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Table } from '../../core/records.js';
import { OwnerLock } from './owner-lock.js';
import type { Bus, BusMessage, OutgoingMessage, Subscription } from './bus.js';

export interface EmbeddedBusOptions {
  dir: string;
  duplicateWindowSeconds: number;
  segmentBytes?: number;
}

interface Header {
  seq: number;
  msgId: string;
  table: Table;
  project: string;
  hour: string;
  rows: number;
  at: number;
}

interface Frame {
  header: Header;
  data: Uint8Array;
}

/** `u32 header length | header JSON | u32 data length | data` */
function encodeFrame(header: Header, data: Uint8Array): Buffer {
  const head = Buffer.from(JSON.stringify(header));
  const out = Buffer.allocUnsafe(8 + head.length + data.length);
  out.writeUInt32LE(head.length, 0);
  head.copy(out, 4);
  out.writeUInt32LE(data.length, 4 + head.length);
  out.set(data, 8 + head.length);
  return out;
}

/** Complete frames in `buf` from `offset`; a torn tail (a crash mid-write) is left for the caller to cut. */
function decodeFrames(buf: Buffer, offset = 0): { frames: Frame[]; end: number } {
  const frames: Frame[] = [];
  let pos = offset;
  while (pos + 4 <= buf.length) {
    const headLen = buf.readUInt32LE(pos);
    if (pos + 8 + headLen > buf.length) break;
    const dataLen = buf.readUInt32LE(pos + 4 + headLen);
    const end = pos + 8 + headLen + dataLen;
    if (end > buf.length) break;
    const header = JSON.parse(buf.toString('utf8', pos + 4, pos + 4 + headLen)) as Header;
    frames.push({ header, data: buf.subarray(pos + 8 + headLen, end) });
    pos = end;
  }
  return { frames, end: pos };
}

/**
 * The active segment is appended to with O_DSYNC, so each write returns once its data is durable (as a
 * write and an fdatasync would): one round trip through libuv's pool and the event loop a group commit
 * instead of two.
 */
const DURABLE_APPEND = constants.O_DSYNC | constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT;

interface Segment {
  firstSeq: number;
  path: string;
}

interface ConsumerState {
  floor: number;
  acked: Set<number>;
}

/**
 * The bus for a machine with Node alone: an append-only log of segment files in the data directory with
 * the JetStream contract that matters here — a publish resolves after fsync (group-committed across
 * concurrent publishers), `msgId` de-duplication within a window, durable consumers whose un-acked
 * messages come back after a restart. One process owns the directory (a lock file says which).
 */
export class EmbeddedBus implements Bus {
  readonly kind = 'embedded';
  busId = '';
  private segments: Segment[] = [];
  private active!: FileHandle;
  private activeSize = 0;
  private nextSeq = 1;
  private recentIds = new Map<string, number>();
  /** Frames waiting for the next write; `header` is absent for a duplicate, answered once what precedes it is durable. */
  private pending: { frame: Buffer; header?: Header; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;
  private waiters = new Set<() => void>();
  private consumers = new Map<string, ConsumerState>();
  private closed = false;
  private readonly segmentBytes: number;
  private readonly lock: OwnerLock;

  constructor(private readonly opts: EmbeddedBusOptions) {
    this.segmentBytes = opts.segmentBytes ?? 64 * 1024 * 1024;
    this.lock = new OwnerLock(
      join(opts.dir, 'owner.lock'),
      (pid, host) => `the embedded bus in ${opts.dir} is in use by process ${pid} on ${host}; use JetStream (NATS_URL) to run several loglake processes`,
    );
  }

  describe(): string {
    return `embedded bus in ${this.opts.dir}`;
  }

  async start(): Promise<void> {
    mkdirSync(this.opts.dir, { recursive: true });
    this.lock.take();
    const idFile = join(this.opts.dir, 'bus-id');
    if (!existsSync(idFile)) writeFileSync(idFile, `embedded:${Date.now()}`);
    this.busId = readFileSync(idFile, 'utf8').trim();
    this.segments = readdirSync(this.opts.dir)
      .filter((f) => /^seg-\d+\.log$/.test(f))
      .map((f) => ({ firstSeq: Number(f.slice(4, -4)), path: join(this.opts.dir, f) }))
      .sort((a, b) => a.firstSeq - b.firstSeq);
    const windowStart = Date.now() - this.opts.duplicateWindowSeconds * 1000;
    for (const [i, seg] of this.segments.entries()) {
      const fd = openSync(seg.path, 'r+');
      const buf = readWhole(fd);
      const { frames, end } = decodeFrames(buf);
      // Only the last segment can have a torn tail; its publisher was never answered, so cutting it loses nothing acknowledged.
      if (end < buf.length && i === this.segments.length - 1) ftruncateSync(fd, end);
      closeSync(fd);
      for (const f of frames) {
        this.nextSeq = Math.max(this.nextSeq, f.header.seq + 1);
        if (f.header.at >= windowStart) this.recentIds.set(f.header.msgId, f.header.at);
      }
    }
    if (this.segments.length === 0) this.segments.push({ firstSeq: this.nextSeq, path: this.segmentPath(this.nextSeq) });
    const last = this.segments[this.segments.length - 1];
    this.active = await open(last.path, DURABLE_APPEND);
    this.activeSize = (await this.active.stat()).size;
  }

  private segmentPath(firstSeq: number): string {
    return join(this.opts.dir, `seg-${String(firstSeq).padStart(16, '0')}.log`);
  }

  async unavailable(): Promise<string | null> {
    return this.closed ? `the embedded bus in ${this.opts.dir} is closed` : null;
  }

  publish(m: OutgoingMessage): Promise<void> {
    if (this.closed) return Promise.reject(new Error('bus closed'));
    const seen = this.recentIds.get(m.msgId);
    if (seen !== undefined && seen >= Date.now() - this.opts.duplicateWindowSeconds * 1000) return this.durable();
    const header: Header = { seq: this.nextSeq++, msgId: m.msgId, table: m.table, project: m.project, hour: m.hour, rows: m.rows, at: Date.now() };
    this.recentIds.set(m.msgId, header.at);
    return new Promise((resolve, reject) => {
      this.pending.push({ frame: encodeFrame(header, m.data), header, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** A duplicate is answered once what is already queued is durable, like JetStream's duplicate ack. */
  private durable(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ frame: Buffer.alloc(0), resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    // Cleared only once the flush has settled: a flush with nothing to write (only duplicates) finishes
    // synchronously, and clearing it inside would be undone by this assignment, stalling every publish after.
    this.flushing = this.flush().finally(() => {
      this.flushing = null;
      if (this.pending.length > 0) this.scheduleFlush();
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        const data = Buffer.concat(batch.map((p) => p.frame));
        if (data.length > 0) {
          // A write may take only part of the data (a disk filling up): only the rest failing is an error.
          // Each is durable when it returns (DURABLE_APPEND).
          for (let offset = 0; offset < data.length; ) offset += (await this.active.write(data, offset)).bytesWritten;
          this.activeSize += data.length;
        }
        batch.forEach((p) => p.resolve());
      } catch (err) {
        // A write cut short (a full disk) must not leave a torn frame that the frames after it would follow,
        // nor ids a retry would be taken as a duplicate of, nor a gap in the sequence that no ack could fill:
        // this write and every one queued behind it fail whole, and their sequences are handed out again.
        await this.active.truncate(this.activeSize).catch(() => undefined);
        const failed = [...batch, ...this.pending];
        this.pending = [];
        const first = failed.find((p) => p.header)?.header;
        if (first) this.nextSeq = first.seq;
        for (const p of failed) {
          if (p.header) this.recentIds.delete(p.header.msgId);
          p.reject(err);
        }
      }
      for (const wake of this.waiters) wake();
      this.waiters.clear();
      if (this.activeSize >= this.segmentBytes) await this.roll();
    }
  }

  private async roll(): Promise<void> {
    await this.active.close();
    this.segments.push({ firstSeq: this.nextSeq, path: this.segmentPath(this.nextSeq) });
    this.active = await open(this.segments[this.segments.length - 1].path, DURABLE_APPEND);
    this.activeSize = 0;
    const cutoff = Date.now() - this.opts.duplicateWindowSeconds * 1000;
    for (const [id, at] of this.recentIds) if (at < cutoff) this.recentIds.delete(id);
    this.dropConsumedSegments();
  }

  private consumerFile(durable: string): string {
    return join(this.opts.dir, `consumer-${durable}.json`);
  }

  private loadConsumer(durable: string): ConsumerState {
    let state = this.consumers.get(durable);
    if (state) return state;
    state = { floor: 0, acked: new Set() };
    if (existsSync(this.consumerFile(durable))) {
      const saved = JSON.parse(readFileSync(this.consumerFile(durable), 'utf8')) as { floor: number; acked: number[] };
      state = { floor: saved.floor, acked: new Set(saved.acked) };
    }
    this.consumers.set(durable, state);
    return state;
  }

  /**
   * Written whole and renamed into place, so a crash leaves the old state or the new; off the event loop
   * (written synchronously, the file and its rename held ingest up to ~40 ms under load).
   */
  private async saveConsumer(durable: string, state: ConsumerState): Promise<void> {
    const file = this.consumerFile(durable);
    await writeFile(`${file}.tmp`, JSON.stringify({ floor: state.floor, acked: [...state.acked] }));
    await rename(`${file}.tmp`, file);
  }

  /** Segments wholly at or below every consumer's ack floor are no longer needed. */
  private dropConsumedSegments(): void {
    if (this.consumers.size === 0) return;
    const floor = Math.min(...[...this.consumers.values()].map((c) => c.floor));
    while (this.segments.length > 1 && this.segments[1].firstSeq <= floor + 1) {
      unlinkSync(this.segments.shift()!.path);
    }
  }

  async subscribe(durable: string, opts: { maxPending: number }): Promise<Subscription> {
    const state = this.loadConsumer(durable);
    let stopped = false;
    let inFlight = 0;
    let capacity: (() => void) | null = null;
    let saveTimer: NodeJS.Timeout | null = null;
    let delivered = state.floor;
    // The subscription's own methods have their own `this`.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const bus = this;
    // Acks keep coming after stop() (the writer's last flush); once stopped, close() saves the state.
    // One save at a time; acks taken during one are saved by the next.
    let saving: Promise<void> | null = null;
    let dirty = false;
    const scheduleSave = (delayMs = 50) => {
      if (stopped) return;
      if (saving) {
        dirty = true;
        return;
      }
      saveTimer ??= setTimeout(() => {
        saveTimer = null;
        saving = bus.saveConsumer(durable, state).then(
          () => {
            saving = null;
            if (dirty) {
              dirty = false;
              scheduleSave();
            }
          },
          () => {
            // A full disk: the acks stay in memory and are saved once there is room. Lost meanwhile (a crash),
            // they only cost redeliveries, which the writer's manifest recognises.
            saving = null;
            scheduleSave(1000);
          },
        );
      }, delayMs);
    };
    const ack = (seq: number) => {
      state.acked.add(seq);
      while (state.acked.has(state.floor + 1)) state.acked.delete(++state.floor);
      inFlight--;
      capacity?.();
      scheduleSave();
    };
    return {
      async *[Symbol.asyncIterator]() {
        const start = state.floor + 1;
        const cursor = { firstSeq: (bus.segments.findLast((s) => s.firstSeq <= start) ?? bus.segments[0]).firstSeq, offset: 0 };
        while (!stopped) {
          const frames = bus.readNext(cursor);
          if (frames.length === 0) {
            await new Promise<void>((resolve) => {
              bus.waiters.add(resolve);
              if (stopped) resolve();
            });
            continue;
          }
          for (const f of frames) {
            if (f.header.seq <= state.floor || state.acked.has(f.header.seq)) continue;
            while (inFlight >= opts.maxPending && !stopped) await new Promise<void>((r) => (capacity = r));
            if (stopped) return;
            inFlight++;
            const seq = f.header.seq;
            delivered = seq;
            let done = false;
            const message: BusMessage = {
              ...f.header,
              data: f.data,
              ack: async () => {
                if (done) return;
                done = true;
                ack(seq);
              },
            };
            yield message;
          }
        }
      },
      async stop() {
        stopped = true;
        capacity?.();
        for (const wake of bus.waiters) wake();
        if (saveTimer) clearTimeout(saveTimer);
        // Its temp file is the one written here: the save under way finishes first.
        await saving;
        await bus.saveConsumer(durable, state);
      },
      async ackFloor() {
        return state.floor;
      },
      async undelivered() {
        return Math.max(0, bus.nextSeq - 1 - delivered);
      },
      async ackPending() {
        return inFlight;
      },
    };
  }

  /**
   * Reads the complete frames after `cursor` (advancing it), moving to the next segment once one is
   * exhausted and a newer one exists. Only new bytes are read, so a live consumer reads each frame once.
   */
  private readNext(cursor: { firstSeq: number; offset: number }): Frame[] {
    for (;;) {
      const i = this.segments.findIndex((s) => s.firstSeq === cursor.firstSeq);
      const seg = i >= 0 ? this.segments[i] : this.segments.find((s) => s.firstSeq > cursor.firstSeq);
      if (!seg) return [];
      if (seg.firstSeq !== cursor.firstSeq) Object.assign(cursor, { firstSeq: seg.firstSeq, offset: 0 });
      const fd = openSync(seg.path, 'r');
      let buf: Buffer;
      try {
        const size = fstatSync(fd).size;
        const length = Math.min(size - cursor.offset, 8 * 1024 * 1024);
        buf = Buffer.allocUnsafe(Math.max(length, 0));
        let read = 0;
        while (read < length) read += readSync(fd, buf, read, length - read, cursor.offset + read);
      } finally {
        closeSync(fd);
      }
      const { frames, end } = decodeFrames(buf);
      if (frames.length === 0 && end === 0 && buf.length < 8 * 1024 * 1024) {
        const next = this.segments.find((s) => s.firstSeq > cursor.firstSeq);
        // A later segment exists only once this one is complete; an incomplete frame here means a write is under way.
        if (!next || buf.length > 0) return [];
        Object.assign(cursor, { firstSeq: next.firstSeq, offset: 0 });
        continue;
      }
      if (frames.length === 0) {
        // One frame larger than the read window.
        const whole = this.readFrameAt(seg.path, cursor.offset);
        cursor.offset += whole.size;
        return [whole.frame];
      }
      cursor.offset += end;
      return frames;
    }
  }

  private readFrameAt(path: string, offset: number): { frame: Frame; size: number } {
    const fd = openSync(path, 'r');
    try {
      const lens = Buffer.alloc(4);
      readSync(fd, lens, 0, 4, offset);
      const headLen = lens.readUInt32LE(0);
      readSync(fd, lens, 0, 4, offset + 4 + headLen);
      const size = 8 + headLen + lens.readUInt32LE(0);
      const buf = Buffer.allocUnsafe(size);
      readSync(fd, buf, 0, size, offset);
      return { frame: decodeFrames(buf).frames[0], size };
    } finally {
      closeSync(fd);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushing;
    for (const [durable, state] of this.consumers) await this.saveConsumer(durable, state);
    await this.active?.close();
    this.lock.release();
  }
}

function readWhole(fd: number): Buffer {
  const size = fstatSync(fd).size;
  const buf = Buffer.allocUnsafe(size);
  let read = 0;
  while (read < size) read += readSync(fd, buf, read, size - read, read);
  return buf;
}
