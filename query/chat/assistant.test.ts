// AI chat with `ai.provider: openai`, against a chat-completions stand-in on loopback (no external service
// in tests): the model's tool calls run through the engine in the key's scope, its answer is the reply, and
// it is shown the session's earlier turns.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers/ports.js';
import { startTestService, type TestService } from '../../test/helpers/service.js';

let model: Server;
let t: TestService;
let key: string;
const seen: any[] = [];
/** The stand-in's next answers, one per request; each may look at the request it answers. */
let script: ((body: any) => unknown)[] = [];

const read = async (req: IncomingMessage) => {
  let text = '';
  for await (const chunk of req) text += chunk;
  return JSON.parse(text);
};
const toolCall = (id: string, name: string, args: unknown) => ({ choices: [{ message: { content: null, tool_calls: [{ id, type: 'function', function: { name, arguments: JSON.stringify(args) } }] } }] });
const say = (content: string) => ({ choices: [{ message: { content } }] });

beforeAll(async () => {
  model = createServer(async (req, res) => {
    const body = await read(req);
    seen.push(body);
    const next = script.shift();
    res.writeHead(next ? 200 : 500, { 'content-type': 'application/json' }).end(JSON.stringify(next ? next(body) : { error: 'unscripted' }));
  });
  await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
  process.env.LOGLAKE_TEST_MODEL_KEY = 'sk-test';
  t = await startTestService({ ai: { provider: 'openai', base_url: `http://127.0.0.1:${(model.address() as AddressInfo).port}/v1`, api_key_env: 'LOGLAKE_TEST_MODEL_KEY' } });
  key = t.bootstrap.keys.goodlogs_secret;
  const batch = ['checkout', 'billing', 'checkout'].map((service) => ({ severity: 'error', message: 'payment failed', properties: { service } }));
  expect((await t.request('POST', '/v1/logs', { token: key, body: { batch } })).statusCode).toBe(202);
  await waitFor('the logs', async () => (await t.request('POST', '/v1/gql/query', { token: key, body: { q: 'count' } })).json().data?.results?.[0]?.value === 3);
});
afterAll(async () => {
  await t.close();
  await new Promise((resolve) => model.close(resolve));
});

const toolAnswers = (body: any) => body.messages.filter((m: any) => m.role === 'tool').map((m: any) => JSON.parse(m.content));

describe('AI chat with a model', () => {
  it('runs the model’s queries in the key’s scope, hands back their answers and errors, and replies with its words', async () => {
    seen.length = 0;
    script = [
      () => toolCall('c1', 'read_schema', {}),
      () => toolCall('c2', 'run_gql', { q: 'severity:error | count by service | oops(' }),
      () => toolCall('c3', 'run_gql', { q: 'severity:error | count by service' }),
      (body) => {
        const [, failed, ran] = toolAnswers(body);
        expect(failed.error).toMatch(/./);
        const checkout = ran.results.find((r: any) => r.service === 'checkout').value;
        return say(`checkout had ${checkout} errors (severity:error | count by service).`);
      },
    ];
    const res = await t.request('POST', '/v1/ai/chat', { token: key, body: { message: 'which service fails most?', session_id: 'm-1' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ session_id: 'm-1', reply: 'checkout had 2 errors (severity:error | count by service).', gql: 'severity:error | count by service', valid: true, provider: 'openai' });
    expect(res.json().figures.results).toEqual(expect.arrayContaining([{ service: 'checkout', value: 2 }, { service: 'billing', value: 1 }]));
    expect(seen).toHaveLength(4);
    expect(seen[0].tools.map((x: any) => x.function.name)).toEqual(['run_gql', 'read_schema']);
    expect(toolAnswers(seen[1])[0].services).toEqual(expect.arrayContaining(['checkout', 'billing']));
  });

  it('shows the model the session’s earlier turns', async () => {
    seen.length = 0;
    script = [() => say('Still checkout.')];
    const res = await t.request('POST', '/v1/ai/chat', { token: key, body: { message: 'and now?', session_id: 'm-1' } });
    expect(res.json()).toMatchObject({ reply: 'Still checkout.', valid: false, gql: '' });
    const turns = seen[0].messages.filter((m: any) => m.role !== 'system').map((m: any) => [m.role, m.content]);
    expect(turns).toEqual([
      ['user', 'which service fails most?'],
      ['assistant', 'checkout had 2 errors (severity:error | count by service).'],
      ['user', 'and now?'],
    ]);
  });

  it('says so when the model fails or keeps calling tools', async () => {
    script = [];
    const down = (await t.request('POST', '/v1/ai/chat', { token: key, body: { message: 'anything?' } })).json();
    expect(down).toMatchObject({ valid: false, reason: 'the AI provider answered 500' });
    script = Array.from({ length: 4 }, (_, i) => () => toolCall(`x${i}`, 'read_schema', {}));
    const looping = (await t.request('POST', '/v1/ai/chat', { token: key, body: { message: 'anything?' } })).json();
    expect(looping.reason).toMatch(/still calling tools after 4 rounds/);
  });
});

describe('explaining a log with a model', () => {
  it('has the model write the summary from the facts, and keeps the offline one when it cannot', async () => {
    const [row] = (await t.request('POST', '/v1/gql/query', { token: key, body: { q: 'service:checkout | limit 1' } })).json().data.results;
    const explain = (body: unknown) => t.request('POST', `/api/environments/${t.bootstrap.project_id}/logs/explainLogWithAI/`, { token: t.bootstrap.keys.posthog_personal, body });
    seen.length = 0;
    script = [(body) => say(`Seen ${JSON.parse(body.messages[1].content).similar.last_day} times today.`)];
    const written = (await explain({ uuid: row.id })).json();
    expect(written).toMatchObject({ provider: 'openai', explanation: { summary: 'Seen 3 times today.', template: 'payment failed' } });
    expect(seen[0].messages[0].content).toMatch(/only those facts/);
    script = [];
    const fallback = (await explain({ uuid: row.id, force_refresh: true })).json();
    expect(fallback).toMatchObject({ provider: 'offline', provider_error: 'the AI provider answered 500' });
    expect(fallback.explanation.summary).toMatch(/^This error log from checkout has the template "payment failed"/);
  });
});
