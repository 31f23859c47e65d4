// What the PostHog route tests share: the whole service in-process with the query clock pinned, logs sent
// through GoodLogs ingest, and requests with the bootstrap personal key.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { logsInFiles, startTestService, type TestService } from './service.js';
import { waitFor } from './ports.js';

export interface LogItem {
  id: string;
  timestamp: string;
  severity: string;
  message?: string;
  action?: string;
  environment?: string;
  tags?: string[];
  trace_id?: string;
  properties?: Record<string, unknown>;
  resource?: Record<string, string>;
}

export interface PosthogTest {
  t: TestService;
  /** The pinned query clock: the top of the current hour, so buckets line up and data is in the past. */
  now: Date;
  key: string;
  project: string;
  /** The API port, for requests that must see a real stream. */
  url: string;
  ph(method: 'GET' | 'POST', route: string, body?: unknown, opts?: { key?: string | null; project?: string }): Promise<{ status: number; body: any }>;
  /** Sends logs through GoodLogs ingest (500 a batch) and waits until all of them are queryable, and in files. */
  ingest(items: LogItem[]): Promise<void>;
}

export function log(now: Date, secondsAgo: number, fields: Partial<LogItem> = {}): LogItem {
  return { id: randomUUID(), timestamp: new Date(now.getTime() - secondsAgo * 1000).toISOString(), severity: 'info', ...fields };
}

export async function startPosthogTest(): Promise<PosthogTest> {
  const now = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
  const t = await startTestService({ query: { now: now.toISOString() } });
  const key = t.bootstrap.keys.posthog_personal;
  const project = t.bootstrap.project_id;
  let stored = 0;

  const ph: PosthogTest['ph'] = async (method, route, body, opts = {}) => {
    const res = await t.request(method, `/api/projects/${opts.project ?? project}/logs/${route}`, {
      body, token: opts.key === null ? undefined : opts.key ?? key,
    });
    return { status: res.statusCode, body: res.body ? res.json() : undefined };
  };

  // An oracle outside the route under test: GoodLogs GQL over all time.
  const total = async () => {
    const res = await t.request('POST', '/v1/gql/query', { token: t.bootstrap.keys.goodlogs_secret, body: { q: 'count | since 2000-01-01 until 2100-01-01' } });
    return res.json().data.results[0].value as number;
  };

  const ingest: PosthogTest['ingest'] = async (items) => {
    for (let i = 0; i < items.length; i += 500) {
      const res = await t.request('POST', '/v1/logs', { token: t.bootstrap.keys.goodlogs_secret, body: { batch: items.slice(i, i + 500) } });
      if (res.statusCode !== 202 || res.json().accepted !== Math.min(500, items.length - i)) throw new Error(`ingest: ${res.statusCode} ${res.body}`);
    }
    stored += items.length;
    await waitFor(`${stored} logs in the lake`, async () => (await total()) === stored, 30_000, 50);
    await logsInFiles(t, project);
  };

  const { port } = t.http.server.address() as AddressInfo;
  return { t, now, key, project, url: `http://127.0.0.1:${port}`, ph, ingest };
}

const SAMPLE_SERVICES = ['billing', 'checkout', null] as const;
const SAMPLE_SEVERITIES = ['debug', 'info', 'info', 'warn', 'error', 'fatal'] as const;

/**
 * 48 logs over the hour before `now` (one every 75 s, newest first), cycling through three services (one by
 * property, one by resource, one none) and six severities, and two logs two days old.
 */
export function sampleLogs(now: Date): LogItem[] {
  const recent = Array.from({ length: 48 }, (_, i) => {
    const service = SAMPLE_SERVICES[i % 3];
    return log(now, i * 75 + 30, {
      severity: SAMPLE_SEVERITIES[i % 6],
      message: i % 4 === 0 ? `timeout talking to db (request ${i})` : `request ${i}, "ok"`,
      properties: { plan: i % 4 === 1 ? 'pro' : 'free', amount: i * 10, ...(service === 'billing' ? { service } : {}) },
      resource: service === 'checkout' ? { 'service.name': service, 'host.name': `ip-10-0-0-${i % 4}` } : { 'host.name': `ip-10-0-1-${i % 2}` },
    });
  });
  const old = [1, 2].map((n) => log(now, 2 * 86_400 + n, { severity: 'error', message: 'old', properties: { service: 'billing', plan: 'pro' } }));
  return [...recent, ...old];
}

/** The service ingest derives (spec 3.6). */
export function serviceOf(item: LogItem): string | null {
  return item.resource?.['service.name'] ?? (typeof item.properties?.service === 'string' ? item.properties.service : null);
}

/** The default search order: latest first, ties by id. */
export function latestFirst(items: LogItem[]): LogItem[] {
  return [...items].sort((a, b) => b.timestamp.localeCompare(a.timestamp) || b.id.localeCompare(a.id));
}
