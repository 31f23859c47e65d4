// The alerts component as the composition root uses it: both APIs' routes, and the evaluator with its
// notification queue.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { QueryEngine } from '../query/engine/engine.js';
import type { Bus } from '../storage/bus/bus.js';
import type { MetaStore } from '../storage/meta/store.js';
import { measure } from './condition.js';
import { Evaluator } from './evaluator.js';
import { AlertOutbox } from './outbox.js';
import { newLeaseOwner } from '../storage/meta/alert-leases.js';
import { publishAlertEvent } from './events.js';
import type { DestinationRules } from './notify/address-guard.js';
import { bodyFor } from './notify/formats.js';
import { NotificationQueue, QUEUE_DEFAULTS } from './notify/queue.js';
import { goodlogsAlertsPlugin } from './routes/goodlogs.js';
import { posthogAlertsPlugin } from './routes/posthog.js';

const now = () => new Date();

export function registerAlertRoutes(http: FastifyInstance, meta: MetaStore, destinations: DestinationRules): void {
  http.register(goodlogsAlertsPlugin({ meta, now, destinations }));
  http.register(posthogAlertsPlugin({ meta, now, destinations }));
}

export interface AlertsDeps {
  meta: MetaStore;
  engine: QueryEngine;
  bus: Bus;
  logger: Logger;
}

export interface AlertsOptions {
  intervalOverrideSeconds?: number;
  linkBase: string;
  /** A check must end within the query timeout; its lease lasts that and a margin. */
  queryTimeoutMs: number;
  maxConcurrent: number;
  destinations: DestinationRules;
}

const POLL_MS = 250;
const LEASE_MARGIN_MS = 30_000;
/** Longer than a notification's attempts take (6 attempts of up to 10 s, 31 s of waits): a live sender keeps its entries. */
const OUTBOX_LEASE_MS = 10 * 60_000;
const OUTBOX_POLL_MS = 5_000;

export interface Alerts {
  stop(): Promise<void>;
}

export function startAlerts(deps: AlertsDeps, opts: AlertsOptions): Alerts {
  const logger = deps.logger.child({ component: 'alerts' });
  const queue = new NotificationQueue(logger, { ...QUEUE_DEFAULTS, destinations: opts.destinations });
  const owner = newLeaseOwner();
  const outbox = new AlertOutbox(
    { meta: deps.meta, publish: (event) => publishAlertEvent(deps.bus, event), queue, logger },
    { owner, leaseMs: OUTBOX_LEASE_MS, pollMs: OUTBOX_POLL_MS },
  );
  const evaluator = new Evaluator({
    meta: deps.meta,
    measure: (rule, window) => measure(deps.engine, { project: rule.project_id, environments: rule.environments }, rule, window),
    deliveries: (rule, notice) => rule.destinations.map((d, i) => ({ url: d.url, body: bodyFor(d.type, notice), label: `${rule.id}/${i} (${d.type})` })),
    send: (entry) => outbox.send(entry),
    logger,
  }, {
    intervalOverrideSeconds: opts.intervalOverrideSeconds,
    pollMs: POLL_MS,
    leaseMs: opts.queryTimeoutMs + LEASE_MARGIN_MS,
    maxConcurrent: opts.maxConcurrent,
    linkBase: opts.linkBase,
    outboxLeaseMs: OUTBOX_LEASE_MS,
    owner,
  });
  outbox.start();
  evaluator.start();
  return {
    async stop() {
      await evaluator.stop();
      await outbox.stop();
      await queue.stop();
    },
  };
}
