import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import {
  DeliverPolicy, DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType,
  type ConsumerMessages, type JetStreamClient, type JetStreamManager,
} from '@nats-io/jetstream';
import type { Config } from '../../config/schema.js';
import { busKindOf } from '../bus/select.js';

/** A key's latest revision (its stream sequence); `value` null: deleted (kept so an older message cannot revive it). */
export interface KvEntry {
  rev: number;
  value: string | null;
}

export interface KvBucketOptions {
  /** One NATS server, or several of a cluster separated by commas. */
  url: string;
  bucket: string;
  /** Copies a cluster keeps (`storage.bus.replicas`). */
  replicas: number;
  /** Told when the watcher brings in a change of `key` this process did not make. */
  onChange?: (key: string) => void;
  /** Told each time a first connection attempt fails (the bucket waits for NATS, retrying with backoff). */
  onWaiting?: (reason: string) => void;
}

/** Where a process with the JetStream bus keeps shared state: the bus's servers, and a bucket per purpose. */
export interface KvPlace {
  url: string;
  replicas: number;
  /** The bucket names derive from the bus's stream, so clusters (and tests) that use their own stream share nothing. */
  stream: string;
}

/** The JetStream bus's servers and replicas, or null with the embedded bus (state then stays in files). */
export function kvPlaceOf(config: Config): KvPlace | null {
  const bus = config.storage.bus;
  if (busKindOf(config) !== 'jetstream') return null;
  return { url: bus.nats_url ?? '127.0.0.1:4222', replicas: bus.replicas, stream: bus.stream };
}

/** `loglake-meta`, `loglake-catalog` for the default stream `LOGLAKE`. */
export const bucketName = (stream: string, purpose: 'meta' | 'catalog') => `${stream.toLowerCase()}-${purpose}`;

/** A key token from any id: itself when NATS allows it, else `=` and its base64url (ids never hold `=`). */
export const keyToken = (id: string) => (/^[A-Za-z0-9_-]{1,128}$/.test(id) ? id : `=${Buffer.from(id).toString('base64url')}`);

const WRONG_LAST_SEQUENCE = 10071;
/** Room kept under `max_payload` for the subject and headers. */
const ENVELOPE_BYTES = 1024;

/** Backoff between first connection attempts, as the bus's: 0.5 s, doubling, at most 10 s. */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;

const serversOf = (url: string) => url.split(',').map((s) => s.trim()).filter(Boolean);

async function connectWaiting(opts: KvBucketOptions): Promise<NatsConnection> {
  for (let attempt = 1; ; attempt++) {
    try {
      // Once connected, the client reconnects by itself after any later outage.
      return await connect({ servers: serversOf(opts.url), name: `loglake-${opts.bucket}`, maxReconnectAttempts: -1 });
    } catch (err) {
      const retryInMs = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (attempt - 1));
      opts.onWaiting?.(`waiting for NATS at ${opts.url}: ${(err as Error).message} (attempt ${attempt}, next in ${retryInMs / 1000} s)`);
      await new Promise((resolve) => setTimeout(resolve, retryInMs));
    }
  }
}

/**
 * A JetStream key-value bucket laid out as NATS lays one out (stream `KV_<bucket>`, subjects
 * `$KV.<bucket>.<key>`, the latest message of each key kept), so `nats kv` reads it, with what loglake
 * needs on top: a watcher keeping every key's latest value in memory (reads are synchronous and see other
 * nodes' writes within milliseconds), and writes that compare-and-set on a key's revision.
 */
export class KvBucket {
  private readonly entries = new Map<string, KvEntry>();
  /** The last stream sequence the watcher applied: every write before it is in `entries`. */
  private applied = 0;
  private waiters: { seq: number; resolve: () => void }[] = [];
  private messages: ConsumerMessages | null = null;
  /** Why the watcher stopped, if it did: writes then fail rather than work on a copy that no longer follows. */
  private broken: Error | null = null;
  private readonly prefix: string;
  private readonly stream: string;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly opts: KvBucketOptions,
  ) {
    this.prefix = `$KV.${opts.bucket}.`;
    this.stream = `KV_${opts.bucket}`;
  }

  /** Connects (waiting for NATS if it is not there yet), makes the bucket if missing, and loads every key. */
  static async open(opts: KvBucketOptions): Promise<KvBucket> {
    const nc = await connectWaiting(opts);
    try {
      const bucket = new KvBucket(nc, jetstream(nc), await jetstreamManager(nc), opts);
      await bucket.start();
      return bucket;
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  /** Deletes a bucket and all it holds (tests clean up with it). */
  static async destroy(url: string, bucket: string): Promise<void> {
    const nc = await connect({ servers: serversOf(url) });
    try {
      await (await jetstreamManager(nc)).streams.delete(`KV_${bucket}`);
    } catch {
      // Already gone.
    } finally {
      await nc.close();
    }
  }

  private async start(): Promise<void> {
    let last: number;
    try {
      last = (await this.jsm.streams.info(this.stream)).state.last_seq;
    } catch (err) {
      if (!/not found/i.test(String((err as Error).message))) throw err;
      const info = await this.jsm.streams.add({
        name: this.stream,
        subjects: [`${this.prefix}>`],
        max_msgs_per_subject: 1,
        discard: DiscardPolicy.New,
        allow_rollup_hdrs: true,
        deny_delete: true,
        allow_direct: true,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        num_replicas: this.opts.replicas,
      });
      last = info.state.last_seq;
    }
    // An ordered consumer: each key's latest message, then every new one, in stream order; the client
    // re-creates it after a reconnect from where it was.
    const consumer = await this.js.consumers.get(this.stream, { filter_subjects: `${this.prefix}>`, deliver_policy: DeliverPolicy.LastPerSubject });
    this.messages = await consumer.consume();
    this.watch(this.messages).catch((err: Error) => {
      this.broken = new Error(`${this.opts.bucket}: the watcher stopped: ${err.message}`, { cause: err });
      for (const w of this.waiters) w.resolve();
      this.waiters = [];
    });
    await this.waitFor(last);
  }

  private async watch(messages: ConsumerMessages): Promise<void> {
    for await (const m of messages) {
      const op = m.headers?.get('KV-Operation');
      const key = m.subject.slice(this.prefix.length);
      const changed = this.record(key, { rev: m.seq, value: op === 'DEL' || op === 'PURGE' ? null : m.string() });
      this.applied = Math.max(this.applied, m.seq);
      this.waiters = this.waiters.filter((w) => (w.seq <= this.applied ? (w.resolve(), false) : true));
      if (changed) this.opts.onChange?.(key);
    }
  }

  /** Keeps the newer of what is known and `entry`; true when it is new here. */
  private record(key: string, entry: KvEntry): boolean {
    const known = this.entries.get(key);
    if (known && known.rev >= entry.rev) return false;
    this.entries.set(key, entry);
    return true;
  }

  /** Resolves once the watcher has applied the stream up to `seq`. */
  waitFor(seq: number): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    if (seq <= this.applied) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  /** Resolves once everything written to the bucket so far is in memory here. */
  async sync(): Promise<void> {
    await this.waitFor((await this.jsm.streams.info(this.stream)).state.last_seq);
  }

  get(key: string): KvEntry | undefined {
    return this.entries.get(key);
  }

  /** The live keys and their values. */
  *values(): IterableIterator<[string, string]> {
    for (const [key, entry] of this.entries) if (entry.value !== null) yield [key, entry.value];
  }

  /** Throws when `value` would not fit one NATS message: nothing is written then. */
  checkSize(key: string, value: string): void {
    const limit = (this.nc.info?.max_payload ?? 1024 * 1024) - ENVELOPE_BYTES;
    const size = Buffer.byteLength(value);
    if (size > limit) throw new Error(`${this.opts.bucket}: key ${key} would be ${size} bytes, over what one NATS message holds (${limit})`);
  }

  /**
   * Writes `value` (null: deletes) if the key is still at `rev` (0: does not exist yet): its new revision,
   * or null when another write came first.
   */
  async write(key: string, value: string | null, rev: number): Promise<number | null> {
    if (this.broken) throw this.broken;
    const expect = { lastSubjectSequence: rev };
    const subject = this.prefix + key;
    try {
      let seq: number;
      if (value === null) {
        const h = headers();
        h.set('KV-Operation', 'DEL');
        seq = (await this.js.publish(subject, undefined, { expect, headers: h })).seq;
      } else {
        seq = (await this.js.publish(subject, value, { expect })).seq;
      }
      this.record(key, { rev: seq, value });
      return seq;
    } catch (err) {
      const e = err as { code?: unknown; message?: string };
      if (e.code === WRONG_LAST_SEQUENCE || /wrong last sequence/i.test(String(e.message))) return null;
      throw err;
    }
  }

  async close(): Promise<void> {
    this.messages?.stop();
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}
