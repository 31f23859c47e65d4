import { connect, headers, nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy, DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType,
  type ConsumerMessages, type JetStreamClient, type JsMsg, type JetStreamManager, type StreamConfig,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { bucketName, type BucketPurpose } from '../kv/names.js';
import type { Table } from '../../core/records.js';
import type { Bus, BusMessage, OutgoingMessage, Subscription } from './bus.js';

export interface JetStreamBusOptions {
  /** One server, or several of a cluster separated by commas (`n1:4222,n2:4222,n3:4222`). */
  url: string;
  stream: string;
  subjectPrefix: string;
  duplicateWindowSeconds: number;
  maxAgeHours: number;
  ackWaitSeconds: number;
  /** Copies of the stream a cluster keeps (1 on one server; 3 on a 3-node cluster). */
  replicas: number;
  /** Told each time a connection attempt fails before the first success. */
  onWaiting?: (reason: string) => void;
}

const H_TABLE = 'Loglake-Table';
const H_PROJECT = 'Loglake-Project';
const H_HOUR = 'Loglake-Hour';
const H_ROWS = 'Loglake-Rows';
/** How long a readiness probe waits for the server's answer. */
const PROBE_MS = 1000;
/** Backoff between connection attempts while NATS is not there yet: 0.5 s, doubling, at most 10 s. */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;

/** NATS JetStream: one file-backed stream `loglake.<table>.<project>`, de-duplicated on `Nats-Msg-Id`. */
export class JetStreamBus implements Bus {
  readonly kind = 'jetstream';
  busId = '';
  private nc: NatsConnection | null = null;
  private js!: JetStreamClient;
  private jsm!: JetStreamManager;
  /** Resolves once connected with the stream in place; until then publishes wait (within their budget). */
  private connected!: Promise<void>;
  /** Why the bus is not connected yet, for readiness; null once it is. */
  private waiting: string | null = null;
  private closing = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: JetStreamBusOptions) {}

  describe(): string {
    return `NATS JetStream at ${this.opts.url}, stream ${this.opts.stream}`;
  }

  /**
   * Returns at once: loglake runs (and says it is not ready) while NATS is away, connecting with backoff
   * until it appears. Once connected, the client reconnects by itself after any later outage.
   */
  async start(): Promise<void> {
    this.waiting = `waiting for NATS at ${this.opts.url}: connecting`;
    this.connected = this.connectWithBackoff();
    // Nobody may await it (a collector that receives nothing): its failure is reported through `waiting`.
    this.connected.catch(() => undefined);
  }

  private async connectWithBackoff(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.connectOnce();
        this.waiting = null;
        return;
      } catch (err) {
        await this.nc?.close().catch(() => undefined);
        this.nc = null;
        if (this.closing) throw new Error('bus closed', { cause: err });
        const retryInMs = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (attempt - 1));
        this.waiting = `waiting for NATS at ${this.opts.url}: ${(err as Error).message} (attempt ${attempt}, next in ${retryInMs / 1000} s)`;
        this.opts.onWaiting?.(this.waiting);
        await new Promise<void>((resolve) => {
          this.retryTimer = setTimeout(resolve, retryInMs);
        });
        if (this.closing) throw new Error('bus closed', { cause: err });
      }
    }
  }

  private async connectOnce(): Promise<void> {
    const servers = this.opts.url.split(',').map((s) => s.trim()).filter(Boolean);
    this.nc = await connect({ servers, name: 'loglake', maxReconnectAttempts: -1 });
    this.jsm = await jetstreamManager(this.nc);
    this.js = jetstream(this.nc);
    const wanted: Partial<StreamConfig> = {
      subjects: [`${this.opts.subjectPrefix}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      duplicate_window: nanos(this.opts.duplicateWindowSeconds * 1000),
      max_age: nanos(this.opts.maxAgeHours * 3600 * 1000),
      num_replicas: this.opts.replicas,
    };
    let info;
    try {
      info = await this.jsm.streams.info(this.opts.stream);
      info = await this.jsm.streams.update(this.opts.stream, { ...info.config, ...wanted });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      info = await this.jsm.streams.add({ name: this.opts.stream, ...wanted });
    }
    this.busId = `jetstream:${this.opts.stream}:${info.created}`;
  }

  /** A round trip to the server, so that a frozen NATS (connected, not answering) is not taken for a live one. */
  async unavailable(): Promise<string | null> {
    if (this.waiting) return this.waiting;
    if (!this.nc || this.nc.isClosed()) return `NATS at ${this.opts.url} is not connected`;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`NATS at ${this.opts.url} does not answer within ${PROBE_MS} ms`), PROBE_MS);
    });
    const answered = this.nc.flush().then(() => null, (err: Error) => `NATS at ${this.opts.url} is unreachable: ${err.message}`);
    return Promise.race([answered, late]).finally(() => clearTimeout(timer));
  }

  async publish(m: OutgoingMessage): Promise<void> {
    await this.connected;
    const h = headers();
    h.set(H_TABLE, m.table);
    h.set(H_PROJECT, m.project);
    h.set(H_HOUR, m.hour);
    h.set(H_ROWS, String(m.rows));
    await this.js.publish(`${this.opts.subjectPrefix}.${m.table}.${m.project}`, m.data, { msgID: m.msgId, headers: h });
  }

  /**
   * Returns at once; the consumer is set up once NATS is there, and its messages flow from then on. Until
   * then nothing is undelivered or pending as far as this process can tell.
   */
  async subscribe(durable: string, opts: { maxPending: number }): Promise<Subscription> {
    const config = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.opts.ackWaitSeconds * 1000),
      max_ack_pending: opts.maxPending,
    };
    const setUp = async (): Promise<ConsumerMessages> => {
      await this.connected;
      try {
        await this.jsm.consumers.info(this.opts.stream, durable);
        await this.jsm.consumers.update(this.opts.stream, durable, { ack_wait: config.ack_wait, max_ack_pending: config.max_ack_pending });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        await this.jsm.consumers.add(this.opts.stream, config);
      }
      const consumer = await this.js.consumers.get(this.opts.stream, durable);
      return consumer.consume({ max_messages: Math.min(opts.maxPending, 256) });
    };
    // A writer starting while JetStream is slow to answer waits and asks again rather than dying at start-up.
    const open = () => askAgainWhileTransient(setUp, () => ended);
    let live: ConsumerMessages | null = null;
    let ended = false;
    // What this subscriber holds un-acked (buffered, or in a Parquet write that may take a while): told
    // "in progress" every third of ack_wait, so a short ack_wait redelivers only what a dead process held.
    // Keyed by sequence: a redelivered copy stands for the message, however many copies there were.
    const held = new Map<number, JsMsg>();
    const progress = setInterval(() => {
      for (const m of held.values()) m.working();
    }, Math.max(200, (this.opts.ackWaitSeconds * 1000) / 3));
    progress.unref();
    const opened = open().then((messages) => {
      live = messages;
      if (ended) messages.stop();
      return messages;
    });
    opened.catch(() => undefined);
    let stop!: () => void;
    const stopped = new Promise<null>((resolve) => {
      stop = () => resolve(null);
    });
    const info = async () => {
      await this.connected;
      return this.jsm.consumers.info(this.opts.stream, durable);
    };
    const counted = async (pick: (i: Awaited<ReturnType<typeof info>>) => number) => (this.waiting ? 0 : pick(await info()));
    return {
      async *[Symbol.asyncIterator]() {
        const messages = await Promise.race([opened, stopped]);
        if (!messages) return;
        for await (const m of messages) {
          const h = m.headers;
          const message: BusMessage = {
            seq: m.seq,
            msgId: h?.get('Nats-Msg-Id') ?? '',
            table: (h?.get(H_TABLE) ?? '') as Table,
            project: h?.get(H_PROJECT) ?? '',
            hour: h?.get(H_HOUR) ?? '',
            rows: Number(h?.get(H_ROWS) ?? 0),
            data: m.data,
            ack: async () => {
              await m.ackAck();
              held.delete(m.seq);
            },
          };
          held.set(m.seq, m);
          yield message;
        }
      },
      async stop() {
        ended = true;
        stop();
        clearInterval(progress);
        // close() waits for the iterator to be consumed to its end, which never happens for a subscription
        // nobody iterates; stop() ends it at once, and what it had prefetched comes back after ack_wait.
        (live as ConsumerMessages | null)?.stop();
      },
      ackFloor: () => counted((i) => i.ack_floor.stream_seq),
      // Messages a dead subscriber held come back after ack_wait: a draining writer waits for those too.
      undelivered: () => counted((i) => i.num_pending + Math.max(0, i.num_ack_pending - held.size)),
      ackPending: () => counted((i) => i.num_ack_pending),
    };
  }

  /**
   * A key-value bucket `<stream>-<purpose>` (lower case) on this bus's connection, made if missing with the stream's replica
   * count: shared state lives beside the stream it describes, so a test's own stream brings its own buckets.
   * Waits for NATS like a publish, and asks again while JetStream's API does not answer in time. Reads go
   * to the bucket's leader, never to a replica ("direct get"), which may lag behind after a node died:
   * decisions such as "no partition names this file" must not be taken on a stale copy.
   */
  async bucket(purpose: BucketPurpose): Promise<KV> {
    await this.connected;
    return askAgainWhileTransient(
      () => new Kvm(this.js).create(bucketName(this.opts.stream, purpose), { replicas: this.opts.replicas, history: 1, allow_direct: false }),
      () => this.closing,
    );
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.connected?.catch(() => undefined);
    if (this.nc && !this.nc.isClosed()) await this.nc.drain();
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { code?: unknown; api_error?: { err_code?: number }; message?: string };
  return e?.api_error?.err_code === 10059 || e?.api_error?.err_code === 10014 || /not found/i.test(String(e?.message));
}

/** A JetStream API call that did not answer in time, or found no JetStream to answer yet: worth asking again. */
function isTransient(err: unknown): boolean {
  const e = err as { name?: string; code?: unknown; message?: string };
  return e?.name === 'TimeoutError' || e?.code === 'TIMEOUT' || /timeout|timed out|no responders|jetstream (is )?not (enabled|available)|leader/i.test(String(e?.message));
}

/**
 * Runs `work`, asking again (0.5 s, doubling, at most 5 s apart) while it fails transiently: under load, or
 * while a cluster elects a leader, JetStream's API may not answer in time. `giveUp(attempt, err)` ends it
 * early (the caller is closing, or has waited long enough); any other failure ends it at once.
 */
export async function askAgainWhileTransient<T>(work: () => Promise<T>, giveUp: (attempt: number, err: unknown) => boolean = () => false): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!isTransient(err) || giveUp(attempt, err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 5_000)));
    }
  }
}
