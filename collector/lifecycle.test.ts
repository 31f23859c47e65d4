import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { RateMeter } from '../core/meter.js';
import { DEFAULT_PLANS } from '../config/plans.js';
import { Limiter } from '../server/limits/limiter.js';
import { createHttpServer } from '../server/http.js';
import type { Bus } from '../storage/bus/bus.js';
import { FileMetaStore } from '../storage/meta/file-store.js';
import type { Consumer, Factory, Host, Lifecycle } from './component.js';
import { ComponentCounters } from './counters.js';
import { exporterFactories, processorFactories, receiverFactories } from './registry.js';

/** Listeners on free loopback ports: the defaults (4317, 4318, 5000) may be taken on a shared machine. */
const PORTS: Record<string, unknown> = {
  otlp: { http: { host: '127.0.0.1', port: 0 }, grpc: { host: '127.0.0.1', port: 0 } },
  logstash: { host: '127.0.0.1', port: 0 },
};

const dir = mkdtempSync(join(tmpdir(), 'loglake-lifecycle-'));
const meta = new FileMetaStore(dir);

function host(): Host {
  const logger = pino({ level: 'silent' });
  const bus = { publish: async () => {} } as unknown as Bus;
  return { logger, http: createHttpServer({ bodyLimit: 1e6, logger }), bus, meta, ingested: new RateMeter(), limits: new Limiter(meta, DEFAULT_PLANS), counters: new ComponentCounters() };
}

const discard: Consumer = { consume: async () => {} };

const all: [string, Factory<unknown, Lifecycle, any>][] = [
  ...Object.values(receiverFactories).map((f) => ['receiver', f] as [string, Factory<unknown, Lifecycle, any>]),
  ...Object.values(processorFactories).map((f) => ['processor', f] as [string, Factory<unknown, Lifecycle, any>]),
  ...Object.values(exporterFactories).map((f) => ['exporter', f] as [string, Factory<unknown, Lifecycle, any>]),
];

describe('every registered component', () => {
  beforeAll(() => meta.open());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(all.map(([kind, f]) => [`${kind} ${f.type}`, f] as const))('%s: default config, create, start, shutdown twice', async (_name, factory) => {
    const h = host();
    const config = factory.configSchema.parse(PORTS[factory.type] ?? {});
    const consumers = Object.fromEntries(factory.signals.map((s) => [s, discard]));
    const component = factory.create(config, { id: factory.type, host: h, consumers });
    await component.start?.();
    await h.http.ready();
    await component.shutdown?.();
    await component.shutdown?.();
    await h.http.close();
  });
});
