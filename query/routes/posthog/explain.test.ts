// Explaining a log through the service: the facts come from the project's data (the pattern's counts and
// services, the log's trace), the explanation is cached per log unless force_refresh, and a key reads only its project.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mutate, random } from '../../../test/helpers/mutate.js';
import { waitFor } from '../../../test/helpers/ports.js';
import { startTestService, type TestService } from '../../../test/helpers/service.js';

let t: TestService;
let key: string;
const ID = '0b5c1f7e-3a2d-7c6b-9e8f-a1b2c3d4e5f6';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const url = (project = 'default') => `/api/environments/${project}/logs/explainLogWithAI/`;
const explain = (body: unknown, token = key, project = 'default') => t.request('POST', url(project), { token, body });

beforeAll(async () => {
  t = await startTestService();
  key = t.bootstrap.keys.posthog_personal;
  const gl = t.bootstrap.keys.goodlogs_secret;
  const batch = [
    { id: ID, severity: 'error', message: 'order 1234 failed: card declined', trace_id: TRACE, properties: { service: 'checkout' } },
    { severity: 'error', message: 'order 98 failed: card declined', properties: { service: 'checkout' } },
    { severity: 'error', message: 'order 77 failed: card declined', properties: { service: 'billing' } },
    { severity: 'info', message: 'charging card', trace_id: TRACE, properties: { service: 'payments' } },
    { severity: 'info', message: 'something else 1234' },
  ];
  expect((await t.request('POST', '/v1/logs', { token: gl, body: { batch } })).statusCode).toBe(202);
  await waitFor('the logs', async () => (await t.request('POST', '/v1/gql/query', { token: gl, body: { q: 'count' } })).json().data?.results?.[0]?.value === 5);
});
afterAll(() => t.close());

describe('explainLogWithAI', () => {
  it('explains a log from the data: its pattern, counts, services and trace', async () => {
    const res = await explain({ uuid: ID });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ uuid: ID, force_refresh: false, cached: false });
    expect(body.facts.log).toMatchObject({ id: ID, message: 'order 1234 failed: card declined', severity: 'error' });
    expect(body.facts.pattern_query).toBe('message~"order * failed: card declined"');
    expect(body.facts.similar).toMatchObject({ last_hour: 3, last_day: 3, trend: 'new' });
    expect(body.facts.services).toEqual(expect.arrayContaining([{ service: 'checkout', count: 2 }, { service: 'billing', count: 1 }]));
    expect(body.facts.trace.map((r: { message: string }) => r.message)).toEqual(['charging card']);
    expect(body.explanation).toContain('3 in the last hour');
    expect(body.explanation).toContain('checkout (2)');
    expect(body.explanation).toContain('1 other log');
  });

  it('serves the same explanation again unless force_refresh', async () => {
    const first = (await explain({ uuid: ID })).json();
    const again = (await explain({ uuid: ID, timestamp: first.facts.log.timestamp })).json();
    expect([again.cached, again.generated_at]).toEqual([true, first.generated_at]);
    const fresh = (await explain({ uuid: ID, force_refresh: true })).json();
    expect(fresh.cached).toBe(false);
  });

  it('finds only the key’s project’s logs, and refuses what it cannot read', async () => {
    const { user, token } = await t.signup('other@example.com');
    const project = (await t.request('POST', `/api/orgs/${user.org_ids[0]}/projects`, { token, body: { name: 'Other' } })).json().id;
    const missing = await explain({ uuid: ID }, token, project);
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'NOT_FOUND']);
    expect((await explain({ uuid: ID }, key, project)).statusCode).toBe(403);
    expect((await explain({ uuid: 'not-a-uuid' })).statusCode).toBe(400);
    const rnd = random(97);
    const fives: string[] = [];
    for (let i = 0; i < 60; i++) {
      const body = mutate({ uuid: ID, timestamp: new Date().toISOString(), force_refresh: true }, rnd);
      const res = await explain(body);
      if (res.statusCode >= 500) fives.push(`${res.statusCode} ${JSON.stringify(body).slice(0, 100)} → ${res.body.slice(0, 200)}`);
    }
    expect(fives).toEqual([]);
  });
});
