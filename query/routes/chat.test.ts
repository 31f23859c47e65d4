// AI chat through the service: the offline assistant answers from the project's own data (translator → GQL →
// run → figures and a summary), keeps the session in the metadata store, streams as Server-Sent Events and
// costs one AI query of the plan per question.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mutate, random } from '../../test/helpers/mutate.js';
import { waitFor } from '../../test/helpers/ports.js';
import { startTestService, type TestService } from '../../test/helpers/service.js';

let t: TestService;
let key: string;

beforeAll(async () => {
  t = await startTestService({ plans: { tiny: { ai_queries_per_month: 2 } } });
  key = t.bootstrap.keys.goodlogs_secret;
  const batch = ['checkout', 'billing', 'checkout', 'checkout'].map((service, i) => ({ severity: i ? 'error' : 'info', message: `payment failed ${i}`, properties: { service } }));
  expect((await t.request('POST', '/v1/logs', { token: key, body: { batch } })).statusCode).toBe(202);
  await waitFor('data and schema', async () => {
    const schema = (await t.request('GET', '/v1/schema', { token: key })).body;
    const count = (await t.request('POST', '/v1/gql/query', { token: key, body: { q: 'count' } })).json().data?.results?.[0]?.value;
    return schema.includes('checkout') && count === 4;
  });
});
afterAll(() => t.close());

const chat = (body: unknown, token = key) => t.request('POST', '/v1/ai/chat', { token, body });

/** The frames of a Server-Sent Events answer, in order. */
function frames(text: string): { event: string; data: any }[] {
  return text.split('\n\n').filter(Boolean).map((block) => {
    const lines = block.split('\n');
    const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
    return { event, data: JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice(6)) };
  });
}

describe('AI chat', () => {
  it('answers with the query, its figures and a summary said from them, and keeps the session', async () => {
    const res = await chat({ message: 'how many errors by service', session_id: 'sess-1' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ session_id: 'sess-1', gql: 'severity:error | count by service', valid: true, provider: 'offline' });
    expect(body.figures).toMatchObject({ mode: 'aggregate', table: 'logs', total_groups: 2 });
    expect(body.figures.results).toEqual(expect.arrayContaining([{ service: 'checkout', value: 2 }, { service: 'billing', value: 1 }]));
    expect(body.reply).toContain('checkout (2)');
    expect(body.reply).toContain('billing (1)');

    const single = (await chat({ message: 'how many errors in checkout', session_id: 'sess-1' })).json();
    expect(single.reply).toBe(`The answer is 2 (\`${single.gql}\`).`);
    const session = t.meta.getChatSession(t.bootstrap.project_id, 'sess-1')!;
    expect(session.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'how many errors by service'], ['assistant', body.reply], ['user', 'how many errors in checkout'], ['assistant', single.reply],
    ]);
    expect(session.messages[1].gql).toBe(body.gql);
  });

  it('reads the latest matching log back, and starts a session when none is named', async () => {
    const body = (await chat({ message: 'errors in checkout' })).json();
    expect(body.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.figures.mode).toBe('search');
    expect(body.reply).toMatch(/^2 logs matched `.+`\. The latest, at .+: \[error\] payment failed \d$/);
    expect(t.meta.getChatSession(t.bootstrap.project_id, body.session_id)!.messages).toHaveLength(2);
  });

  it('reads within the key’s environments only', async () => {
    const staging = (await t.meta.createKey({ org_id: t.bootstrap.org_id, project_id: t.bootstrap.project_id, family: 'goodlogs', kind: 'secret', scopes: ['ai:chat'], environments: ['staging'], region: 'eu', name: 'staging' })).secret;
    expect((await chat({ message: 'info logs' })).json().reply).toContain('payment failed 0');
    const held = (await chat({ message: 'info logs' }, staging)).json();
    expect([held.valid, held.figures.results, held.reply]).toEqual([true, [], `No logs matched \`${held.gql}\`.`]);
  });

  it('says it cannot answer rather than guess', async () => {
    const body = (await chat({ message: 'what is the meaning of life' })).json();
    expect(body).toMatchObject({ valid: false, figures: null });
    expect(body.reply).toMatch(/^I could not turn that into a query/);
  });

  it('streams the reply as Server-Sent Events: the session, deltas, then the whole answer', async () => {
    const res = await t.request('POST', '/v1/ai/chat/stream', { token: key, body: { message: 'how many errors by service', session_id: 'sess-2' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const all = frames(res.body);
    expect(all[0]).toEqual({ event: 'session', data: { session_id: 'sess-2' } });
    const done = all.at(-1)!;
    expect(done.event).toBe('done');
    const deltas = all.slice(1, -1);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.every((f) => f.event === 'message')).toBe(true);
    expect(deltas.map((f) => f.data.delta).join('')).toBe(done.data.reply);
    expect(done.data).toMatchObject({ session_id: 'sess-2', gql: 'severity:error | count by service', valid: true });
  });

  it('costs one AI query of the plan each, 402 once the month is used; sessions stay in their project', async () => {
    const project = await t.meta.createProject(t.bootstrap.org_id, 'small', 'tiny');
    const small = (await t.meta.createKey({ org_id: t.bootstrap.org_id, project_id: project.id, family: 'goodlogs', kind: 'secret', scopes: ['ai:chat'], environments: null, region: 'eu', name: 'small' })).secret;
    const other = (await chat({ message: 'how many errors', session_id: 'sess-1' }, small)).json();
    expect(other.reply).toBe(`The answer is 0 (\`${other.gql}\`).`);
    expect(t.meta.getChatSession(project.id, 'sess-1')!.messages).toHaveLength(2);
    expect(t.meta.getChatSession(t.bootstrap.project_id, 'sess-1')!.messages).toHaveLength(4);
    expect((await t.request('POST', '/v1/ai/chat/stream', { token: small, body: { message: 'errors' } })).statusCode).toBe(200);
    const over = await chat({ message: 'errors' }, small);
    expect([over.statusCode, over.json().error.code]).toEqual([402, 'QUOTA_EXCEEDED']);
    const overStream = await t.request('POST', '/v1/ai/chat/stream', { token: small, body: { message: 'errors' } });
    expect([overStream.statusCode, overStream.json().error.code]).toEqual([402, 'QUOTA_EXCEEDED']);
  });

  it('refuses keys without ai:chat, and answers mutated bodies with a 4xx or success, never a 5xx', async () => {
    const reader = (await t.meta.createKey({ org_id: t.bootstrap.org_id, project_id: t.bootstrap.project_id, family: 'goodlogs', kind: 'secret', scopes: ['data:read'], environments: null, region: 'eu', name: 'reader' })).secret;
    const refused = await chat({ message: 'errors' }, reader);
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'FORBIDDEN']);
    const rnd = random(1357);
    const fives: string[] = [];
    for (let i = 0; i < 60; i++) {
      const body = mutate({ message: 'errors by service in the last hour', session_id: 'fuzz' }, rnd);
      for (const url of ['/v1/ai/chat', '/v1/ai/chat/stream']) {
        const res = await t.request('POST', url, { token: key, body });
        if (res.statusCode >= 500 || res.body.includes('event: error')) fives.push(`${url} ${res.statusCode} ${JSON.stringify(body).slice(0, 120)} → ${res.body.slice(0, 200)}`);
      }
    }
    expect(fives).toEqual([]);
  });
});
