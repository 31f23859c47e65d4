// Natural language → GQL through the service: the offline translator over the project's own schema, every
// answer runnable, the key and session twins, and the plan's monthly AI quota.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mutate, random } from '../../test/helpers/mutate.js';
import { waitFor } from '../../test/helpers/ports.js';
import { startTestService, type TestService } from '../../test/helpers/service.js';

let t: TestService;
let key: string;

beforeAll(async () => {
  t = await startTestService({ plans: { tiny: { ai_queries_per_month: 2 } } });
  key = t.bootstrap.keys.goodlogs_secret;
  const batch = ['checkout', 'billing', 'checkout'].map((service, i) => ({ severity: i ? 'error' : 'info', message: `m${i}`, properties: { service, duration_ms: 100 * (i + 1) } }));
  expect((await t.request('POST', '/v1/logs', { token: key, body: { batch } })).statusCode).toBe(202);
  expect((await t.request('POST', '/v1/events', { token: key, body: { batch: [{ event: 'signup', distinctId: 'u1', properties: { plan: 'pro' } }] } })).statusCode).toBe(202);
  await waitFor('data and schema', async () => {
    const schema = (await t.request('GET', '/v1/schema', { token: key })).body;
    const count = (await t.request('POST', '/v1/gql/query', { token: key, body: { q: 'count' } })).json().data?.results?.[0]?.value;
    return schema.includes('duration_ms') && schema.includes('plan') && count === 3;
  });
});
afterAll(() => t.close());

const nl = (body: unknown, token = key) => t.request('POST', '/v1/gql/nl', { token, body });

describe('POST /v1/gql/nl', () => {
  it('answers the seed example with GQL that runs', async () => {
    const res = await nl({ prompt: 'show me errors from the last hour', mode: 'explorer' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ gql: 'severity:error last:1h', valid: true, parsed: { source: 'logs', filters: [{ field: 'severity', op: 'eq', value: 'error' }] } });
  });

  it('knows the project: its services, events and numeric properties', async () => {
    const checkout = (await nl({ prompt: 'how many errors in checkout' })).json();
    expect(checkout).toMatchObject({ gql: 'severity:error service:checkout | count', valid: true });
    const run = await t.request('POST', '/v1/gql/query', { token: key, body: { q: checkout.gql } });
    expect(run.json().data.results).toEqual([{ value: 1 }]);
    expect((await nl({ prompt: 'p95 duration_ms by service' })).json().gql).toBe('p95(duration_ms) by service');
    expect((await nl({ prompt: 'signups where plan is pro' })).json().gql).toBe('event:signup plan:pro from:events');
    const unknown = (await nl({ prompt: 'errors in warehouse' })).json();
    expect(unknown).toMatchObject({ gql: '', valid: false, reason: expect.stringContaining("'warehouse'") });
  });

  it('answers alert mode with a condition and the rule hints', async () => {
    expect((await nl({ prompt: 'more than 5 errors in billing within 10 minutes', mode: 'alert' })).json()).toMatchObject({
      gql: 'severity:error service:billing', valid: true, alert: { threshold: 5, operator: 'above', window_minutes: 10 },
    });
  });

  it('refuses bad bodies and keys that may not read', async () => {
    for (const body of [{}, { prompt: '' }, { prompt: 'x'.repeat(501) }, { prompt: 'errors', mode: 'chat' }, 'errors']) {
      const res = await nl(body);
      expect([res.statusCode, res.json().error.code], JSON.stringify(body)).toEqual([400, 'VALIDATION_ERROR']);
    }
    expect((await nl({ prompt: 'errors' }, t.bootstrap.keys.goodlogs_public)).statusCode).toBe(403);
    expect((await t.request('POST', '/v1/gql/nl', { body: { prompt: 'errors' } })).statusCode).toBe(401);
  });

  it('answers mutated bodies and odd prompts with 200 or 400, never a 5xx, and valid answers always run', async () => {
    const rnd = random(99);
    const words = ['errors', 'last', 'hour', 'by', 'service', 'top', '5', 'p95', 'duration_ms', 'checkout', '"x"', 'plan', 'is', 'over', 'per', 'day', 'how', 'many', 'unique', 'users', 'yesterday', '$', '|', '(', 'count:'];
    const fives: string[] = [];
    for (let i = 0; i < 60; i++) {
      const prompt = Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => words[Math.floor(rnd() * words.length)]).join(' ');
      const body = rnd() < 0.3 ? mutate({ prompt, mode: 'alert' }, rnd) : { prompt, mode: rnd() < 0.5 ? 'alert' : 'explorer' };
      const res = await nl(body);
      if (res.statusCode >= 500) fives.push(`${res.statusCode} ${JSON.stringify(body)} → ${res.body}`);
      const answer = res.statusCode === 200 ? res.json() : null;
      if (answer?.valid) {
        const run = await t.request('POST', '/v1/gql/query', { token: key, body: { q: answer.gql } });
        if (run.statusCode !== 200) fives.push(`${JSON.stringify(body)} → ${answer.gql} → ${run.statusCode} ${run.body}`);
      }
    }
    expect(fives).toEqual([]);
  });

  it('has a dashboard twin for session tokens', async () => {
    const login = (await t.request('POST', '/api/auth/login', { body: t.bootstrap.admin })).json();
    const url = `/api/orgs/${t.bootstrap.org_id}/projects/${t.bootstrap.project_id}/gql/nl`;
    const res = await t.request('POST', url, { token: login.token, body: { prompt: 'count errors by service' } });
    expect(res.json()).toMatchObject({ gql: 'severity:error | count by service', valid: true });
    expect((await t.request('POST', url, { token: key, body: { prompt: 'errors' } })).statusCode).toBe(401);
  });

  it('costs one AI query of the plan each, 402 once the month is used', async () => {
    const project = await t.meta.createProject(t.bootstrap.org_id, 'small', 'tiny');
    const small = (await t.meta.createKey({ org_id: t.bootstrap.org_id, project_id: project.id, family: 'goodlogs', kind: 'secret', scopes: ['data:read'], environments: null, region: 'eu', name: 'small' })).secret;
    expect((await nl({ prompt: 'errors' }, small)).statusCode).toBe(200);
    expect((await nl({ prompt: 'what is this' }, small)).statusCode).toBe(200);
    const over = await nl({ prompt: 'errors' }, small);
    expect([over.statusCode, over.json().error.code]).toEqual([402, 'QUOTA_EXCEEDED']);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect((await nl({ prompt: 'errors' })).statusCode).toBe(200);
  });
});
