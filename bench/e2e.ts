/**
 * One end-to-end run of one surface through a started `loglake start` (HTTP/gRPC/TCP → bus → writer →
 * Parquet), measured from outside the process, as a user would see it: concurrent clients cycle through
 * bodies built up front (so they spend little of the machine's CPU) for `seconds`; the run ends once the
 * lake holds every accepted record, checked by id.
 *
 * Sampling: twice a second a probe client sends one more full body whose first record carries a marker,
 * and times that record's acknowledgement and its visibility (a GQL query finding it, asked 50 ms after
 * each answer by one query for all sampled records still unseen), both from the send.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { startLoglake } from '../test/helpers/loglake.js';
import { lakeIds, lakeRowCount } from '../test/helpers/lake.js';
import { deleteStream, type OwnNats } from '../test/helpers/nats.js';
import { acknowledges, senderFor } from './clients.js';
import { dirBytes, loopFigures, machineBusy, machineTimes, percentile, visibleMarkers } from './measure.js';
import { cpuSeconds, preloadEnv, rssMb } from './process.js';
import { BATCH, type Surface } from './surfaces.js';

export interface RunOptions {
  seconds: number;
  clients: number;
  /** JetStream on this server (the benchmark's own, so its CPU can be read); the embedded bus without. */
  nats?: OwnNats;
  /** Writes the started process's V8 CPU profile into this directory when it stops. */
  cpuProf?: string;
  /** The writer's flush interval (`storage.writer.flush_interval_ms`); its default when absent. */
  flushMs?: number;
  /** Samples the started process's event loop and GC pauses (`loop-delay.mjs`), at a cost to what it measures. */
  loopDelay?: boolean;
}

const BODIES = 64;
/**
 * Twice a second: while a sample waits to be seen, the poller's query (a scan of the day) runs back to
 * back, so sampling ten times a second kept it running all the time and cost ingest a third more CPU
 * per record (two A/B pairs, bench/README.md). A p99 wants a longer run (`--seconds 30`: 56 samples).
 */
const PROBE_EVERY_MS = 500;
/** A sampled record not visible by then is counted as missing rather than waited for. */
const VISIBLE_WITHIN_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ms = (sorted: number[]) => (sorted.length ? { p50: Math.round(percentile(sorted, 0.5)), p99: Math.round(percentile(sorted, 0.99)) } : null);
const perMillion = (cpu: number, records: number) => +((cpu / records) * 1e6).toFixed(1);

/** Free ports are picked before loglake binds them; on a shared machine another process may take one first. */
async function startWithFreshPorts(dataDir: string, env: Record<string, string>, attempts = 3): ReturnType<typeof startLoglake> {
  try {
    return await startLoglake({ dataDir, env });
  } catch (err) {
    if (attempts <= 1 || !String(err).includes('EADDRINUSE')) throw err;
    return startWithFreshPorts(dataDir, env, attempts - 1);
  }
}

export const machine = () => `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;

export async function runEndToEnd(surface: Surface, opts: RunOptions) {
  const dataDir = mkdtempSync(join(tmpdir(), 'loglake-bench-'));
  const loopFile = opts.loopDelay ? join(dataDir, 'loop-delay.json') : undefined;
  const env: Record<string, string> = preloadEnv(loopFile, opts.cpuProf);
  const stream = `BENCH_${Date.now()}`;
  const bus = opts.nats ? `  bus:\n    kind: jetstream\n    nats_url: ${opts.nats.url}\n    stream: ${stream}\n    subject_prefix: ${stream.toLowerCase()}\n    max_age_hours: 1\n` : '';
  const writer = opts.flushMs ? `  writer:\n    flush_interval_ms: ${opts.flushMs}\n` : '';
  if (bus || writer) {
    const path = join(dataDir, 'loglake.yaml');
    writeFileSync(path, `storage:\n${bus}${writer}`);
    env.LOGLAKE_CONFIG = path;
  }
  const p = await startWithFreshPorts(dataDir, env);
  // A failed run must not leave its loglake behind to skew the next one.
  const killOnExit = () => p.proc.kill('SIGKILL');
  process.on('exit', killOnExit);
  const { keys, project_id } = p.bootstrap();
  const bodies = Array.from({ length: BODIES }, (_, b) => surface.body(b));
  const rawBytesPerRecord = bodies.reduce((n, b) => n + b.length, 0) / (bodies.length * BATCH);
  const natsPid = opts.nats?.proc.pid;

  const requestAcks: number[] = [];
  const sampledAcks: number[] = [];
  const visible: number[] = [];
  /** Per sampled record: from its send to the sending of the first query that saw it (the query's own time left out). */
  const visibleAtQuery: number[] = [];
  const pollQueries: number[] = [];
  const rss: number[] = [];
  let natsRss = 0;
  let accepted = 0;
  let failed = 0;
  let missing = 0;
  const cpuAtStart = cpuSeconds(p.proc.pid!);
  const natsAtStart = natsPid ? cpuSeconds(natsPid) : 0;
  const statAtStart = machineTimes();
  const started = Date.now();
  const deadline = started + opts.seconds * 1000;
  const sampler = setInterval(() => {
    rss.push(rssMb(p.proc.pid));
    natsRss = Math.max(natsRss, rssMb(natsPid));
  }, 250);

  const client = async (c: number) => {
    const sender = senderFor(surface.id, p);
    for (let i = c; Date.now() < deadline; i += opts.clients) {
      const t0 = performance.now();
      if (await sender.send(bodies[i % bodies.length], `bench-${started}-${i}`)) {
        requestAcks.push(performance.now() - t0);
        accepted += BATCH;
      } else failed++;
    }
    sender.close();
  };
  // One poller for every sampled record still waiting to be seen: a query per waiting record would load
  // the process being measured (and did: see "Ingest" in bench/README.md).
  const prefix = `probe-${surface.id}-${started}-`;
  const waiting = new Map<string, number>();
  let probing = true;
  const poll = async () => {
    while (probing || waiting.size > 0) {
      if (waiting.size > 0) {
        const asked = performance.now();
        const seen = await visibleMarkers(p, keys.goodlogs_secret, surface.table, prefix);
        const now = performance.now();
        pollQueries.push(now - asked);
        for (const [marker, t0] of waiting) {
          if (seen.has(marker)) {
            visible.push(now - t0);
            visibleAtQuery.push(Math.max(0, asked - t0));
          } else if (now - t0 > VISIBLE_WITHIN_MS) missing++;
          else continue;
          waiting.delete(marker);
        }
      }
      await sleep(50);
    }
  };
  const probe = async () => {
    const sender = senderFor(surface.id, p);
    for (let n = 0; Date.now() < deadline - 2000; n++) {
      const next = performance.now() + PROBE_EVERY_MS;
      const marker = `${prefix}${n}`;
      const body = surface.body(BODIES + n, marker);
      const t0 = performance.now();
      if (await sender.send(body, `probe-${started}-${n}`)) {
        sampledAcks.push(performance.now() - t0);
        accepted += BATCH;
        waiting.set(marker, t0);
      } else failed++;
      await sleep(next - performance.now());
    }
    probing = false;
    sender.close();
  };
  await Promise.all([...Array.from({ length: opts.clients }, (_, c) => client(c)), probe(), poll()]);
  const acceptedAt = Date.now();

  let inLake = 0;
  while ((inLake = await lakeRowCount(dataDir, project_id, surface.table)) < accepted) await sleep(200);
  const drainedAt = Date.now();
  const cpuUsed = cpuSeconds(p.proc.pid!) - cpuAtStart;
  const natsUsed = natsPid ? cpuSeconds(natsPid) - natsAtStart : NaN;
  const busy = machineBusy(statAtStart);
  clearInterval(sampler);
  // Footers can count a merged file beside the files it replaces for a moment; the ids are the truth.
  const exact = await lakeIds(dataDir, project_id, surface.table);
  if (exact.ids.size !== exact.rows || exact.rows !== accepted) {
    throw new Error(`${surface.id}: lake holds ${exact.rows} rows (${exact.ids.size} distinct ids); ${accepted} were accepted`);
  }
  const parquetBytes = dirBytes(join(dataDir, 'lake', project_id, surface.table));
  await p.kill('SIGTERM');
  process.off('exit', killOnExit);
  const loop = loopFile ? loopFigures(loopFile, started, acceptedAt) : null;
  if (opts.nats) await deleteStream(stream, opts.nats.url);
  for (const xs of [requestAcks, sampledAcks, visible, visibleAtQuery, pollQueries, rss]) xs.sort((a, b) => a - b);
  const acks = acknowledges(surface.id);
  return {
    surface: surface.id,
    bus: opts.nats ? 'jetstream' : 'embedded',
    clients: opts.clients,
    seconds: opts.seconds,
    batch: BATCH,
    records_accepted: accepted,
    failed_requests: failed,
    accepted_records_per_s: Math.round(accepted / ((acceptedAt - started) / 1000)),
    end_to_end_records_per_s: Math.round(inLake / ((drainedAt - started) / 1000)),
    drain_after_load_s: (drainedAt - acceptedAt) / 1000,
    /** Per request, every request; TCP has no acknowledgement. */
    request_ack_ms: acks ? ms(requestAcks) : null,
    sampled_ack_ms: acks ? ms(sampledAcks) : null,
    sampled_visible_ms: ms(visible),
    /**
     * The same, to when the first query that saw the record was sent: the record was there for any query
     * taken then (the server takes its snapshot as the query starts, a few ms after it is sent), so this
     * leaves out the probe query's own time, which grows with the rows of the day it scans. The poller
     * asks again 50 ms after each answer.
     */
    sampled_visible_at_query_ms: ms(visibleAtQuery),
    probe_query_ms: ms(pollQueries),
    /** loglake's event loop while the clients sent (a request waits for as long as the loop is held), and its GC pauses. */
    ...loop,
    /** Sampled records visible, and not visible within a minute. */
    samples: { visible: visible.length, missing },
    loglake_cpu_s_per_million_records: perMillion(cpuUsed, inLake),
    nats_cpu_s_per_million_records: natsPid ? perMillion(natsUsed, inLake) : null,
    machine_busy_share: +busy.toFixed(2),
    rss_mb: { median: Math.round(percentile(rss, 0.5)), max: Math.round(rss[rss.length - 1]) },
    nats_rss_max_mb: natsPid ? Math.round(natsRss) : null,
    bytes_per_record: { parquet: +(parquetBytes / inLake).toFixed(1), raw_body: +rawBytesPerRecord.toFixed(1), ratio: +(rawBytesPerRecord / (parquetBytes / inLake)).toFixed(1) },
  };
}

export type EndToEnd = Awaited<ReturnType<typeof runEndToEnd>>;
