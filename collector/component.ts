import type { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Batch } from '../core/records.js';
import type { Bus } from '../storage/bus/bus.js';
import type { MetaStore } from '../storage/meta/store.js';
import type { RateMeter } from '../core/meter.js';
import type { Limiter } from '../server/limits/limiter.js';
import type { ComponentCounters } from './counters.js';

/**
 * The component model, after the OpenTelemetry Collector: every receiver, processor and exporter is a
 * factory `{ type, configSchema, create }`, and `pipeline.ts` builds the graph from config.
 */

/** The tables a pipeline may carry: `alert_events` are written by alerts, never routed through one. */
export type Signal = 'logs' | 'events';

/** A batch of one signal, discriminated by `table`. */
export type SignalBatch = { [S in Signal]: Batch<S> }[Signal];

/** Takes a batch onward. The promise resolves once the batch is durable (on the bus): only then may a receiver answer 2xx. */
export interface Consumer {
  consume(batch: Batch): Promise<void>;
}

export interface Lifecycle {
  start?(): Promise<void>;
  /** Idempotent; stops taking new work and finishes what was accepted. */
  shutdown?(): Promise<void>;
}

export type Receiver = Lifecycle;

/** A pure batch → batch step. Returning a batch with no records drops it (sampling). */
export interface Processor extends Lifecycle {
  process(batch: SignalBatch): SignalBatch;
}

export type Exporter = Lifecycle & Consumer;

/** What the running service lends to components. */
export interface Host {
  logger: Logger;
  /** The shared HTTP API server (port 8080): HTTP receivers register their surface as a plugin on it. */
  http: FastifyInstance;
  bus: Bus;
  meta: MetaStore;
  /** Records accepted onto the bus. */
  ingested: RateMeter;
  /** Plan limits: HTTP receivers guard their routes with it (`server/limits/hook.ts`); accepted records are counted in it. */
  limits: Limiter;
  /** What every component accepted, refused and dropped: `GET /metrics`. */
  counters: ComponentCounters;
}

export interface CreateContext {
  /** `type` or `type/name`, as the config names the instance. */
  id: string;
  host: Host;
}

/**
 * One consumer per signal whose pipeline lists this receiver. A receiver of one signal is only built when a
 * pipeline of that signal lists it, so its consumer is always there.
 */
export type Consumers<S extends Signal = Signal> = [Signal] extends [S] ? Partial<Record<Signal, Consumer>> : Record<S, Consumer>;

export interface ReceiverContext<S extends Signal = Signal> extends CreateContext {
  consumers: Consumers<S>;
}

export interface Factory<Config, Instance, Context extends CreateContext = CreateContext> {
  type: string;
  /** The signals it can carry: the pipeline builder refuses a config that routes another one to it. */
  signals: readonly Signal[];
  configSchema: z.ZodType<Config, unknown>;
  create(config: Config, ctx: Context): Instance;
}

export type ReceiverFactory<C = unknown, S extends Signal = Signal> = Factory<C, Receiver, ReceiverContext<S>>;
export type ProcessorFactory<C = unknown> = Factory<C, Processor>;
export type ExporterFactory<C = unknown> = Factory<C, Exporter>;
