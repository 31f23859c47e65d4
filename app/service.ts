import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.js';
import { RateMeter } from '../core/meter.js';
import { buildPipelines, type Pipelines } from '../collector/pipeline.js';
import { openStorage, type Storage } from '../storage/storage.js';
import { metaStoreOf } from '../storage/meta/open.js';
import type { MetaStore } from '../storage/meta/store.js';
import { bootstrap, type BootstrapInfo } from '../storage/meta/bootstrap.js';
import { QueryEngine } from '../query/engine/engine.js';
import { usePatternStore } from '../query/patterns/lookup.js';
import { registerQueryRoutes } from '../query/routes.js';
import { posthogViewsPlugin } from '../query/routes/posthog/views.js';
import { gqlNlPlugin } from '../query/routes/nl.js';
import { aiChatPlugin } from '../query/routes/chat.js';
import { posthogExplainPlugin } from '../query/routes/posthog/explain.js';
import { nlProviderOf } from '../query/nl/factory.js';
import { registerAlertRoutes, startAlerts } from '../alerts/alerts.js';
import { registerUploadRoutes } from '../uploads/uploads.js';
import { statusPagesPlugin } from '../status/plugin.js';
import { createHttpServer } from '../server/http.js';
import { registerAccessRoutes } from './access.js';
import { Tokens } from '../server/admin/tokens.js';
import { Limiter } from '../server/limits/limiter.js';
import { notFoundBySurface } from '../server/not-found.js';
import { ComponentCounters } from '../collector/counters.js';
import { metricsPlugin } from '../server/metrics.js';
import { readinessPlugin } from '../server/readiness.js';
import { readinessChecks, writerGauges } from './health.js';
import { tailPlugin } from '../query/routes/tail.js';
import { webPlugin } from '../web/plugin.js';
import { importPlugin } from '../collector/import/plugin.js';
import { openImportLedger } from '../storage/imports/ledger.js';

/**
 * Every role is the same binary. `all` runs everything in one process, alert evaluation included; in
 * scale-out, `collector` processes take ingest and publish to JetStream, `writer` processes turn the bus
 * into the lake, `query` processes answer the query, admin, alert, view and explorer routes from the lake
 * the writer keeps, and `alerts` processes evaluate the rules.
 */
export const ROLES = ['all', 'collector', 'writer', 'query', 'alerts'] as const;
export type Role = (typeof ROLES)[number];

export interface Service {
  config: Config;
  logger: Logger;
  storage: Storage;
  meta: MetaStore;
  http: FastifyInstance;
  bootstrapInfo: BootstrapInfo | null;
  /** Stops accepting, drains, flushes; idempotent. */
  stop(): Promise<void>;
}

/**
 * The composition root: everything starts in dependency order (metadata, bus, lake and writer, query
 * engine, pipelines, then the HTTP listener) and stops in the reverse, so nothing accepted is left unwritten.
 */
export async function startService(config: Config, role: Role = 'all', logger: Logger = pino({ level: config.log_level })): Promise<Service> {
  const dataDir = resolve(config.storage.data_dir);
  mkdirSync(dataDir, { recursive: true });
  if (role !== 'all' && config.storage.bus.kind !== 'jetstream' && !config.storage.bus.nats_url) {
    throw new Error(`--role ${role} needs the JetStream bus (set NATS_URL): the embedded bus belongs to one process`);
  }
  const nlProvider = nlProviderOf(config.ai, process.env);
  // Read by libuv once, before any code here runs: only the environment the process started with can set it.
  if (!process.env.UV_THREADPOOL_SIZE) {
    logger.warn('UV_THREADPOOL_SIZE is not set: DuckDB\'s queries hold libuv\'s 4 threads for as long as they run, and the bus\'s file writes wait behind them; `npm start` sets 16');
  }

  const meta = metaStoreOf(config, {
    onFlushError: (err) => logger.error({ err }, 'metadata: writing usage counters failed; retrying'),
    onWaiting: (reason) => logger.warn(`metadata: ${reason}`),
  });
  await meta.open();
  const bootstrapInfo = role === 'writer' ? null : await bootstrap(meta, dataDir, { region: config.bootstrap.region, adminEmail: config.bootstrap.admin_email });

  const storage = await openStorage(config, logger, { writer: role === 'all' || role === 'writer', reader: role === 'query' || role === 'alerts' });
  logger.info(`bus: ${storage.bus.describe()}`);

  // A writer reads the lake only to write it: it serves health, readiness and metrics, no query. Where the
  // writer runs beside the engine (`all`), queries also read the rows it has not written yet.
  const engine = storage.index && role !== 'writer'
    ? new QueryEngine(storage.index, {
        timeoutMs: config.query.timeout_ms,
        maxConcurrent: config.query.max_concurrent,
        memoryLimit: config.query.memory_limit,
        threads: config.query.threads,
      }, storage.lake?.writer.pending ?? null)
    : null;
  await engine?.start();
  if (engine) usePatternStore(engine, storage.patterns);

  const http = createHttpServer({ bodyLimit: config.http.body_limit_bytes, logger });
  const ingested = new RateMeter();
  const limits = new Limiter(meta, config.plans);
  const tokens = Tokens.load(dataDir);
  notFoundBySurface(http);
  http.decorate('sessionTokens', tokens);
  if (engine && role !== 'alerts') {
    http.register(tailPlugin({ engine, meta, tokens, onCommitted: storage.onCommitted }));
    // The explorer is served where queries are answered: it is a client of those routes only.
    http.register(webPlugin());
  }
  let ready = false;
  http.get('/v1/health', async (_request, reply) => {
    const body = { status: ready ? 'healthy' : 'starting', workers: 1, ingestion_rps: ingested.rate(), bus: storage.bus.kind, role };
    return reply.code(ready ? 200 : 503).send(body);
  });

  const counters = new ComponentCounters();
  http.register(metricsPlugin, { counters, gauges: writerGauges(storage) });
  http.register(readinessPlugin, { checks: [async () => (ready ? null : 'loglake is starting or stopping'), ...readinessChecks(storage, config.storage.writer.max_lag_ms)] });
  // Ingest is the collectors' (and `all`'s); query and alerts nodes take none.
  let pipelines: Pipelines = { start: async () => undefined, shutdown: async () => undefined };
  try {
    if (role === 'all' || role === 'collector') pipelines = buildPipelines(config, { logger, http, bus: storage.bus, meta, ingested, limits, counters });
  } catch (err) {
    await storage.close();
    throw err;
  }
  // `loglake import` while the service runs: through its bus, with the import ledger where the bus keeps it.
  const importLedger = role === 'all' || role === 'collector' ? openImportLedger(config, dataDir) : null;
  if (importLedger) http.register(importPlugin({ meta, bus: storage.bus, ledger: importLedger }));
  // Alerts and writer nodes serve health, readiness and metrics only: their work is the evaluator's, the writer's.
  if (role !== 'alerts' && role !== 'writer') {
    registerAccessRoutes(http, { meta, limits, tokens, config });
    registerAlertRoutes(http, meta, { allowPrivate: config.alerts.destinations.allow_private });
    const queryNow = () => (config.query.now ? new Date(config.query.now) : new Date());
    http.register(posthogViewsPlugin({ meta, now: queryNow }));
    registerUploadRoutes(http, { meta, limits, dataDir });
    http.register(statusPagesPlugin({ meta, tokens, defaultRegion: config.bootstrap.region, now: () => new Date() }));
    if (engine) {
      const queryDeps = { engine, meta, tokens, catalog: storage.catalog, limits, now: queryNow };
      registerQueryRoutes(http, queryDeps);
      http.register(gqlNlPlugin({ ...queryDeps, provider: nlProvider }));
      http.register(aiChatPlugin({ ...queryDeps, provider: nlProvider }));
      http.register(posthogExplainPlugin({ ...queryDeps, provider: nlProvider }));
    }
  }
  await pipelines.start();
  await http.listen({ host: config.http.host, port: config.http.port });
  // Rules are checked where the lake is read, by `all` or by `alerts` nodes (query nodes only serve their routes).
  const alerts = engine && config.alerts.enabled && role !== 'query'
    ? startAlerts({ meta, engine, bus: storage.bus, logger }, {
        intervalOverrideSeconds: config.alerts.check_interval_override_seconds,
        linkBase: (config.alerts.public_url ?? `http://localhost:${(http.server.address() as AddressInfo).port}`).replace(/\/+$/, ''),
        queryTimeoutMs: config.query.timeout_ms,
        maxConcurrent: config.query.max_concurrent,
        destinations: { allowPrivate: config.alerts.destinations.allow_private },
      })
    : null;
  ready = true;

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      ready = false;
      await alerts?.stop();
      await http.close();
      await pipelines.shutdown();
      await importLedger?.close();
      await storage.close();
      await engine?.close();
      await meta.close();
    })();
    return stopping;
  };
  return { config, logger, storage, meta, http, bootstrapInfo, stop };
}
