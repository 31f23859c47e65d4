import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthWindow } from '../limits/windows.js';
import { startTestService, type TestService } from '../../test/helpers/service.js';

let t: TestService;
let planned: { project: string; logtrail: string };

beforeAll(async () => {
  t = await startTestService();
  const { token, user } = await t.signup('info@example.com');
  const org = user.org_ids[0];
  const project = (await t.request('POST', `/api/orgs/${org}/projects`, { token, body: { name: 'planned', plan: 'developer' } })).json().id;
  const key = await t.request('POST', `/api/orgs/${org}/projects/${project}/keys`, { token, body: { format: 'logtrail', kind: 'secret', environments: ['staging'], name: 'stage' } });
  planned = { project, logtrail: key.json().key };
  const logs = await t.request('POST', '/v1/logs', { token: t.bootstrap.keys.goodlogs_secret, body: { batch: [1, 2, 3].map((i) => ({ severity: 'info', message: `m${i}` })) } });
  const events = await t.request('POST', '/v1/events', { token: t.bootstrap.keys.goodlogs_public, body: { batch: [{ event: 'signup' }] } });
  expect([logs.statusCode, events.statusCode]).toEqual([202, 202]);
});
afterAll(() => t.close());

const month = () => monthWindow(new Date());

describe('GoodLogs GET /v1/info', () => {
  it('answers the key’s project, org, this month’s usage and its live key count', async () => {
    const res = await t.request('GET', '/v1/info', { token: t.bootstrap.keys.goodlogs_secret });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      project: { id: 'default', name: 'default', plan: 'unlimited', created_at: expect.any(String) },
      org: { id: 'default', name: 'default' },
      usage: { period_start: month().start.toISOString(), period_end: month().end.toISOString(), logs: 3, events: 1, logs_limit: null },
      key_count: 5,
    });
  });

  it('needs a secret key with data:read', async () => {
    expect((await t.request('GET', '/v1/info', { token: t.bootstrap.keys.goodlogs_public })).json().error.code).toBe('FORBIDDEN');
    const writer = await t.meta.createKey({ org_id: 'default', project_id: 'default', family: 'goodlogs', kind: 'secret', scopes: ['ingest:write'], environments: null, region: 'eu', name: 'w' });
    expect((await t.request('GET', '/v1/info', { token: writer.secret })).statusCode).toBe(403);
  });
});

describe('Logtrail GET /info and /usage', () => {
  it('/info answers the seed’s InfoResponse for the key', async () => {
    const res = await t.request('GET', '/api/v1/workspace/info', { apiKey: t.bootstrap.keys.logtrail_rw });
    const key = t.meta.findKey(t.bootstrap.keys.logtrail_rw)!;
    expect(res.json()).toEqual({
      organization: { id: 'default', name: 'default' },
      project: { id: 'default', name: 'default' },
      api_key: { id: key.id, name: 'bootstrap logtrail', scopes: ['logs:read', 'logs:write'], environment_scopes: ['production'] },
      plan: { code: 'unlimited', logs_per_month: null, log_retention_days: null, max_batch_size: 1000, max_log_size: 65536 },
      usage: {
        current_month_used: 3,
        current_month_limit: null,
        current_month_remaining: null,
        period_start: month().start.toISOString(),
        period_end: new Date(month().end.getTime() - 1).toISOString(),
        resets_at: month().end.toISOString(),
      },
      ingestion: { allowed_environments: ['production'], default_environment: 'production' },
    });
  });

  it('reports a plan’s quota, and a staging key’s default environment', async () => {
    t.meta.addUsage(planned.project, 'logs', month().key, 250);
    const info = (await t.request('GET', '/api/v1/workspace/info', { apiKey: planned.logtrail })).json();
    expect(info.plan).toMatchObject({ code: 'developer', logs_per_month: 1_000_000 });
    expect(info.usage).toMatchObject({ current_month_used: 250, current_month_limit: 1_000_000, current_month_remaining: 999_750 });
    expect(info.ingestion).toEqual({ allowed_environments: ['staging'], default_environment: 'staging' });
    const usage = await t.request('GET', '/api/v1/workspace/usage', { apiKey: planned.logtrail });
    expect(usage.json()).toEqual({
      used: 250,
      limit: 1_000_000,
      remaining: 999_750,
      period_start: month().start.toISOString(),
      period_end: new Date(month().end.getTime() - 1).toISOString(),
      resets_at: month().end.toISOString(),
      plan_code: 'developer',
    });
  });

  it('needs logs:read', async () => {
    const writer = await t.meta.createKey({ org_id: 'default', project_id: 'default', family: 'logtrail', kind: 'secret', scopes: ['logs:write'], environments: ['production'], region: null, name: 'w' });
    for (const path of ['/info', '/usage']) {
      const res = await t.request('GET', `/api/v1/workspace${path}`, { apiKey: writer.secret });
      expect([res.statusCode, res.json().error_code]).toEqual([403, 'AUTH_API_KEY_SCOPE_MISMATCH']);
    }
  });
});
