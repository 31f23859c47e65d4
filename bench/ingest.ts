/**
 * `npm run bench`: sustained ingest through the whole spine (HTTP → bus → writer → Parquet), measured
 * from outside the started process, as a user would see it. Prints the figures recorded in bench/README.md.
 *
 *   npm run bench -- [--seconds 30] [--clients 8] [--bus embedded|jetstream] [--flush-ms N] [--cpu-prof DIR]
 *
 * `--flush-ms` sets the writer's flush interval (`storage.writer.flush_interval_ms`, 500 ms by default).
 * `--cpu-prof DIR` writes the started process's V8 CPU profile into DIR when it stops.
 */
import { Agent } from 'node:http';
import { parseArgs } from 'node:util';
import { startLoglake } from '../test/helpers/loglake.js';
import { lakeIds, lakeRowCount } from '../test/helpers/lake.js';
import { logItem } from '../test/helpers/load.js';
import { deleteStream } from '../test/helpers/nats.js';
import { cpuSeconds, profileEnv, rssMb } from './process.js';
import { countMessage, dirBytes, machineBusy, machineTimes, percentile, post } from './measure.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    clients: { type: 'string', default: '8' },
    bus: { type: 'string', default: 'embedded' },
    nats: { type: 'string', default: process.env.NATS_URL ?? '127.0.0.1:4222' },
    'flush-ms': { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const BATCH = 500;

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'loglake-bench-'));
  const env: Record<string, string> = profileEnv(values['cpu-prof']);
  const stream = `BENCH_${Date.now()}`;
  const bus = values.bus === 'jetstream' ? `  bus:\n    kind: jetstream\n    nats_url: ${values.nats}\n    stream: ${stream}\n    subject_prefix: ${stream.toLowerCase()}\n    max_age_hours: 1\n` : '';
  const writer = values['flush-ms'] ? `  writer:\n    flush_interval_ms: ${Number(values['flush-ms'])}\n` : '';
  if (bus || writer) {
    const path = join(dataDir, 'loglake.yaml');
    writeFileSync(path, `storage:\n${bus}${writer}`);
    env.LOGLAKE_CONFIG = path;
  }
  const p = await startLoglake({ dataDir, env });
  // A failed run must not leave its loglake behind to skew the next one.
  process.on('exit', () => p.proc.kill('SIGKILL'));
  const { keys, project_id } = p.bootstrap();
  const url = new URL('/v1/logs', p.url);
  // Bodies are built up front so the clients, which share the machine's two cores, spend little CPU.
  const bodies = Array.from({ length: 64 }, (_, b) => JSON.stringify({ batch: Array.from({ length: BATCH }, (_, i) => {
    const item = logItem(b * BATCH + i);
    delete item.id;
    return item;
  }) }));
  const rawBytesPerRecord = bodies.reduce((n, b) => n + Buffer.byteLength(b), 0) / (bodies.length * BATCH);

  const latencies: number[] = [];
  const freshness: number[] = [];
  const rss: number[] = [];
  let sent = 0;
  let failed = 0;
  const cpuAtStart = cpuSeconds(p.proc.pid!);
  const statAtStart = machineTimes();
  const started = Date.now();
  const deadline = started + seconds * 1000;
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const sampler = setInterval(() => rss.push(rssMb(p.proc.pid!)), 500);

  const client = async (c: number) => {
    for (let i = c; Date.now() < deadline; i += clients) {
      const t0 = performance.now();
      const status = await post(agent, url, keys.goodlogs_secret, bodies[i % bodies.length], `bench-${started}-${i}`);
      latencies.push(performance.now() - t0);
      if (status === 202) sent += BATCH;
      else failed++;
    }
  };
  const probe = async () => {
    for (let n = 0; Date.now() < deadline - 3000; n++) {
      const marker = `freshness-probe-${n}-${Date.now()}`;
      const status = await post(agent, url, keys.goodlogs_secret, JSON.stringify({ batch: [{ severity: 'info', message: marker }] }));
      const acked = performance.now();
      if (status !== 202) continue;
      while ((await countMessage(p, keys.goodlogs_secret, marker)) < 1) await new Promise((r) => setTimeout(r, 25));
      freshness.push(performance.now() - acked);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  await Promise.all([...Array.from({ length: clients }, (_, c) => client(c)), probe()]);
  const acceptedAt = Date.now();
  const acceptRate = sent / ((acceptedAt - started) / 1000);

  // End to end: until every accepted record is in Parquet.
  let inLake = 0;
  for (;;) {
    inLake = await lakeRowCount(dataDir, project_id, 'logs');
    if (inLake >= sent + freshness.length) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const drainedAt = Date.now();
  const cpuUsed = cpuSeconds(p.proc.pid!) - cpuAtStart;
  const busy = machineBusy(statAtStart);
  // Footers can count a merged file beside the files it replaces for a moment; the ids are the truth.
  const exact = await lakeIds(dataDir, project_id, 'logs');
  if (exact.ids.size !== exact.rows || exact.rows !== sent + freshness.length) {
    throw new Error(`lake holds ${exact.rows} rows (${exact.ids.size} distinct ids); ${sent + freshness.length} were accepted`);
  }
  clearInterval(sampler);
  const parquetBytes = dirBytes(join(dataDir, 'lake', project_id, 'logs'));
  latencies.sort((a, b) => a - b);
  freshness.sort((a, b) => a - b);
  rss.sort((a, b) => a - b);
  const figures = {
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    bus: values.bus,
    clients,
    seconds,
    batch: BATCH,
    records_accepted: sent,
    failed_requests: failed,
    accepted_records_per_s: Math.round(acceptRate),
    end_to_end_records_per_s: Math.round(inLake / ((drainedAt - started) / 1000)),
    drain_after_load_s: (drainedAt - acceptedAt) / 1000,
    latency_202_ms: { p50: Math.round(percentile(latencies, 0.5)), p99: Math.round(percentile(latencies, 0.99)) },
    ingest_to_queryable_ms: { p50: Math.round(percentile(freshness, 0.5)), p99: Math.round(percentile(freshness, 0.99)), samples: freshness.length },
    loglake_cpu_s_per_million_records: +((cpuUsed / inLake) * 1e6).toFixed(1),
    machine_busy_share: +busy.toFixed(2),
    rss_mb: { median: Math.round(percentile(rss, 0.5)), max: Math.round(rss[rss.length - 1]) },
    bytes_per_record: { parquet: +(parquetBytes / inLake).toFixed(1), raw_json: +rawBytesPerRecord.toFixed(1), ratio: +(rawBytesPerRecord / (parquetBytes / inLake)).toFixed(1) },
  };
  console.log(JSON.stringify(figures, null, 2));
  await p.kill('SIGTERM');
  agent.destroy();
  if (values.bus === 'jetstream') await deleteStream(stream, values.nats);
}

await main();
