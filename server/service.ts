import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.js';
import { RateMeter } from '../core/meter.js';
import { buildPipelines, type Pipelines } from '../collector/pipeline.js';
import type { Manifest } from '../storage/lake/manifest.js';
import type { Bus } from '../storage/bus/bus.js';
import type { Writer } from '../storage/writer/writer.js';
import { openStorage } from '../storage/storage.js';
import { FileMetaStore } from '../storage/meta/file-store.js';
import { bootstrap, type BootstrapInfo } from '../storage/meta/bootstrap.js';
import type { MetaStore } from '../storage/meta/store.js';
import { QueryEngine } from '../query/engine/engine.js';
import { registerQueryRoutes } from '../query/routes.js';
import { createHttpServer } from './http.js';

export interface Service {
  config: Config;
  logger: Logger;
  http: FastifyInstance;
  bus: Bus;
  meta: MetaStore;
  manifest: Manifest;
  engine: QueryEngine;
  writer: Writer;
  bootstrapInfo: BootstrapInfo | null;
  /** Stops accepting, drains, flushes; idempotent. */
  stop(): Promise<void>;
}

/**
 * The composition root: everything starts in dependency order (metadata, bus, lake, writer, query engine,
 * pipelines, then the HTTP listener), and stops in the reverse, so nothing accepted is left unwritten.
 */
export async function startService(config: Config, logger: Logger = pino({ level: config.log_level })): Promise<Service> {
  const dataDir = resolve(config.storage.data_dir);
  mkdirSync(dataDir, { recursive: true });

  const meta = new FileMetaStore(join(dataDir, 'meta'));
  await meta.open();
  const bootstrapInfo = await bootstrap(meta, dataDir, { region: config.bootstrap.region, adminEmail: config.bootstrap.admin_email });

  const storage = await openStorage(config, logger);
  const { bus, manifest } = storage;
  const writer = storage.writer!;
  logger.info(`bus: ${bus.describe()}`);

  const engine = new QueryEngine(manifest, {
    timeoutMs: config.query.timeout_ms,
    maxConcurrent: config.query.max_concurrent,
    memoryLimit: config.query.memory_limit,
    threads: config.query.threads,
    setupSql: ["SET TimeZone = 'UTC'"],
  });
  await engine.start();

  const http = createHttpServer({ bodyLimit: config.http.body_limit_bytes, logger });
  const ingested = new RateMeter();
  let ready = false;
  http.get('/v1/health', async (_request, reply) => {
    const body = { status: ready ? 'healthy' : 'starting', workers: 1, ingestion_rps: ingested.rate(), bus: bus.kind };
    return reply.code(ready ? 200 : 503).send(body);
  });

  let pipelines: Pipelines;
  try {
    pipelines = buildPipelines(config, { logger, http, bus, meta, ingested });
  } catch (err) {
    await storage.close();
    throw err;
  }
  registerQueryRoutes(http, { engine, meta, now: () => (config.query.now ? new Date(config.query.now) : new Date()) });
  await pipelines.start();
  await http.listen({ host: config.http.host, port: config.http.port });
  ready = true;

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      ready = false;
      await http.close();
      await pipelines.shutdown();
      await storage.close();
      engine.close();
      await meta.close();
    })();
    return stopping;
  };
  return { config, logger, http, bus, meta, manifest, engine, writer, bootstrapInfo, stop };
}
