import type { Table } from '../../core/records.js';

/**
 * The durable bus between collectors and writers. One message carries one batch's rows of one
 * (table, project, hour) partition in the lake's staging form, so a writer never re-parses rows: one
 * columnar JSON document (`encode.ts` `encodeColumns`), or, from an older loglake, NDJSON rows.
 */
export interface OutgoingMessage {
  table: Table;
  project: string;
  /** The hour partition of every row in `data`: `YYYY-MM-DDTHH`. */
  hour: string;
  /** De-duplication id: a retried publish with the same id is stored once. */
  msgId: string;
  rows: number;
  data: Uint8Array;
}

/**
 * The bus did not confirm a publish within the time budget, or the connection failed while it was under
 * way: the message may be on the bus or not. A retry with the same message id is stored once.
 */
export class BusUnconfirmedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BusUnconfirmedError';
  }
}

export interface BusMessage extends OutgoingMessage {
  /** Position in the bus: unique and increasing within one `busId`. */
  seq: number;
  ack(): Promise<void>;
}

export interface Subscription extends AsyncIterable<BusMessage> {
  /** Stops delivery; un-acked messages are redelivered to the next subscriber. */
  stop(): Promise<void>;
  /** Every sequence at or below this is acknowledged: a writer may forget them. */
  ackFloor(): Promise<number>;
  /** Messages on the bus not yet handed to this subscriber: a draining writer waits for none. */
  undelivered(): Promise<number>;
  /** Messages handed out (to this subscriber, or to a dead one whose ack wait runs) and not yet acknowledged. */
  ackPending(): Promise<number>;
}

export interface Bus {
  readonly kind: 'jetstream' | 'embedded';
  /** Identifies one incarnation of the stream: sequences restart when it is recreated. */
  readonly busId: string;
  start(): Promise<void>;
  /** Resolves once the message is durable; only then may an ingest answer 2xx. */
  publish(message: OutgoingMessage): Promise<void>;
  /** A durable consumer: messages not acknowledged are redelivered, across restarts too. */
  subscribe(durable: string, opts: { maxPending: number }): Promise<Subscription>;
  close(): Promise<void>;
  describe(): string;
  /** Why the bus cannot take publishes now (unreachable, closed), or null when it can: readiness asks. */
  unavailable(): Promise<string | null>;
}
