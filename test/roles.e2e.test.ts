// Every role as its own process over one lake directory and a JetStream of the test's own: a collector
// takes ingest, a writer writes, a query node answers from the lake the writer keeps (following its
// manifest), an alerts node evaluates the rules, and each says which role it is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoglake, type LoglakeProcess } from './helpers/loglake.js';
import { natsServerBinary, startOwnNats, type OwnNats } from './helpers/nats.js';
import { waitFor } from './helpers/ports.js';

const binary = natsServerBinary();
let nats: OwnNats;
const procs: LoglakeProcess[] = [];
let collector: LoglakeProcess;
let writer: LoglakeProcess;
let query: LoglakeProcess;
let alerts: LoglakeProcess;
let key: string;

beforeAll(async () => {
  if (!binary) return;
  nats = await startOwnNats();
  const env = { NATS_URL: nats.url, LOGLAKE_ALERTS_CHECK_INTERVAL_SECONDS: '1' };
  collector = await startLoglake({ role: 'collector', env });
  procs.push(collector);
  const dataDir = collector.dataDir;
  writer = await startLoglake({ role: 'writer', dataDir, env });
  procs.push(writer);
  query = await startLoglake({ role: 'query', dataDir, env });
  procs.push(query);
  alerts = await startLoglake({ role: 'alerts', dataDir, env });
  procs.push(alerts);
  key = collector.bootstrap().keys.goodlogs_secret;
}, 120_000);
afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGTERM')));
  await nats?.stop();
});

const call = async (p: LoglakeProcess, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${p.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
};

describe.skipIf(!binary)('roles as processes', () => {
  it('each answers its health with its role', async () => {
    for (const [p, role] of [[collector, 'collector'], [writer, 'writer'], [query, 'query'], [alerts, 'alerts']] as const) {
      expect((await call(p, 'GET', '/v1/health')).body).toMatchObject({ status: 'healthy', role });
    }
  });

  it('the query node sees what the collector took and the writer wrote, and takes no ingest itself', { timeout: 60_000 }, async () => {
    const batch = Array.from({ length: 50 }, (_, i) => ({ severity: i % 5 ? 'info' : 'error', message: `roles ${i}` }));
    expect((await call(collector, 'POST', '/v1/logs', { batch })).status).toBe(202);
    await waitFor('the rows on the query node', async () => (await call(query, 'POST', '/v1/gql/query', { q: 'count' })).body?.data?.results?.[0]?.value === 50, 30_000, 200);
    expect((await call(query, 'POST', '/v1/gql/query', { q: 'severity:error | count' })).body.data.results[0].value).toBe(10);
    expect((await call(query, 'POST', '/v1/logs', { batch })).status).toBe(404);
    expect((await call(alerts, 'POST', '/v1/gql/query', { q: 'count' })).status).toBe(404);
    expect((await call(writer, 'POST', '/v1/gql/query', { q: 'count' })).status).toBe(404);
    expect((await call(writer, 'POST', '/v1/logs', { batch })).status).toBe(404);

    // A second batch (another body: the same one again would be a retry, stored once): the query node
    // follows the writer's manifest as it grows.
    const more = batch.map((item) => ({ ...item, message: `${item.message} again` }));
    expect((await call(collector, 'POST', '/v1/logs', { batch: more })).status).toBe(202);
    await waitFor('the second batch', async () => (await call(query, 'POST', '/v1/gql/query', { q: 'count' })).body?.data?.results?.[0]?.value === 100, 30_000, 200);
  });

  it('a rule made on the query node is evaluated by the alerts node', { timeout: 60_000 }, async () => {
    const created = await call(query, 'POST', '/v1/alerts', { name: 'errors', query: 'severity:error', threshold: 5, window_minutes: 60 });
    expect(created.status).toBe(201);
    const fired = await waitFor('the rule to fire', async () => {
      const rule = (await call(query, 'GET', '/v1/alerts')).body.alerts.find((r: { id: string }) => r.id === created.body.id);
      return rule?.state === 'firing' && rule;
    }, 30_000, 250);
    expect(fired.last_value).toBe(20);
  });

  it('the live tail on the query node hears the writer’s commits', { timeout: 30_000 }, async () => {
    const { admin } = collector.bootstrap();
    const token = ((await (await fetch(`${query.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) })).json()) as { token: string }).token;
    const res = await fetch(`${query.url}/api/orgs/default/projects/default/gql/tail?q=${encodeURIComponent('message:"tailed on the query node"')}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('event: open')) text += (await reader.read()).value ?? '';
    expect((await call(collector, 'POST', '/v1/logs', { batch: [{ severity: 'info', message: 'tailed on the query node' }] })).status).toBe(202);
    const deadline = Date.now() + 15_000;
    while (!text.includes('event: row') && Date.now() < deadline) {
      const { value, done } = await Promise.race([reader.read(), new Promise<{ value: undefined; done: true }>((r) => setTimeout(() => r({ value: undefined, done: true }), deadline - Date.now()))]);
      if (done) break;
      text += value;
    }
    await reader.cancel();
    expect(text).toContain('event: row');
    expect(text).toContain('tailed on the query node');
  });
});
