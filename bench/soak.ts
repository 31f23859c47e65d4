/**
 * `npm run bench -- --soak`: mixed ingest on every HTTP surface (GoodLogs logs and events, Logtrail bulk,
 * LogTrace, OTLP/HTTP) into a collector and a writer on a NATS JetStream of the benchmark's own, while the
 * faults of a bad day come round: NATS restarted, the writer killed with SIGKILL and started again, NATS
 * frozen (SIGSTOP) for 15 s. At the end it prints what was acknowledged, what the lake holds of it, what
 * was lost or stored twice (both must be 0), the p99 answer time and the peak RSS of each process.
 *
 *   npm run bench -- --soak [--minutes 20] [--every 2] [--rate 4000]
 *
 * Not a test: it takes its time, and the figures go to bench/README.md.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startLoglake, type LoglakeProcess } from '../test/helpers/loglake.js';
import { lakeValues } from '../test/helpers/lake.js';
import { startOwnNats, type OwnNats } from '../test/helpers/nats.js';
import { rssMb } from './process.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--soak'),
  options: {
    minutes: { type: 'string', default: '20' },
    every: { type: 'string', default: '2' },
    rate: { type: 'string', default: '4000' },
  },
});
const MINUTES = Number(values.minutes);
const EVERY_MS = Number(values.every) * 60_000;
/** Records per second over all clients: enough to keep every part busy, little enough to check every id after. */
const RATE = Number(values.rate);
const BATCH = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Route {
  name: string;
  table: 'logs' | 'events';
  path: (p: LoglakeProcess) => string;
  headers: (keys: ReturnType<LoglakeProcess['bootstrap']>['keys']) => Record<string, string>;
  /** A body of `markers.length` records, each carrying its marker where the lake keeps it (`message`, or `id` for events). */
  body: (markers: string[]) => unknown;
  stored: number;
}

const json = { 'content-type': 'application/json' };
const ROUTES: Route[] = [
  {
    name: 'goodlogs logs', table: 'logs', stored: 202,
    path: (p) => `${p.url}/v1/logs`, headers: (k) => ({ ...json, authorization: `Bearer ${k.goodlogs_secret}` }),
    body: (m) => ({ batch: m.map((message, i) => ({ severity: ['info', 'warn', 'error'][i % 3], message, properties: { service: 'soak', n: i } })) }),
  },
  {
    name: 'goodlogs events', table: 'events', stored: 202,
    path: (p) => `${p.url}/v1/events`, headers: (k) => ({ ...json, authorization: `Bearer ${k.goodlogs_secret}` }),
    body: (m) => ({ batch: m.map((id, i) => ({ id, event: 'soak', distinctId: `user_${i % 50}` })) }),
  },
  {
    name: 'logtrail bulk', table: 'logs', stored: 201,
    path: (p) => `${p.url}/api/v1/workspace/logs/bulk`, headers: (k) => ({ ...json, 'x-api-key': k.logtrail_rw }),
    body: (m) => m.map((message) => ({ action: 'soak.run', level: 'info', message, clientTimestamp: new Date().toISOString() })),
  },
  {
    name: 'logtrace', table: 'logs', stored: 202,
    path: (p) => `${p.url}/v1/logs/ingest`, headers: (k) => ({ ...json, authorization: `Bearer ${k.logtrace}` }),
    body: (m) => ({ logs: m.map((message) => ({ level: 'INFO', message, service: 'soak' })) }),
  },
  {
    name: 'otlp/http', table: 'logs', stored: 200,
    path: (p) => `http://127.0.0.1:${p.env.LOGLAKE_OTLP_HTTP_PORT}/v1/logs`, headers: (k) => ({ ...json, authorization: `Bearer ${k.goodlogs_secret}` }),
    body: (m) => ({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'soak' } }] }, scopeLogs: [{ logRecords: m.map((message) => ({ body: { stringValue: message }, severityText: 'INFO' })) }] }] }),
  },
];

async function main(): Promise<void> {
  let nats: OwnNats = await startOwnNats();
  const port = Number(nats.url.split(':')[1]);
  const env = { NATS_URL: nats.url };
  const collector = await startLoglake({ role: 'collector', env });
  const keys = collector.bootstrap().keys;
  let writer = await startLoglake({ role: 'writer', dataDir: collector.dataDir, env });
  const project = collector.bootstrap().project_id;

  const acked = { logs: new Set<string>(), events: new Set<string>() };
  const latencies: number[] = [];
  const statuses = new Map<string, number>();
  const peak = { collector: 0, writer: 0, nats: 0 };
  const sampler = setInterval(() => {
    peak.collector = Math.max(peak.collector, rssMb(collector.proc.pid));
    peak.writer = Math.max(peak.writer, rssMb(writer.proc.pid));
    peak.nats = Math.max(peak.nats, rssMb(nats.proc.pid));
  }, 1000);

  const end = Date.now() + MINUTES * 60_000;
  // Each route gets an equal share of the rate, sent in batches on a fixed schedule, retried by nobody:
  // what is not acknowledged is simply not counted.
  const perRoute = RATE / ROUTES.length;
  const client = async (route: Route) => {
    let sent = 0;
    const started = Date.now();
    while (Date.now() < end) {
      const due = started + (sent / perRoute) * 1000;
      if (due > Date.now()) await sleep(due - Date.now());
      const markers = Array.from({ length: BATCH }, () => (route.table === 'events' ? randomUUID() : `soak ${randomUUID()}`));
      sent += BATCH;
      const t0 = performance.now();
      try {
        const res = await fetch(route.path(collector), { method: 'POST', headers: route.headers(keys), body: JSON.stringify(route.body(markers)), signal: AbortSignal.timeout(60_000) });
        await res.arrayBuffer();
        statuses.set(`${route.name} ${res.status}`, (statuses.get(`${route.name} ${res.status}`) ?? 0) + 1);
        if (res.status === route.stored) {
          latencies.push(performance.now() - t0);
          for (const m of markers) acked[route.table].add(m);
        }
      } catch (err) {
        statuses.set(`${route.name} ${(err as Error).name}`, (statuses.get(`${route.name} ${(err as Error).name}`) ?? 0) + 1);
      }
    }
  };

  const faults = (async () => {
    const plan = ['nats restart', 'writer kill -9', 'nats freeze 15 s'];
    for (let i = 0; Date.now() + EVERY_MS < end; i++) {
      await sleep(EVERY_MS);
      const fault = plan[i % plan.length];
      console.log(`${new Date().toISOString()}  ${fault}`);
      if (fault === 'nats restart') {
        await nats.stop('SIGTERM');
        await sleep(3_000);
        nats = await startOwnNats(nats.storeDir, port);
      } else if (fault === 'writer kill -9') {
        await writer.kill('SIGKILL');
        await sleep(2_000);
        writer = await startLoglake({ role: 'writer', dataDir: collector.dataDir, env, ports: writer.env });
      } else {
        nats.proc.kill('SIGSTOP');
        await sleep(15_000);
        nats.proc.kill('SIGCONT');
      }
    }
  })();

  await Promise.all([...ROUTES.map(client), faults]);
  const total = acked.logs.size + acked.events.size;
  console.log(`load done: ${total} records acknowledged; waiting for the lake`);

  // Row counts can run ahead of what is there (records the bus was not sure of may be stored too), so the
  // check is of the acknowledged records themselves, repeated while the writer may still be catching up.
  const check = async () => {
    let lost = 0;
    let duplicates = 0;
    for (const [table, column] of [['logs', 'message'], ['events', 'id']] as const) {
      const { ids } = await lakeValues(collector.dataDir, project, table, column);
      for (const marker of acked[table]) {
        const n = ids.get(marker) ?? 0;
        if (n === 0) lost++;
        if (n > 1) duplicates += n - 1;
      }
    }
    return { lost, duplicates };
  };
  const settleBy = Date.now() + 180_000;
  let { lost, duplicates } = await check();
  while (lost > 0 && Date.now() < settleBy) {
    await sleep(5_000);
    ({ lost, duplicates } = await check());
  }
  clearInterval(sampler);
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]?.toFixed(0);
  console.log(JSON.stringify({
    minutes: MINUTES, fault_every_minutes: EVERY_MS / 60_000, rate_target: RATE,
    acknowledged: total, stored: total - lost, lost, duplicates,
    ack_ms: { p50: p(0.5), p99: p(0.99), max: p(1) },
    max_rss_mb: { collector: Math.round(peak.collector), writer: Math.round(peak.writer), nats: Math.round(peak.nats) },
    answers: Object.fromEntries([...statuses].sort()),
  }, null, 2));
  await Promise.all([collector.kill('SIGTERM'), writer.kill('SIGTERM')]);
  await nats.stop();
  process.exit(lost === 0 && duplicates === 0 ? 0 : 1);
}

await main();
