// The OpenAI-compatible provider against a chat-completions endpoint on loopback (no external service in
// tests): what it sends, and that its answers are validated like the offline translator's.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nlProviderOf } from './factory.js';
import { gqlOfAnswer, openAiProvider } from './openai.js';
import type { NlProvider } from './provider.js';
import { translate } from './translate.js';
import { configSchema } from '../../config/schema.js';

let server: Server;
let base: string;
const seen: { auth: string | undefined; body: any }[] = [];
let reply: (body: any) => [number, unknown];

const read = async (req: IncomingMessage) => {
  let text = '';
  for await (const chunk of req) text += chunk;
  return JSON.parse(text);
};

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await read(req);
    seen.push({ auth: req.headers.authorization, body });
    const [status, answer] = reply(body);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const schema = { services: ['checkout'], eventNames: ['signup'], properties: { logs: [{ key: 'duration_ms', type: 'number', volume: 1 }], events: [] } };
const ask = (provider: NlProvider, prompt: string, mode: 'explorer' | 'alert' = 'explorer') => translate(provider, { prompt, mode, now: new Date('2026-06-15T12:00:00Z'), schema });
const content = (text: string) => () => [200, { choices: [{ message: { role: 'assistant', content: text } }] }] as [number, unknown];

describe('OpenAI-compatible provider', () => {
  const provider = () => openAiProvider({ base_url: `${base}/`, model: 'test-model', api_key: 'sk-test', timeout_ms: 2000 });

  it('sends the prompt with the rules and the project schema, and validates the answer', async () => {
    reply = content('```gql\nseverity:error service:checkout last:1h\n```');
    expect(await ask(provider(), 'checkout errors in the last hour')).toMatchObject({ gql: 'severity:error service:checkout last:1h', valid: true, provider: 'openai' });
    const sent = seen.at(-1)!;
    expect(sent.auth).toBe('Bearer sk-test');
    expect(sent.body).toMatchObject({ model: 'test-model', temperature: 0, messages: [{ role: 'system' }, { role: 'user', content: 'checkout errors in the last hour' }] });
    expect(sent.body.messages[0].content).toContain('Services: checkout.');
    expect(sent.body.messages[0].content).toContain('duration_ms (number)');
  });

  it('says valid:false for an answer that does not parse, or is no alert condition', async () => {
    reply = content('median(duration_ms)');
    expect(await ask(provider(), 'median duration')).toMatchObject({ gql: 'median(duration_ms)', valid: false, reason: expect.stringMatching(/not valid GQL/) });
    reply = content('severity:error | count by service');
    expect(await ask(provider(), 'errors by service', 'alert')).toMatchObject({ valid: false, reason: expect.stringMatching(/not an alert condition/) });
    expect(seen.at(-1)!.body.messages[0].content).toContain('alert condition');
  });

  it('reports a failing or unreachable provider as valid:false', async () => {
    reply = () => [500, { error: 'boom' }];
    expect(await ask(provider(), 'errors')).toMatchObject({ valid: false, reason: 'the AI provider answered 500' });
    reply = () => [200, { choices: [] }];
    expect((await ask(provider(), 'errors')).reason).toBe('the AI provider gave no answer');
    const nowhere = openAiProvider({ base_url: 'http://127.0.0.1:1/v1', model: 'm', api_key: 'k', timeout_ms: 500 });
    expect((await ask(nowhere, 'errors')).reason).toMatch(/could not be reached/);
  });

  it('takes the query out of a chatty answer', () => {
    expect(gqlOfAnswer('`severity:error`')).toBe('severity:error');
    expect(gqlOfAnswer('Here you go:\n```\ncount by service\n```')).toBe('count by service');
    expect(gqlOfAnswer('  severity:warn\n(this finds warnings)')).toBe('severity:warn');
  });

  it('is chosen by ai.provider, and needs its key in the environment', () => {
    const ai = configSchema.parse({ ai: { provider: 'openai', base_url: base, api_key_env: 'LOGLAKE_TEST_AI_KEY' } }).ai;
    expect(() => nlProviderOf(ai, {})).toThrow(/LOGLAKE_TEST_AI_KEY is not set/);
    expect(nlProviderOf(ai, { LOGLAKE_TEST_AI_KEY: 'x' }).name).toBe('openai');
    expect(nlProviderOf(configSchema.parse({}).ai, {}).name).toBe('offline');
  });
});
