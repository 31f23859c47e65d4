// Status pages through the started service: an alert rule of the project drives its component, the public
// routes need no key and show only what the page publishes, and only the owning project manages a page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../test/helpers/service.js';
import { mutate, random } from '../test/helpers/mutate.js';
import { waitFor } from '../test/helpers/ports.js';

let t: TestService;
let gl: string;
let alertId: string;

const get = (url: string) => t.request('GET', url);
const errorOf = (res: { statusCode: number; json(): any }) => [res.statusCode, res.json().error?.code];
const component = async (slug: string, name: string) => (await get(`/v1/status/${slug}`)).json().components.find((c: { name: string }) => c.name === name);

beforeAll(async () => {
  t = await startTestService({ alerts: { check_interval_override_seconds: 1 } });
  gl = t.bootstrap.keys.goodlogs_secret;
  const rule = await t.request('POST', '/v1/alerts', { token: gl, body: { name: 'Checkout errors SECRET-RULE', query: 'severity:error service:checkout', threshold: 2, window_minutes: 1 } });
  expect(rule.statusCode, rule.body).toBe(201);
  alertId = rule.json().id;
  const page = await t.request('POST', '/v1/status-pages', {
    token: gl,
    body: { slug: 'acme', title: 'Acme status', components: [{ name: 'Checkout', alert_id: alertId }, { name: 'Search' }] },
  });
  expect(page.statusCode, page.body).toBe(201);
});
afterAll(() => t.close());

describe('status pages', () => {
  it('shows a fresh page operational, with a day of uptime known and no key needed', async () => {
    const res = await get('/v1/status/acme');
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const body = res.json();
    expect(body).toMatchObject({ slug: 'acme', title: 'Acme status', status: 'operational', uptime_days: 90, incidents: { open: [], recent: [] } });
    expect(body.components.map((c: { name: string; status: string }) => [c.name, c.status])).toEqual([['Checkout', 'operational'], ['Search', 'operational']]);
    expect(body.components[0].uptime.days).toHaveLength(90);
    expect(body.components[0].uptime.days.at(-1).percent).toBe(100);
    expect((await get('/v1/status-pages/acme/resolve')).json()).toEqual({ region: 'eu', title: 'Acme status' });
  });

  it('turns a component degraded while its alert rule fires, and operational once it resolves', async () => {
    await waitFor('a first check', async () => t.meta.getAlert(t.bootstrap.project_id, alertId)!.status.last_checked_at !== null, 10_000, 50);
    // Errors from 50 s ago: inside the rule's one-minute window now, out of it ten seconds later.
    const timestamp = new Date(Date.now() - 50_000).toISOString();
    const batch = Array.from({ length: 4 }, (_, i) => ({ severity: 'error', message: `card declined ${i}`, timestamp, properties: { service: 'checkout' } }));
    expect((await t.request('POST', '/v1/logs', { token: gl, body: { batch } })).statusCode).toBe(202);

    const degraded = await waitFor('the component degraded', async () => ((await component('acme', 'Checkout')).status === 'degraded' ? get('/v1/status/acme') : null), 15_000, 100);
    expect(degraded.json().status).toBe('degraded');
    expect((await component('acme', 'Search')).status).toBe('operational');

    await waitFor('the component operational again', async () => (await component('acme', 'Checkout')).status === 'operational', 30_000, 200);
    const checkout = await component('acme', 'Checkout');
    expect(checkout.uptime.percent).toBeLessThan(100);
    expect(checkout.uptime.days.at(-1).percent).toBeLessThan(100);
    expect((await component('acme', 'Search')).uptime.percent).toBe(100);
  });

  it('an outage component follows its rule with that impact', async () => {
    const patched = await t.request('PATCH', '/v1/status-pages/acme', { token: gl, body: { components: [{ name: 'Checkout', alert_id: alertId, impact: 'outage' }, { name: 'Search' }] } });
    expect(patched.statusCode, patched.body).toBe(200);
    const retitled = await t.request('PATCH', '/v1/status-pages/acme', { token: gl, body: { title: 'Acme status' } });
    expect(retitled.json().components.map((c: { impact: string }) => c.impact)).toEqual(['outage', 'degraded']);
    // The rule as the evaluator leaves one that fires, its next check a day away so that no check decides again.
    const rule = t.meta.getAlert(t.bootstrap.project_id, alertId)!;
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    expect(await t.meta.saveAlert({ ...rule, status: { ...rule.status, state: 'firing', next_check_at: tomorrow } })).toBe('saved');
    expect((await component('acme', 'Checkout')).status).toBe('outage');
    expect((await get('/v1/status/acme')).json().status).toBe('outage');
    const off = t.meta.getAlert(t.bootstrap.project_id, alertId)!;
    expect(await t.meta.saveAlert({ ...off, status: { ...off.status, state: 'resolved' } })).toBe('saved');
    expect((await component('acme', 'Checkout')).status).toBe('operational');
  });

  it('publishes incidents: open ones set the status, updates resolve them, the history pages', async () => {
    const opened = await t.request('POST', '/v1/status-pages/acme/incidents', { token: gl, body: { title: 'Search is slow', components: ['Search'], message: 'Looking into it' } });
    expect(opened.statusCode, opened.body).toBe(201);
    const id = opened.json().id;
    let snap = (await get('/v1/status/acme')).json();
    expect(snap.status).toBe('degraded');
    expect(snap.components.find((c: { name: string }) => c.name === 'Search').status).toBe('degraded');
    expect(snap.incidents.open.map((i: { id: string }) => i.id)).toEqual([id]);

    const resolved = await t.request('PATCH', `/v1/status-pages/acme/incidents/${id}`, { token: gl, body: { status: 'resolved', message: 'Fixed an index' } });
    expect(resolved.json()).toMatchObject({ status: 'resolved', components: ['Search'], updates: [{ status: 'investigating', message: 'Looking into it' }, { status: 'resolved', message: 'Fixed an index' }] });
    expect(resolved.json().resolved_at).not.toBeNull();
    snap = (await get('/v1/status/acme')).json();
    expect(snap.status).toBe('operational');
    expect(snap.incidents).toMatchObject({ open: [], recent: [{ id, status: 'resolved' }] });

    for (let i = 0; i < 3; i++) {
      const startedAt = new Date(Date.now() - (40 + i) * 86_400_000).toISOString();
      expect((await t.request('POST', '/v1/status-pages/acme/incidents', { token: gl, body: { title: `Old ${i}`, status: 'resolved', started_at: startedAt } })).statusCode).toBe(201);
    }
    const page1 = (await get('/v1/status/acme/incidents?days=90&limit=2')).json();
    expect(page1).toMatchObject({ total: 4, days: 90, limit: 2, offset: 0, has_more: true });
    expect(page1.incidents.map((i: { title: string }) => i.title)).toEqual(['Search is slow', 'Old 0']);
    const page2 = (await get('/v1/status/acme/incidents?days=90&limit=2&offset=2')).json();
    expect([page2.incidents.map((i: { title: string }) => i.title), page2.has_more]).toEqual([['Old 1', 'Old 2'], false]);
    // Back-dated incidents were resolved today, so they are within the last day too.
    expect((await get('/v1/status/acme/incidents?days=1')).json().total).toBe(4);
  });

  it('publishes nothing of the rules, the project or the keys behind the page', async () => {
    const texts = await Promise.all(['/v1/status/acme', '/v1/status/acme/incidents', '/v1/status-pages/acme/resolve'].map(async (u) => (await get(u)).body));
    for (const text of texts) {
      for (const secret of [alertId, 'SECRET-RULE', 'severity:error', t.bootstrap.project_id, gl]) expect(text).not.toContain(secret);
    }
    expect(errorOf(await get('/v1/status/nope'))).toEqual([404, 'NOT_FOUND']);
    expect(errorOf(await get('/v1/status/nope/incidents'))).toEqual([404, 'NOT_FOUND']);
    expect(errorOf(await get('/v1/status-pages/nope/resolve'))).toEqual([404, 'NOT_FOUND']);
    expect(errorOf(await get('/v1/status/acme/incidents?days=0'))).toEqual([400, 'VALIDATION_ERROR']);
  });

  it('keeps slugs unique across projects and pages to their project', async () => {
    const { user, token } = await t.signup('other@example.com');
    const org = user.org_ids[0];
    const project = (await t.request('POST', `/api/orgs/${org}/projects`, { token, body: { name: 'Other' } })).json().id;
    const base = `/api/orgs/${org}/projects/${project}/status-pages`;
    expect(errorOf(await t.request('POST', base, { token, body: { slug: 'acme', title: 'Mine now' } }))).toEqual([409, 'CONFLICT']);
    // Another project's rule cannot back a component.
    expect(errorOf(await t.request('POST', base, { token, body: { slug: 'other', title: 'Other', components: [{ name: 'X', alert_id: alertId }] } }))).toEqual([400, 'VALIDATION_ERROR']);
    const made = await t.request('POST', base, { token, body: { slug: 'other', title: 'Other status' } });
    expect(made.statusCode, made.body).toBe(201);
    expect((await t.request('GET', base, { token })).json().status_pages.map((p: { slug: string }) => p.slug)).toEqual(['other']);
    expect(errorOf(await t.request('PATCH', `${base}/acme`, { token, body: { title: 'Taken over' } }))).toEqual([404, 'NOT_FOUND']);
    expect(errorOf(await t.request('PATCH', '/v1/status-pages/other', { token: gl, body: { title: 'Taken over' } }))).toEqual([404, 'NOT_FOUND']);
    expect(errorOf(await t.request('POST', '/v1/status-pages/other/incidents', { token: gl, body: { title: 'Fake outage' } }))).toEqual([404, 'NOT_FOUND']);
    expect((await get('/v1/status-pages/acme/resolve')).json().title).toBe('Acme status');
  });

  it('answers mutated bodies and query strings with a 4xx or success, never a 5xx', async () => {
    const page = { slug: 'fuzz', title: 'Fuzz', components: [{ name: 'Checkout', alert_id: alertId, impact: 'outage' }, { name: 'Search', alert_id: null }] };
    const incident = { title: 'x', status: 'identified', impact: 'outage', components: ['Search'], message: 'm', started_at: '2026-01-01T00:00:00Z' };
    const id = (await t.request('POST', '/v1/status-pages/acme/incidents', { token: gl, body: incident })).json().id;
    const rnd = random(2468);
    const fives: string[] = [];
    const note = (res: { statusCode: number; body: string }, sent: unknown) => {
      if (res.statusCode >= 500) fives.push(`${res.statusCode} ${JSON.stringify(sent).slice(0, 200)} → ${res.body.slice(0, 200)}`);
    };
    for (let i = 0; i < 80; i++) {
      const [p, inc] = [mutate(page, rnd), mutate(incident, rnd)];
      note(await t.request('POST', '/v1/status-pages', { token: gl, body: p }), p);
      note(await t.request('PATCH', '/v1/status-pages/acme', { token: gl, body: p }), p);
      note(await t.request('POST', '/v1/status-pages/acme/incidents', { token: gl, body: inc }), inc);
      note(await t.request('PATCH', `/v1/status-pages/acme/incidents/${id}`, { token: gl, body: inc }), inc);
      const q = new URLSearchParams(Object.entries({ days: '30', limit: '5', offset: '1' }).map(([k, v]) => [k, String(mutate(v, rnd))])).toString();
      note(await get(`/v1/status/acme/incidents?${q}`), q);
      note(await get('/v1/status/acme'), 'snapshot');
    }
    expect(fives).toEqual([]);
  });

  it('refuses bodies it cannot read, and deletes a page with its incidents', async () => {
    const bad = [
      { slug: 'Bad Slug', title: 'x' },
      { slug: 'ok-slug', title: '' },
      { slug: 'ok-slug', title: 'x', components: [{ name: 'A' }, { name: 'A' }] },
      { slug: 'ok-slug', title: 'x', extra: true },
    ];
    for (const body of bad) expect(errorOf(await t.request('POST', '/v1/status-pages', { token: gl, body }))).toEqual([400, 'VALIDATION_ERROR']);
    expect(errorOf(await t.request('PATCH', '/v1/status-pages/acme', { token: gl, body: { slug: 'renamed' } }))).toEqual([400, 'VALIDATION_ERROR']);
    expect(errorOf(await t.request('POST', '/v1/status-pages/acme/incidents', { token: gl, body: { title: 'x', components: ['Nope'] } }))).toEqual([400, 'VALIDATION_ERROR']);
    expect(errorOf(await t.request('POST', '/v1/status-pages/acme/incidents', { token: gl, body: { title: 'x', started_at: new Date(Date.now() + 3_600_000).toISOString() } }))).toEqual([400, 'VALIDATION_ERROR']);

    expect((await t.request('DELETE', '/v1/status-pages/acme', { token: gl })).json()).toEqual({ slug: 'acme', deleted: true });
    expect(errorOf(await get('/v1/status/acme'))).toEqual([404, 'NOT_FOUND']);
    expect(t.meta.listIncidents('acme')).toEqual([]);
  });
});
