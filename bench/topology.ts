/**
 * `npm run bench -- --topology`: the scale-out shape on one machine. A collector, N writers and a query
 * node run as separate processes over one lake directory and one JetStream stream (the machine's NATS, or
 * `--nats`); sustained GoodLogs load goes to the collector. For each N (1 and 2 writers by default) it
 * prints records/s accepted and into Parquet, 202 latency, ingest → queryable on the query node, CPU per
 * record of every loglake process and nats-server, and checks the lake holds every record exactly once.
 *
 *   npm run bench -- --topology [--seconds 20] [--clients 8] [--writers 1,2] [--nats 127.0.0.1:4222]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLoglake, type LoglakeProcess } from '../test/helpers/loglake.js';
import { lakeIds, lakeRowCount } from '../test/helpers/lake.js';
import { logItem } from '../test/helpers/load.js';
import { deleteStream } from '../test/helpers/nats.js';
import { countMessage, goodlogsHeaders, percentile, post } from './measure.js';
import { cpuSeconds, rssMb } from './process.js';

const { values } = parseArgs({
  options: {
    topology: { type: 'boolean' },
    seconds: { type: 'string', default: '20' },
    clients: { type: 'string', default: '8' },
    writers: { type: 'string', default: '1,2' },
    nats: { type: 'string', default: process.env.NATS_URL ?? '127.0.0.1:4222' },
  },
});
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const BATCH = 500;

/** The pid of the nats-server serving `url` on this machine, if one does (for its CPU time). */
function natsPid(url: string): number | null {
  const port = url.split(',')[0].split(':').pop();
  try {
    const out = execFileSync('ss', ['-Htlnp', `sport = :${port}`], { encoding: 'utf8' });
    const m = /pid=(\d+)/.exec(out);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

async function round(writers: number) {
  const root = mkdtempSync(join(tmpdir(), 'loglake-topology-'));
  const stream = `BENCH_TOPO_${writers}_${Date.now()}`;
  const config = join(root, 'loglake.yaml');
  writeFileSync(config, `storage:\n  bus:\n    kind: jetstream\n    nats_url: ${values.nats}\n    stream: ${stream}\n    subject_prefix: ${stream.toLowerCase()}\n    max_age_hours: 1\n`);
  const env = { LOGLAKE_CONFIG: config, LOGLAKE_LAKE_DIR: join(root, 'lake') };
  const procs: LoglakeProcess[] = [];
  const start = async (role: 'collector' | 'writer' | 'query', n: number) => {
    const dataDir = join(root, `${role}-${n}`);
    mkdirSync(dataDir);
    const p = await startLoglake({ role, dataDir, env });
    procs.push(p);
    return p;
  };
  process.on('exit', () => procs.forEach((p) => p.proc.kill('SIGKILL')));
  try {
    const say = (what: string) => process.stderr.write(`[${writers} writer(s)] ${what}\n`);
    const collector = await start('collector', 0);
    for (let w = 0; w < writers; w++) await start('writer', w);
    const query = await start('query', 0);
    say('started a collector, the writers and a query node');
    const { keys, project_id } = collector.bootstrap();
    const key = keys.goodlogs_secret;
    const url = new URL('/v1/logs', collector.url);
    const bodies = Array.from({ length: 64 }, (_, b) => JSON.stringify({ batch: Array.from({ length: BATCH }, (_, i) => {
      const item = logItem(b * BATCH + i);
      delete item.id;
      return item;
    }) }));
    const nats = natsPid(values.nats);
    const cpuOf = () => procs.map((p) => cpuSeconds(p.proc.pid!)).reduce((a, b) => a + b, 0) + (nats ? cpuSeconds(nats) : 0);
    const latencies: number[] = [];
    const freshness: number[] = [];
    const rss = new Map<string, number>();
    const sampler = setInterval(() => {
      for (const p of procs) rss.set(String(p.proc.pid), Math.max(rss.get(String(p.proc.pid)) ?? 0, rssMb(p.proc.pid)));
    }, 500);
    let sent = 0;
    const agent = new Agent({ keepAlive: true, maxSockets: clients + 1 });
    const cpuAtStart = cpuOf();
    const started = Date.now();
    const deadline = started + seconds * 1000;
    const client = async (c: number) => {
      for (let i = c; Date.now() < deadline; i += clients) {
        const t0 = performance.now();
        const status = await post(agent, url, goodlogsHeaders(key, `bench-${started}-${i}`), bodies[i % bodies.length]);
        latencies.push(performance.now() - t0);
        if (status === 202) sent += BATCH;
      }
    };
    // Freshness is seen where users look: on the query node, which follows the writers' shared manifest.
    const probe = async () => {
      for (let n = 0; Date.now() < deadline - 2000; n++) {
        const marker = `topology-probe-${n}-${Date.now()}`;
        const status = await post(agent, url, goodlogsHeaders(key), JSON.stringify({ batch: [{ severity: 'info', message: marker }] }));
        const acked = performance.now();
        if (status !== 202) continue;
        sent += 1;
        while ((await countMessage(query, key, marker)) < 1) await new Promise((r) => setTimeout(r, 25));
        freshness.push(performance.now() - acked);
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    await Promise.all([...Array.from({ length: clients }, (_, c) => client(c)), probe()]);
    const acceptedAt = Date.now();
    say(`load done: ${sent} records accepted; waiting for the lake`);
    while ((await lakeRowCount(root, project_id, 'logs')) < sent) await new Promise((r) => setTimeout(r, 200));
    const drainedAt = Date.now();
    const cpu = cpuOf() - cpuAtStart;
    clearInterval(sampler);
    const exact = await lakeIds(root, project_id, 'logs');
    if (exact.rows !== sent || exact.ids.size !== exact.rows) throw new Error(`lake holds ${exact.rows} rows (${exact.ids.size} distinct ids); ${sent} were accepted`);
    latencies.sort((a, b) => a - b);
    freshness.sort((a, b) => a - b);
    agent.destroy();
    return {
      writers,
      records_accepted: sent,
      accepted_records_per_s: Math.round(sent / ((acceptedAt - started) / 1000)),
      end_to_end_records_per_s: Math.round(sent / ((drainedAt - started) / 1000)),
      latency_202_ms: { p50: Math.round(percentile(latencies, 0.5)), p99: Math.round(percentile(latencies, 0.99)) },
      ingest_to_queryable_on_query_node_ms: { p50: Math.round(percentile(freshness, 0.5)), p99: Math.round(percentile(freshness, 0.99)), samples: freshness.length },
      cpu_s_per_million_records: { all_processes: +((cpu / sent) * 1e6).toFixed(1), nats_server_included: nats !== null },
      rss_mb_max_per_process: Math.round(Math.max(...rss.values())),
    };
  } finally {
    await Promise.all(procs.map((p) => p.kill('SIGTERM')));
    await deleteStream(stream, values.nats);
  }
}

const results = [];
for (const n of values.writers.split(',').map(Number)) results.push(await round(n));
console.log(JSON.stringify({
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  shape: '1 collector + N writers + 1 query node, separate processes, one lake directory, JetStream',
  clients,
  seconds,
  batch: BATCH,
  results,
}, null, 2));
