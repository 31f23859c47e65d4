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
