import { afterAll, describe, expect, it } from 'vitest';
import { startLoglake, type LoglakeProcess } from './helpers/loglake.js';
import { waitFor } from './helpers/ports.js';

describe('schema discovery', () => {
  let p: LoglakeProcess;
  afterAll(async () => p?.kill('SIGKILL'));

  it('catalogs property keys with types, examples and volumes, and event names, as data is written', async () => {
    p = await startLoglake();
    const { keys, admin, org_id, project_id } = p.bootstrap();
    const post = (path: string, body: unknown) =>
      fetch(`${p.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${keys.goodlogs_secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const logs = Array.from({ length: 30 }, (_, i) => ({ severity: 'info', message: `m${i}`, properties: { orderId: `ord_${i % 7}`, duration_ms: i * 10, http: { ok: i % 2 === 0 } } }));
    expect((await post('/v1/logs', { batch: logs })).status).toBe(202);
    const events = [
      ...Array.from({ length: 12 }, () => ({ event: 'signup', properties: { plan: 'pro' } })),
      ...Array.from({ length: 5 }, () => ({ event: 'purchase', properties: { plan: 'free', amount: 29.99 } })),
    ];
    expect((await post('/v1/events', { batch: events })).status).toBe(202);

    const schema = await waitFor('the catalog', async () => {
      const res = await fetch(`${p.url}/v1/schema`, { headers: { authorization: `Bearer ${keys.goodlogs_secret}` } });
      const body = (await res.json()) as { log_properties: { key: string }[]; event_names: unknown[] };
      return body.log_properties.length >= 3 && body.event_names.length === 2 ? body : null;
    });
    expect(schema.log_properties).toEqual(expect.arrayContaining([
      { key: 'orderId', type: 'string', examples: expect.any(Array), volume: 30 },
      { key: 'duration_ms', type: 'number', examples: expect.any(Array), volume: 30 },
      { key: 'http.ok', type: 'boolean', examples: expect.arrayContaining([true, false]), volume: 30 },
    ]));
    const orderId = (schema.log_properties as { key: string; examples: string[] }[]).find((p) => p.key === 'orderId')!;
    expect(orderId.examples.length).toBeLessThanOrEqual(5);
    expect(orderId.examples.every((e) => /^ord_\d$/.test(e))).toBe(true);
    expect(schema).toMatchObject({
      event_names: [{ name: 'signup', volume: 12 }, { name: 'purchase', volume: 5 }],
      event_properties: expect.arrayContaining([{ key: 'plan', type: 'string', examples: expect.arrayContaining(['pro', 'free']), volume: 17 }]),
    });

    const login = await fetch(`${p.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
    const { token } = (await login.json()) as { token: string };
    const dashboard = await fetch(`${p.url}/api/orgs/${org_id}/projects/${project_id}/schema`, { headers: { authorization: `Bearer ${token}` } });
    expect(dashboard.status).toBe(200);
    expect(await dashboard.json()).toEqual(schema);
    expect((await fetch(`${p.url}/api/orgs/${org_id}/projects/${project_id}/schema`)).status).toBe(401);
    expect((await fetch(`${p.url}/v1/schema`, { headers: { authorization: `Bearer ${keys.goodlogs_public}` } })).status).toBe(403);
  });
});
