import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import {
  DeliverPolicy, DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType,
  type ConsumerMessages, type JetStreamClient, type JetStreamManager,
} from '@nats-io/jetstream';
import type { Config } from '../../config/schema.js';
import { askAgainWhileTransient } from '../bus/jetstream.js';
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


/** A key token from any id: itself when NATS allows it, else `=` and its base64url (ids never hold `=`). */
export const keyToken = (id: string) => (/^[A-Za-z0-9_-]{1,128}$/.test(id) ? id : `=${Buffer.from(id).toString('base64url')}`);

const WRONG_LAST_SEQUENCE = 10071;
/** How long each pull of the watcher waits (its heartbeats come at half that). */
const WATCH_PULL_MS = 2000;
/** How often opening a bucket asks again while JetStream does not answer (about a minute in all). */
const START_ATTEMPTS = 15;
/** How often a process checks that its watcher keeps up with the bucket. */
const CHECK_MS = 5000;
/** How long a watcher may take to bring in a revision before it is re-created. */
const CATCH_UP_MS = 2000;
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
  /** The watcher's messages; null while there is none (it stopped: the next check re-creates it). */
  private watching: ConsumerMessages | null = null;
  private checker: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
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
      // A cluster electing a leader (or just formed) may not answer JetStream's API yet: asked again.
      await askAgainWhileTransient(() => bucket.start(), (attempt, err) => {
        if (attempt >= START_ATTEMPTS) return true;
        opts.onWaiting?.(`waiting for JetStream at ${opts.url}: ${(err as Error).message} (attempt ${attempt})`);
        return false;
      });
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
    await this.follow();
    await this.reach(last);
    // A watcher whose server died may be left behind without noticing: checked every few seconds.
    this.checker = setInterval(() => {
      this.checking ??= this.sync().catch(() => undefined).finally(() => (this.checking = null));
    }, CHECK_MS);
    this.checker.unref();
  }

  /**
   * (Re-)creates the watcher: an ordered consumer delivering each key's latest message, then every new one,
   * in stream order. Re-created, it delivers every key again; what is known already is kept.
   */
  private async follow(): Promise<void> {
    this.watching?.stop();
    this.watching = null;
    const consumer = await this.js.consumers.get(this.stream, { filter_subjects: `${this.prefix}>`, deliver_policy: DeliverPolicy.LastPerSubject });
    // Short pulls: heartbeats every second, so the client notices a dead server within seconds.
    const messages = await consumer.consume({ expires: WATCH_PULL_MS });
    this.watching = messages;
    const gone = () => {
      if (this.watching === messages) this.watching = null;
    };
    this.watch(messages).then(gone, gone);
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

  private waitFor(seq: number): Promise<void> {
    if (seq <= this.applied) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  /** Whether the watcher applies the stream up to `seq` within `ms`. */
  private async within(seq: number, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    try {
      return await Promise.race([this.waitFor(seq).then(() => true), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once the watcher has applied the stream up to `seq`, re-creating it if it does not get there in time. */
  async reach(seq: number): Promise<void> {
    if (this.watching && (await this.within(seq, CATCH_UP_MS))) return;
    await this.follow();
    if (!(await this.within(seq, CATCH_UP_MS))) throw new Error(`${this.opts.bucket}: the watcher did not reach revision ${seq} within ${CATCH_UP_MS} ms`);
  }

  /** Resolves once everything written to the bucket so far is in memory here. */
  async sync(): Promise<void> {
    await this.reach((await this.jsm.streams.info(this.stream)).state.last_seq);
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
    if (this.checker) clearInterval(this.checker);
    await this.checking;
    this.watching?.stop();
    this.watching = null;
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}
