import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../../test/helpers/service.js';

let t: TestService;
let ann: { token: string; user: { id: string; org_ids: string[] } };
let org: string;

beforeAll(async () => {
  t = await startTestService();
  ann = await t.signup('ann@example.com');
  [org] = ann.user.org_ids;
});
afterAll(() => t.close());

const errorOf = (res: { statusCode: number; json(): any }) => [res.statusCode, res.json().error?.code];

describe('sign-up and login', () => {
  it('signs up a user into an org of their own and answers {token, user} without the password hash', async () => {
    const res = await t.request('POST', '/api/auth/signup', { body: { email: 'Bob@Example.com', password: 'long enough pw' } });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({ token: expect.any(String), user: { id: expect.any(String), email: 'bob@example.com', org_ids: [expect.any(String)], created_at: expect.any(String) } });
    expect(body.user.org_ids[0]).not.toBe(org);
    expect(res.body).not.toMatch(/password|scrypt/);
  });

  it('refuses a taken email, a short password and a bad email', async () => {
    expect(errorOf(await t.request('POST', '/api/auth/signup', { body: { email: 'ann@example.com', password: 'another pw!' } }))).toEqual([409, 'CONFLICT']);
    expect(errorOf(await t.request('POST', '/api/auth/signup', { body: { email: 'c@example.com', password: 'short' } }))).toEqual([400, 'VALIDATION_ERROR']);
    expect(errorOf(await t.request('POST', '/api/auth/signup', { body: { email: 'not an email', password: 'long enough pw' } }))).toEqual([400, 'VALIDATION_ERROR']);
  });

  it('logs in with the right password only, saying the same for an unknown email', async () => {
    const ok = await t.request('POST', '/api/auth/login', { body: { email: 'ANN@example.com', password: 'correct horse battery' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user.id).toBe(ann.user.id);
    const wrong = await t.request('POST', '/api/auth/login', { body: { email: 'ann@example.com', password: 'wrong horse battery' } });
    const unknown = await t.request('POST', '/api/auth/login', { body: { email: 'nobody@example.com', password: 'wrong horse battery' } });
    expect(errorOf(wrong)).toEqual([401, 'UNAUTHORIZED']);
    expect(unknown.json()).toEqual(wrong.json());
    const short = await t.request('POST', '/api/auth/login', { body: { email: 'ann@example.com', password: 'abc' } });
    expect(errorOf(short)).toEqual([401, 'UNAUTHORIZED']);
  });

  it('lets the bootstrap admin log in with the printed password', async () => {
    const { email, password } = t.bootstrap.admin;
    const res = await t.request('POST', '/api/auth/login', { body: { email, password } });
    expect(res.json().user.org_ids).toEqual(['default']);
  });

  it('adds a user to an existing org only for a member of it', async () => {
    const joined = await t.signup('colleague@example.com', { id: org, token: ann.token });
    expect(joined.user.org_ids).toEqual([org]);
    const outsider = await t.signup('outsider@example.com');
    const body = { email: 'sneaky@example.com', password: 'long enough pw', org };
    expect(errorOf(await t.request('POST', '/api/auth/signup', { body, token: outsider.token }))).toEqual([403, 'FORBIDDEN']);
    expect(errorOf(await t.request('POST', '/api/auth/signup', { body }))).toEqual([401, 'UNAUTHORIZED']);
    expect(t.meta.findUserByEmail('sneaky@example.com')).toBeNull();
  });

  it('throttles failed logins per email and address, 429 with Retry-After, and forgets them on success', async () => {
    await t.signup('dora@example.com');
    const login = (password: string, email = 'dora@example.com', remoteAddress = '10.0.0.1') =>
      t.http.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email, password }) });
    for (let i = 0; i < 9; i++) expect((await login('wrong password')).statusCode).toBe(401);
    expect((await login('correct horse battery')).statusCode).toBe(200);
    for (let i = 0; i < 10; i++) expect((await login('wrong password')).statusCode).toBe(401);
    const locked = await login('correct horse battery');
    expect(errorOf(locked)).toEqual([429, 'RATE_LIMITED']);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
    expect(errorOf(await login('wrong password', 'DORA@example.com'))).toEqual([429, 'RATE_LIMITED']);
    // Another address, or another email from this one, is not held back by them.
    expect((await login('correct horse battery', 'dora@example.com', '10.0.0.2')).statusCode).toBe(200);
    expect((await login('wrong password', 'ann@example.com')).statusCode).toBe(401);
  });
});

describe('projects', () => {
  it('creates projects on a plan, or unlimited without one, and lists only the org’s', async () => {
    const onPlan = await t.request('POST', `/api/orgs/${org}/projects`, { token: ann.token, body: { name: 'web', plan: 'pro' } });
    expect(onPlan.statusCode).toBe(201);
    expect(onPlan.json()).toMatchObject({ id: expect.any(String), org_id: org, name: 'web', plan: 'pro' });
    const noPlan = await t.request('POST', `/api/orgs/${org}/projects`, { token: ann.token, body: { name: 'batch' } });
    expect(noPlan.json().plan).toBe('unlimited');
    expect(errorOf(await t.request('POST', `/api/orgs/${org}/projects`, { token: ann.token, body: { name: 'x', plan: 'platinum' } }))).toEqual([400, 'VALIDATION_ERROR']);
    const listed = (await t.request('GET', `/api/orgs/${org}/projects`, { token: ann.token })).json().projects;
    expect(listed.map((p: { name: string }) => p.name).sort()).toEqual(['batch', 'web']);
  });
});

describe('keys', () => {
  let project: string;
  beforeAll(async () => {
    project = (await t.request('POST', `/api/orgs/${org}/projects`, { token: ann.token, body: { name: 'keys' } })).json().id;
  });
  const keysUrl = () => `/api/orgs/${org}/projects/${project}/keys`;

  it('creates a key in each seed family’s format, shown once', async () => {
    const formats: [string, string, RegExp][] = [
      ['goodlogs', 'secret', /^gl_sk_eu_[0-9a-f]{32}$/],
      ['goodlogs', 'public', /^gl_pk_eu_[0-9a-f]{32}$/],
      ['logtrail', 'secret', /^lt_production_rw_[0-9a-f]{32}$/],
      ['logtrace', 'secret', /^lt_live_[0-9a-f]{32}$/],
      ['posthog', 'secret', /^phx_[0-9a-f]{40}$/],
    ];
    for (const [format, kind, pattern] of formats) {
      const res = await t.request('POST', keysUrl(), { token: ann.token, body: { format, kind } });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ id: expect.any(String), key: expect.stringMatching(pattern), format, kind, project_id: project });
    }
    const scoped = await t.request('POST', keysUrl(), { token: ann.token, body: { format: 'logtrail', kind: 'secret', scopes: ['logs:read'], environments: ['staging'], name: 'reader' } });
    expect(scoped.json()).toMatchObject({ key: expect.stringMatching(/^lt_staging_ro_/), scopes: ['logs:read'], environments: ['staging'], name: 'reader' });
  });

  it('makes Logtrail and LogTrace read keys for several or all environments, which refuse another one by name', async () => {
    const make = async (format: string, environments: string[]) =>
      (await t.request('POST', keysUrl(), { token: ann.token, body: { format, kind: 'secret', scopes: ['logs:read'], environments } })).json();
    const all = await make('logtrail', ['*']);
    expect(all).toMatchObject({ key: expect.stringMatching(/^lt_all_ro_/), environments: null });
    const two = await make('logtrail', ['staging', 'development']);
    expect(two).toMatchObject({ key: expect.stringMatching(/^lt_multi_ro_/), environments: ['staging', 'development'] });
    expect((await make('logtrace', ['*'])).environments).toBeNull();
    const search = (key: string, envs: string) => t.request('GET', `/api/v1/workspace/logs?environments=${envs}`, { apiKey: key });
    expect((await search(all.key, 'production,staging')).statusCode).toBe(200);
    expect((await search(two.key, 'staging,development')).statusCode).toBe(200);
    const refused = await search(two.key, 'staging,production');
    expect([refused.statusCode, refused.json().error_code]).toEqual([400, 'VALIDATION_INVALID_ENVIRONMENT']);
    const writer = (await t.request('POST', keysUrl(), { token: ann.token, body: { format: 'logtrace', kind: 'secret' } })).json();
    expect(writer.environments).toEqual(['production']);
  });

  it('refuses keys the model does not allow', async () => {
    for (const body of [
      { format: 'logtrail', kind: 'public' },
      { format: 'goodlogs', kind: 'public', scopes: ['data:read'] },
      { format: 'goodlogs', kind: 'secret', scopes: ['logs:read'] },
      { format: 'logtrail', kind: 'secret', environments: ['staging', 'production'] },
      { format: 'logtrail', kind: 'secret', scopes: ['logs:write'], environments: ['*'] },
      { format: 'logtrace', kind: 'secret', environments: ['staging', 'production'] },
      { format: 'logtrace', kind: 'secret', scopes: ['logs:write'], environments: ['*'] },
      { format: 'logtrail', kind: 'secret', scopes: ['logs:read'], environments: ['moon'] },
      { format: 'syslog', kind: 'secret' },
      { format: 'goodlogs', kind: 'secret', environments: ['qa'] },
    ]) {
      expect(errorOf(await t.request('POST', keysUrl(), { token: ann.token, body })), JSON.stringify(body)).toEqual([400, 'VALIDATION_ERROR']);
    }
  });

  it('lists keys without secrets or hashes, with when each was last used', async () => {
    const created = (await t.request('POST', keysUrl(), { token: ann.token, body: { format: 'goodlogs', kind: 'secret', name: 'used' } })).json();
    expect((await t.request('GET', '/v1/info', { token: created.key })).statusCode).toBe(200);
    await t.meta.flush();
    const res = await t.request('GET', keysUrl(), { token: ann.token });
    const listed = res.json().keys;
    expect(listed.find((k: { id: string }) => k.id === created.id)).toMatchObject({ name: 'used', display: created.key.slice(0, 13) + '…', last_used_at: expect.any(String), revoked_at: null });
    expect(listed.every((k: Record<string, unknown>) => !('key' in k) && !('hash' in k))).toBe(true);
    expect(res.body).not.toContain(created.key);
  });

  it('revokes a key, which its surface then refuses; revoking again answers the same', async () => {
    const created = (await t.request('POST', keysUrl(), { token: ann.token, body: { format: 'logtrail', kind: 'secret' } })).json();
    expect((await t.request('GET', '/api/v1/workspace/usage', { apiKey: created.key })).statusCode).toBe(200);
    const revoked = await t.request('DELETE', `${keysUrl()}/${created.id}`, { token: ann.token });
    expect(revoked.json()).toMatchObject({ id: created.id, revoked_at: expect.any(String) });
    expect((await t.request('GET', '/api/v1/workspace/usage', { apiKey: created.key })).json().error_code).toBe('AUTH_INVALID_API_KEY');
    expect((await t.request('DELETE', `${keysUrl()}/${created.id}`, { token: ann.token })).json()).toEqual(revoked.json());
  });

  it('will not revoke another project’s key through this project’s path', async () => {
    const other = (await t.request('POST', `/api/orgs/${org}/projects`, { token: ann.token, body: { name: 'other' } })).json().id;
    const created = (await t.request('POST', `/api/orgs/${org}/projects/${other}/keys`, { token: ann.token, body: { format: 'logtrace', kind: 'secret' } })).json();
    expect(errorOf(await t.request('DELETE', `${keysUrl()}/${created.id}`, { token: ann.token }))).toEqual([404, 'NOT_FOUND']);
    expect(t.meta.findKey(created.key)).not.toBeNull();
  });
});

describe('sign-up closed (auth.signup: closed)', () => {
  let closed: TestService;
  beforeAll(async () => {
    closed = await startTestService({ auth: { signup: 'closed' } });
  });
  afterAll(() => closed.close());

  it('refuses sign-up on one’s own with 403, and still lets a member add a user to their org', async () => {
    const body = { email: 'eve@example.com', password: 'long enough pw' };
    expect(errorOf(await closed.request('POST', '/api/auth/signup', { body }))).toEqual([403, 'FORBIDDEN']);
    expect(closed.meta.findUserByEmail('eve@example.com')).toBeNull();
    const { email, password } = closed.bootstrap.admin;
    const admin = (await closed.request('POST', '/api/auth/login', { body: { email, password } })).json();
    const added = await closed.request('POST', '/api/auth/signup', { body: { ...body, org: 'default' }, token: admin.token });
    expect(added.statusCode).toBe(201);
    expect(added.json().user.org_ids).toEqual(['default']);
    expect(errorOf(await closed.request('POST', '/api/auth/signup', { body: { email: 'mallory@example.com', password: 'long enough pw', org: 'default' } }))).toEqual([401, 'UNAUTHORIZED']);
  });
});
