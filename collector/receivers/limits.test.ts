import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goodlogsReceiverFactory } from './goodlogs/factory.js';
import { logtraceReceiverFactory } from './logtrace/factory.js';
import { logtrailReceiverFactory } from './logtrail/factory.js';
import { receiverHarness, type ReceiverHarness } from './testing.js';
import type { BootstrapInfo } from '../../storage/meta/bootstrap.js';
import type { KeyFamily } from '../../storage/meta/store.js';
import { monthWindow, hourWindow } from '../../server/limits/windows.js';

/**
 * The shared limiter on each surface's ingest routes: a project on a plan is refused in the surface's own
 * words, with the limit headers; the harness's bootstrap project (unlimited) never is.
 */

interface Surface {
  name: string;
  factory: Parameters<typeof receiverHarness>[0];
  family: KeyFamily;
  /** The harness's key of the unlimited bootstrap project. */
  unlimited: keyof BootstrapInfo['keys'];
  scopes: string[];
  url: string;
  body: unknown;
  ok: number;
  code: (body: Record<string, any>) => string;
  rate: [number, string];
  quota: [number, string];
}

const SURFACES: Surface[] = [
  {
    name: 'GoodLogs', factory: goodlogsReceiverFactory, family: 'goodlogs', unlimited: 'goodlogs_secret', scopes: ['ingest:write'], url: '/v1/logs',
    body: { batch: [{ severity: 'info', message: 'x' }] }, ok: 202, code: (b) => b.error.code,
    rate: [429, 'RATE_LIMITED'], quota: [402, 'QUOTA_EXCEEDED'],
  },
  {
    name: 'Logtrail', factory: logtrailReceiverFactory, family: 'logtrail', unlimited: 'logtrail_rw', scopes: ['logs:write'], url: '/api/v1/workspace/logs',
    body: { action: 'a', level: 'info', clientTimestamp: '2026-06-15T10:00:00Z' }, ok: 201, code: (b) => b.error_code,
    rate: [429, 'RATE_LIMIT_PLAN_EXCEEDED'], quota: [429, 'QUOTA_MONTHLY_LOG_LIMIT_EXCEEDED'],
  },
  {
    name: 'LogTrace', factory: logtraceReceiverFactory, family: 'logtrace', unlimited: 'logtrace', scopes: ['logs:write'], url: '/v1/logs/ingest',
    body: { logs: [{ level: 'INFO', message: 'x' }] }, ok: 202, code: (b) => b.error.code,
    rate: [429, 'RATE_LIMITED'], quota: [429, 'QUOTA_EXCEEDED'],
  },
];

describe.each(SURFACES)('$name ingest under a plan', (s) => {
  let h: ReceiverHarness;
  const keys: Record<string, string> = {};
  const post = (key: string) =>
    h.http.inject({ method: 'POST', url: s.url, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, payload: JSON.stringify(s.body) });

  beforeAll(async () => {
    h = await receiverHarness(s.factory, {}, s.family === 'goodlogs' ? ['logs', 'events'] : ['logs']);
    for (const plan of ['standard', 'free']) {
      await h.meta.createProject('default', plan, plan, `on_${plan}`);
      const spec = { org_id: 'default', project_id: `on_${plan}`, family: s.family, kind: 'secret' as const, scopes: s.scopes, environments: null, region: 'eu', name: plan };
      keys[plan] = (await h.meta.createKey(spec)).secret;
    }
  });
  afterAll(() => h.close());

  it('answers the hourly request limit with the surface’s rate code, Retry-After and X-RateLimit-*', async () => {
    h.meta.addUsage('on_standard', 'ingest_requests', hourWindow(new Date()).key, 9_999);
    const last = await post(keys.standard);
    expect(last.statusCode).toBe(s.ok);
    expect(last.headers).toMatchObject({ 'x-ratelimit-limit': '10000', 'x-ratelimit-remaining': '0' });
    const refused = await post(keys.standard);
    expect([refused.statusCode, s.code(refused.json())]).toEqual(s.rate);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers).toMatchObject({ 'x-ratelimit-limit': '10000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': expect.stringMatching(/^\d+$/) });
  });

  it('answers the monthly log quota with the surface’s quota code, and stores nothing', async () => {
    h.meta.addUsage('on_free', 'logs', monthWindow(new Date()).key, 100_000);
    const before = h.batches.length;
    const refused = await post(keys.free);
    expect([refused.statusCode, s.code(refused.json())]).toEqual(s.quota);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(h.batches.length).toBe(before);
  });

  it('never limits an unlimited project, and sends it no limit headers', async () => {
    const res = await post(h.keys[s.unlimited]);
    expect(res.statusCode).toBe(s.ok);
    expect(res.headers['x-ratelimit-limit']).toBeUndefined();
  });
});

describe('Logtrail validation requests', () => {
  it('have their own rate code, and are not held to the quota (they store nothing)', async () => {
    const h = await receiverHarness(logtrailReceiverFactory, {}, ['logs']);
    try {
      await h.meta.createProject('default', 'free', 'free', 'on_free');
      const key = (await h.meta.createKey({ org_id: 'default', project_id: 'on_free', family: 'logtrail', kind: 'secret', scopes: ['logs:write'], environments: null, region: null, name: 'v' })).secret;
      h.meta.addUsage('on_free', 'logs', monthWindow(new Date()).key, 100_000);
      const validate = () =>
        h.http.inject({ method: 'POST', url: '/api/v1/workspace/logs/validate', headers: { 'content-type': 'application/json', 'x-api-key': key }, payload: JSON.stringify(SURFACES[1].body) });
      // Ten requests fit in one second of the free plan's ten: start them early in a second.
      while (Date.now() % 1000 > 300) await new Promise((r) => setTimeout(r, 20));
      const answers = [];
      for (let i = 0; i < 11; i++) answers.push(await validate());
      expect(answers.slice(0, 10).map((r) => r.statusCode)).toEqual(Array(10).fill(200));
      expect([answers[10].statusCode, answers[10].json().error_code]).toEqual([429, 'RATE_LIMIT_VALIDATE_EXCEEDED']);
    } finally {
      await h.close();
    }
  });
});
