import { readFileSync, readdirSync, statSync } from 'node:fs';
import { request, type Agent } from 'node:http';
import { join } from 'node:path';
import type { LoglakeProcess } from '../test/helpers/loglake.js';

// What the benchmarks measure from outside the processes they start.

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** The machine's CPU time counters (`/proc/stat`, all cores). */
export function machineTimes(): number[] {
  return readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
}

/** The whole machine's busy share since `from` (both cores, the load generator included). */
export function machineBusy(from: number[]): number {
  const now = machineTimes();
  const d = now.map((v, i) => v - (from[i] ?? 0));
  const total = d.reduce((a, b) => a + b, 0);
  return total === 0 ? NaN : 1 - (d[3] + d[4]) / total;
}

/**
 * POSTs a body on a keep-alive agent; resolves with the status. The benchmarks cycle through bodies built
 * up front, so a repeated body needs its own `Idempotency-Key` in `headers`: without one, the body's
 * digest names the request, and the bus stores it once (README, "Retrying is safe").
 */
export function post(agent: Agent, url: URL, headers: Record<string, string>, body: string | Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The headers of a GoodLogs request with `key`, named by `idempotencyKey` when it repeats a body. */
export function goodlogsHeaders(key: string, idempotencyKey?: string): Record<string, string> {
  return { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) };
}

/** How many logs carry `marker` in their message, as the node's GQL answers. */
export async function countMessage(p: LoglakeProcess, key: string, marker: string): Promise<number> {
  const res = await fetch(`${p.url}/v1/gql/query`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ q: `message:"${marker}" | count | last:1d` }),
  });
  const body = (await res.json()) as { data?: { results?: { value: number }[] } };
  return body.data?.results?.[0]?.value ?? 0;
}

/**
 * Which records whose message (events: `distinct_id`) starts with `prefix` the node's GQL finds, by that
 * value: one query, however many sampled records are waiting to be seen.
 */
export async function visibleMarkers(p: LoglakeProcess, key: string, table: 'logs' | 'events', prefix: string): Promise<Set<string>> {
  const field = table === 'logs' ? 'message' : 'distinct_id';
  const res = await fetch(`${p.url}/v1/gql/query`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ q: `${table === 'logs' ? '' : 'from:events '}${field} ~ "${prefix}" | count by ${field} | top 1000 | last:1d` }),
  });
  // A refused query would otherwise read as records never seen.
  if (res.status !== 200) throw new Error(`GQL answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { data?: { results?: Record<string, unknown>[] } };
  return new Set((body.data?.results ?? []).map((r) => String(r[field])));
}

/** Bytes of the Parquet files under `dir`. */
export function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    total += e.isDirectory() ? dirBytes(full) : e.name.endsWith('.parquet') ? statSync(full).size : 0;
  }
  return total;
}

/** What `loop-delay.mjs` wrote: its timer's interval, [ms since the epoch, ms late, ms waited for a CPU] triples, flat, and GC pauses. */
interface LoopFile {
  everyMs: number;
  delays: number[];
  gcs: [at: number, ms: number, kind: string][];
}

/**
 * The event loop's delay (how late a 10 ms timer ran: every request waiting in the loop then waited as
 * long), how much of the stalls (> 50 ms late) and of the whole window its thread spent waiting for a
 * CPU, and the GC pauses, in the window [from, to] (ms since the epoch); null when the process wrote none.
 */
export function loopFigures(file: string, from: number, to: number) {
  let saved: LoopFile;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as LoopFile;
  } catch {
    return null;
  }
  const late: number[] = [];
  let waited = 0;
  let stalled = 0;
  let stalledWaiting = 0;
  for (let i = 0; i < saved.delays.length; i += 3) {
    const [at, ms, wait] = [saved.delays[i], saved.delays[i + 1], saved.delays[i + 2]];
    if (at < from || at > to) continue;
    late.push(ms);
    waited += wait;
    if (ms > 50) {
      stalled += saved.everyMs + ms;
      stalledWaiting += wait;
    }
  }
  late.sort((a, b) => a - b);
  const gcs = saved.gcs.filter(([at]) => at >= from && at <= to);
  const pauses = (kind: string) => {
    const ms = gcs.filter((g) => g[2] === kind).map((g) => g[1]);
    return { count: ms.length, total_ms: Math.round(ms.reduce((a, b) => a + b, 0)), max_ms: Math.round(Math.max(0, ...ms)) };
  };
  const round = (x: number) => +x.toFixed(1);
  return {
    event_loop_delay_ms: { p50: round(percentile(late, 0.5)), p99: round(percentile(late, 0.99)), max: round(late[late.length - 1] ?? NaN), over_50: late.filter((x) => x > 50).length },
    /** Shares of time loglake's main thread was ready to run and waited for a CPU: in the stalls over 50 ms, and in the whole window. */
    main_thread_waiting_for_cpu: { in_stalls: stalled ? +(stalledWaiting / stalled).toFixed(2) : null, overall: +(waited / (to - from)).toFixed(2) },
    gc: { major: pauses('major'), minor: pauses('minor') },
  };
}
