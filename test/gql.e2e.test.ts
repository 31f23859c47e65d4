import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoglake, type BootstrapFile, type LoglakeProcess } from './helpers/loglake.js';
import { waitFor } from './helpers/ports.js';

let p: LoglakeProcess;
let boot: BootstrapFile;
let token: string;

const get = async (path: string, auth: string) => {
  const res = await fetch(`${p.url}${path}`, { headers: { authorization: `Bearer ${auth}` } });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const post = async (path: string, body: unknown) => {
  const res = await fetch(`${p.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${boot.keys.goodlogs_secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
};

beforeAll(async () => {
  p = await startLoglake();
  boot = p.bootstrap();
  const batch = Array.from({ length: 40 }, (_, i) => ({
    severity: i % 4 === 0 ? 'error' : 'info',
    message: i % 4 === 0 ? 'Connection timeout' : `served ${i}`,
    properties: { service: i % 3 === 0 ? 'billing' : 'api', orderId: `ord_${i}` },
  }));
  expect((await post('/v1/logs', { batch })).status).toBe(202);
  await waitFor('logs queryable', async () => (await post('/v1/gql/query', { q: 'count' })).body.data?.results?.[0]?.value === 40);
  const login = await fetch(`${p.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(boot.admin) });
  token = ((await login.json()) as { token: string }).token;
});
afterAll(async () => p?.kill('SIGKILL'));

describe('GoodLogs GQL through the started process', () => {
  it('answers the seed batch with per-query status, partial failures included', async () => {
    const res = await post('/v1/gql', { queries: ['count', 'severity:error | count by message | top 10', 'count by (', { q: 'from:events | count', source: 'logs' }] });
    expect(res.status).toBe(200);
    expect(res.body.map((r: { status: string }) => r.status)).toEqual(['ok', 'ok', 'error', 'ok']);
    expect(res.body[1].data.results).toEqual([{ message: 'Connection timeout', value: 10 }]);
    expect(res.body[2]).toMatchObject({ query: 'count by (', code: 'VALIDATION_ERROR', type: 'VALIDATION_QUERY_SYNTAX' });
    expect(typeof res.body[2].error).toBe('string');
    expect(res.body[2].error.length).toBeGreaterThan(0);
    expect((await post('/v1/gql', { queries: Array(11).fill('count') })).status).toBe(400);
  });

  it('answers a bad query with the spec error object and position', async () => {
    const res = await post('/v1/gql/query', { q: 'severity:' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', type: 'VALIDATION_QUERY_SYNTAX', position: 9, expected: expect.arrayContaining(['value']) });
  });

  it('answers a well-formed query that cannot run with 422, an unknown function with 400', async () => {
    const invalid = await post('/v1/gql/query', { q: 'p95(message)' });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error).toMatchObject({ code: 'VALIDATION_ERROR', type: 'VALIDATION_QUERY_INVALID', position: 4 });
    expect((await post('/v1/gql/query', { q: 'median(duration_ms)' })).status).toBe(400);
    expect((await post('/v1/gql/query', { q: 'p95(severity_number)' })).status).toBe(200);
  });

  it('finds an event by properties.distinct_id as by distinct_id', async () => {
    const events = [{ event: 'signup', distinctId: 'user_123' }, { event: 'signup', distinctId: 'user_456' }];
    expect((await post('/v1/events', { batch: events })).status).toBe(202);
    const count = async (q: string) => (await post('/v1/gql/query', { q: `from:events ${q} | count` })).body.data?.results?.[0]?.value;
    await waitFor('events queryable', async () => (await count('distinct_id:user_123')) === 1);
    expect(await count('properties.distinct_id:user_123')).toBe(1);
    expect(await count('properties.distinct_id:nobody')).toBe(0);
  });

  it('runs the dashboard GQL route for members only', async () => {
    const path = `/api/orgs/${boot.org_id}/projects/${boot.project_id}/gql?q=${encodeURIComponent('severity:error | count by message | top 10')}`;
    const res = await get(path, token);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ mode: 'aggregate', results: [{ message: 'Connection timeout', value: 10 }], total_groups: 1 });
    expect((await get(path, boot.keys.goodlogs_secret)).status).toBe(401);
  });

  it('autocompletes values, fields and stages from the discovered schema', async () => {
    const values = await get(`/v1/gql/autocomplete?q=${encodeURIComponent('severity:')}&cursor=9`, boot.keys.goodlogs_secret);
    expect(values.status).toBe(200);
    expect(values.body).toMatchObject({ valid: false, context: { kind: 'value', field: 'severity' } });
    expect(values.body.suggestions.map((s: { text: string }) => s.text)).toEqual(expect.arrayContaining(['error', 'info']));

    const service = await get(`/v1/gql/autocomplete?q=${encodeURIComponent('service:')}`, boot.keys.goodlogs_secret);
    expect(service.body.suggestions.map((s: { text: string }) => s.text).slice(0, 2)).toEqual(['api', 'billing']);

    const fields = await waitFor('catalog fields', async () => {
      const r = await get(`/api/orgs/${boot.org_id}/projects/${boot.project_id}/gql/autocomplete?q=ord`, token);
      return r.body.suggestions.some((s: { text: string }) => s.text === 'orderId') ? r : null;
    });
    expect(fields.body.valid).toBe(true);
  });
});
