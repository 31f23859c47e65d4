// Saved logs views through the service: CRUD, pages, filters checked as the logs query API checks them,
// `created_by` from the session or the key's maker, and each project's views kept to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mutate, random } from '../../../test/helpers/mutate.js';
import { startTestService, type TestService } from '../../../test/helpers/service.js';

let t: TestService;
let key: string;
let admin: { token: string; id: string };
const views = (project = 'default', rest = '') => `/api/environments/${project}/logs/views/${rest}`;

beforeAll(async () => {
  t = await startTestService();
  key = t.bootstrap.keys.posthog_personal;
  const login = await t.request('POST', '/api/auth/login', { body: t.bootstrap.admin });
  admin = { token: login.json().token, id: login.json().user.id };
});
afterAll(() => t.close());

const create = (body: unknown, auth: { token?: string } = { token: key }) => t.request('POST', views(), { ...auth, body });

describe('saved views', () => {
  it('creates a view in the seed shape, created by the user who made the key', async () => {
    const res = await create({ name: 'Checkout errors', filters: { severityLevels: ['error'], serviceNames: ['checkout'] }, pinned: true });
    expect(res.statusCode).toBe(201);
    const view = res.json();
    expect(Object.keys(view)).toEqual(['id', 'short_id', 'name', 'filters', 'pinned', 'created_at', 'created_by', 'updated_at']);
    expect(view).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/), short_id: expect.stringMatching(/^[A-Za-z0-9]{8}$/), name: 'Checkout errors',
      filters: { severityLevels: ['error'], serviceNames: ['checkout'] }, pinned: true,
      created_by: { id: 1, uuid: admin.id, distinct_id: admin.id, email: t.bootstrap.admin.email, is_email_verified: false },
    });
    expect(view.updated_at).toBe(view.created_at);
    expect((await t.request('GET', views('default', view.short_id), { token: key })).json()).toEqual(view);
  });

  it('records the session user, or the user who made a key through the admin API', async () => {
    const bob = await t.signup('bob@example.com', { id: t.bootstrap.org_id, token: admin.token });
    const bySession = (await create({ name: 'mine' }, { token: bob.token })).json();
    expect(bySession).toMatchObject({ filters: {}, pinned: false, created_by: { id: 2, uuid: bob.user.id, email: 'bob@example.com' } });
    const made = await t.request('POST', `/api/orgs/${t.bootstrap.org_id}/projects/default/keys`, { token: bob.token, body: { format: 'posthog', kind: 'secret' } });
    expect((await create({ name: 'by key' }, { token: made.json().key })).json().created_by.uuid).toBe(bob.user.id);
  });

  it('refuses filters the logs query API would refuse, and a view without a name', async () => {
    const bad = await create({ name: 'x', filters: { severityLevels: ['loud'] } });
    expect([bad.statusCode, bad.json().error]).toEqual([400, expect.objectContaining({ code: 'VALIDATION_ERROR', type: 'VALIDATION_QUERY_SYNTAX' })]);
    const op = await create({ name: 'x', filters: { filterGroup: { type: 'AND', values: [{ key: 'a', operator: 'regex', value: 'x', type: 'log' }] } } });
    expect(op.statusCode).toBe(400);
    for (const body of [{}, { name: '' }, { name: 'x', filters: [] }, { name: 'x', pinned: 'yes' }]) {
      expect((await create(body)).statusCode, JSON.stringify(body)).toBe(400);
    }
  });

  it('pages the list newest first with count, next and previous', async () => {
    for (const name of ['p1', 'p2', 'p3']) await create({ name });
    const all = (await t.request('GET', views(), { token: key })).json();
    const first = (await t.request('GET', `${views()}?limit=2`, { token: key })).json();
    expect(first.count).toBe(all.count);
    expect(first.results.map((v: { name: string }) => v.name)).toEqual(['p3', 'p2']);
    expect(first.previous).toBeNull();
    expect(first.next).toMatch(/\/api\/environments\/default\/logs\/views\/\?limit=2&offset=2$/);
    const second = (await t.request('GET', `${views()}?limit=2&offset=2`, { token: key })).json();
    expect(second.results[0].name).toBe('p1');
    expect(second.previous).toMatch(/limit=2&offset=0$/);
    expect((await t.request('GET', `${views()}?limit=0`, { token: key })).statusCode).toBe(400);
  });

  it('changes what a PATCH sends, checks new filters, and deletes with 204', async () => {
    const view = (await create({ name: 'before', filters: { searchTerm: 'timeout' } })).json();
    await new Promise((r) => setTimeout(r, 5));
    const url = views('default', view.short_id);
    const patched = await t.request('PATCH', url, { token: key, body: { pinned: true } });
    expect(patched.json()).toMatchObject({ name: 'before', filters: { searchTerm: 'timeout' }, pinned: true, created_at: view.created_at });
    expect(patched.json().updated_at > view.updated_at).toBe(true);
    expect((await t.request('PATCH', url, { token: key, body: { filters: { dateRange: { date_from: 'whenever' } } } })).statusCode).toBe(400);
    expect((await t.request('GET', url, { token: key })).json().filters).toEqual({ searchTerm: 'timeout' });
    const deleted = await t.request('DELETE', url, { token: key });
    expect([deleted.statusCode, deleted.body]).toEqual([204, '']);
    const gone = await t.request('GET', url, { token: key });
    expect([gone.statusCode, gone.json().error.code]).toEqual([404, 'NOT_FOUND']);
    expect((await t.request('DELETE', url, { token: key })).statusCode).toBe(404);
  });

  it('keeps views to their project: other keys, non-members and read-only keys are refused', async () => {
    const view = (await create({ name: 'private' })).json();
    const other = await t.meta.createProject(t.bootstrap.org_id, 'other', 'unlimited');
    const spec = { org_id: t.bootstrap.org_id, family: 'posthog' as const, kind: 'secret' as const, environments: null, region: null, name: 'k' };
    const otherKey = (await t.meta.createKey({ ...spec, project_id: other.id, scopes: ['logs:read', 'logs:write'] })).secret;
    expect((await t.request('GET', views('default', view.short_id), { token: otherKey })).statusCode).toBe(403);
    expect((await t.request('GET', views(other.id, view.short_id), { token: otherKey })).statusCode).toBe(404);
    const stranger = await t.signup('stranger@example.com');
    expect((await t.request('GET', views('default'), { token: stranger.token })).statusCode).toBe(403);
    const reader = (await t.meta.createKey({ ...spec, project_id: 'default', scopes: ['logs:read'] })).secret;
    expect((await t.request('GET', views(), { token: reader })).statusCode).toBe(200);
    expect((await create({ name: 'no' }, { token: reader })).statusCode).toBe(403);
    expect((await t.request('GET', views(), {})).statusCode).toBe(401);
    expect((await t.request('GET', views(), { token: 'forged.jwt.token' })).statusCode).toBe(401);
  });

  it('answers under both PostHog prefixes, with and without the trailing slash', async () => {
    const view = (await create({ name: 'prefixes' })).json();
    for (const url of [`/api/projects/default/logs/views/${view.short_id}`, `/api/projects/default/logs/views/${view.short_id}/`,
      `/api/environments/default/logs/views/${view.short_id}`, `/api/projects/@current/logs/views/${view.short_id}`]) {
      expect((await t.request('GET', url, { token: key })).json().id, url).toBe(view.id);
    }
    expect((await t.request('GET', '/api/projects/default/logs/views', { token: key })).statusCode).toBe(200);
  });

  it('answers mutated bodies with a 4xx or success, never a 5xx', async () => {
    const good = { name: 'n', pinned: true, filters: { severityLevels: ['error'], serviceNames: ['a'], searchTerm: 't', dateRange: { date_from: '-1h' },
      filterGroup: { type: 'AND', values: [{ key: 'k', operator: 'exact', value: ['v'], type: 'log_attribute' }] } } };
    const target = (await create({ name: 'target' })).json().short_id;
    const rnd = random(4321);
    const fives: string[] = [];
    for (let i = 0; i < 120; i++) {
      const body = mutate(good, rnd);
      for (const res of [await create(body), await t.request('PATCH', views('default', target), { token: key, body })]) {
        if (res.statusCode >= 500) fives.push(`${res.statusCode} ${JSON.stringify(body).slice(0, 200)} → ${res.body.slice(0, 200)}`);
      }
    }
    expect(fives).toEqual([]);
  });
});
