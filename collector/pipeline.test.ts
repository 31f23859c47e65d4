import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { RateMeter } from '../core/meter.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileMetaStore } from '../storage/meta/file-store.js';
import { bootstrap } from '../storage/meta/bootstrap.js';
import { createHttpServer } from '../server/http.js';
import type { Bus, OutgoingMessage } from '../storage/bus/bus.js';
import type { MetaStore } from '../storage/meta/store.js';
import { DEFAULT_PLANS } from '../config/plans.js';
import { Limiter } from '../server/limits/limiter.js';
import { payloadRows } from '../test/helpers/bus-messages.js';
import { ComponentCounters } from './counters.js';
import { buildPipelines } from './pipeline.js';

function host(published: OutgoingMessage[] = [], meta = {} as MetaStore) {
  const logger = pino({ level: 'silent' });
  const bus = { publish: async (m: OutgoingMessage) => void published.push(m) } as unknown as Bus;
  return { logger, http: createHttpServer({ bodyLimit: 1e6, logger }), bus, meta, ingested: new RateMeter(), limits: new Limiter(meta, DEFAULT_PLANS), counters: new ComponentCounters() };
}

/** A host whose metadata store holds the bootstrap keys, publishing into `published`. */
async function bootstrapped(published: OutgoingMessage[]) {
  const dir = mkdtempSync(join(tmpdir(), 'loglake-pipeline-'));
  const meta = new FileMetaStore(dir);
  await meta.open();
  const { keys } = (await bootstrap(meta, dir, { region: 'eu', adminEmail: 'a@b' }))!;
  return { h: host(published, meta), keys };
}

describe('buildPipelines', () => {
  it('names the config path of a bad component block, an unknown type and a pipeline reference', () => {
    const bad = configSchema.parse({ processors: { flatten: { max_depth: 0 } }, service: { pipelines: { logs: { receivers: ['goodlogs'], processors: ['flatten'], exporters: ['bus'] } } } });
    expect(() => buildPipelines(bad, host())).toThrow(/processors\.flatten\.max_depth/);
    const unknown = configSchema.parse({ exporters: { kafka: {} }, service: { pipelines: { logs: { receivers: ['goodlogs'], exporters: ['kafka'] } } } });
    expect(() => buildPipelines(unknown, host())).toThrow(/unknown component type "kafka"/);
    const missing = configSchema.parse({ service: { pipelines: { logs: { receivers: ['goodlogs'], processors: ['sampler'], exporters: ['bus'] } } } });
    expect(() => buildPipelines(missing, host())).toThrow(/"sampler" is not configured/);
  });

  it('refuses to route a signal to a component that cannot carry it, naming the pipeline and the component', () => {
    const config = configSchema.parse({ receivers: { logtrail: {} }, service: { pipelines: { events: { receivers: ['logtrail'], exporters: ['bus'] } } } });
    expect(() => buildPipelines(config, host())).toThrow(/service\.pipelines\.events: receivers\.logtrail cannot carry events \(it supports logs\)/);
  });

  it('runs processors in order, then the exporter, for each configured signal', async () => {
    const published: OutgoingMessage[] = [];
    const { h, keys } = await bootstrapped(published);
    // Only the HTTP receiver: the default config's OTLP and Logstash receivers would bind fixed ports.
    const config = configSchema.parse({ receivers: { goodlogs: {} }, service: { pipelines: { events: { receivers: ['goodlogs'], processors: ['flatten', 'useragent', 'ip'], exporters: ['bus'] } } } });
    const pipelines = buildPipelines(config, h);
    await pipelines.start();
    const res = await h.http.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${keys.goodlogs_public}`, 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36', 'x-forwarded-for': '203.0.113.9' },
      remoteAddress: '127.0.0.1',
      payload: JSON.stringify({ batch: [{ event: 'signup', properties: { plan: { tier: 'pro' } } }] }),
    });
    expect(res.statusCode).toBe(202);
    expect(published).toHaveLength(1);
    const [row] = payloadRows('events', published[0].data);
    expect(row.attrs_str).toEqual({ 'plan.tier': 'pro', $browser: 'Chrome 125', $os: 'Windows 10', $device: 'Desktop', $ip: '203.0.113.9' });
    expect(h.ingested.total).toBe(1);
    await pipelines.shutdown();
  });

  it('publishes only what a configured sampler keeps, and answers 202 for a batch it drops whole', async () => {
    const published: OutgoingMessage[] = [];
    const { h, keys } = await bootstrapped(published);
    const config = configSchema.parse({
      receivers: { goodlogs: {} },
      processors: { sampling: { ratio: 0 } },
      service: { pipelines: { logs: { receivers: ['goodlogs'], processors: ['sampling'], exporters: ['bus'] } } },
    });
    const pipelines = buildPipelines(config, h);
    await pipelines.start();
    const send = (batch: unknown[]) =>
      h.http.inject({ method: 'POST', url: '/v1/logs', headers: { authorization: `Bearer ${keys.goodlogs_secret}`, 'content-type': 'application/json' }, payload: JSON.stringify({ batch }) });
    const sent = await send([
      { severity: 'info', message: 'traced', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' },
      { severity: 'warn', message: 'untraced' },
      { severity: 'error', message: 'failed' },
      { severity: 'fatal', message: 'crashed' },
    ]);
    expect(sent.statusCode).toBe(202);
    const rows = published.flatMap((m) => payloadRows('logs', m.data));
    expect(rows.map((r) => r.message)).toEqual(['failed', 'crashed']);
    expect(h.ingested.total).toBe(2);
    expect((await send([{ severity: 'debug', message: 'noise' }])).statusCode).toBe(202);
    expect(published).toHaveLength(1);
    const counted = (component: string, outcome: string) =>
      h.counters.snapshot().filter((c) => c.component === component && c.outcome === outcome).reduce((n, c) => n + c.value, 0);
    expect([counted('goodlogs', 'accepted'), counted('sampling', 'accepted'), counted('sampling', 'dropped'), counted('bus', 'accepted')]).toEqual([5, 2, 3, 2]);
    await pipelines.shutdown();
  });
});
