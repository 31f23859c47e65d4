import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileMetaStore } from '../../storage/meta/file-store.js';
import { startTestService, type TestService } from '../../test/helpers/service.js';
import { Tokens } from './tokens.js';

let t: TestService;
let org: string;

beforeAll(async () => {
  t = await startTestService();
  org = (await t.signup('owner@example.com')).user.org_ids[0];
});
afterAll(() => t.close());

const login = async (email: string, password = 'correct horse battery') => {
  const res = await t.request('POST', '/api/auth/login', { body: { email, password } });
  return { status: res.statusCode, token: res.statusCode === 200 ? (res.json().token as string) : '' };
};
const projects = async (token: string) => (await t.request('GET', `/api/orgs/${org}/projects`, { token })).statusCode;

describe('ending sessions', () => {
  it('signs out one session, leaving the user’s others', async () => {
    const a = (await login('owner@example.com')).token;
    const b = (await login('owner@example.com')).token;
    expect(await projects(a)).toBe(200);
    expect((await t.request('POST', '/api/auth/logout', { token: a })).statusCode).toBe(204);
    expect(await projects(a)).toBe(401);
    expect((await t.request('POST', '/api/auth/logout', { token: a })).statusCode).toBe(401);
    expect(await projects(b)).toBe(200);
  });

  it('signs out everywhere, and another process sharing the metadata store refuses those sessions too', async () => {
    await t.signup('everywhere@example.com');
    const a = (await login('everywhere@example.com')).token;
    const b = (await login('everywhere@example.com')).token;
    expect((await t.request('POST', '/api/auth/logout', { token: a, body: { everywhere: true } })).statusCode).toBe(204);
    const other = new FileMetaStore(join(t.dataDir, 'meta'));
    await other.open();
    try {
      const session = (await Tokens.load(t.dataDir).verify(b))!;
      expect(session.epoch).toBeLessThan(other.getUser(session.userId)!.session_epoch);
    } finally {
      await other.close();
    }
    expect(await t.request('GET', '/api/orgs/x/projects', { token: b }).then((r) => r.statusCode)).toBe(401);
    expect((await login('everywhere@example.com')).status, 'signing in again still works').toBe(200);
  });

  it('a password change ends every other session and answers a fresh one; the old password stops working', async () => {
    const u = await t.signup('changer@example.com');
    const other = (await login('changer@example.com')).token;
    const wrong = await t.request('POST', '/api/auth/password', { token: u.token, body: { current_password: 'not it at all', new_password: 'a new long password' } });
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([403, 'FORBIDDEN']);
    const short = await t.request('POST', '/api/auth/password', { token: u.token, body: { current_password: 'correct horse battery', new_password: 'short' } });
    expect([short.statusCode, short.json().error.code]).toEqual([400, 'VALIDATION_ERROR']);
    const changed = await t.request('POST', '/api/auth/password', { token: u.token, body: { current_password: 'correct horse battery', new_password: 'a new long password' } });
    expect(changed.statusCode).toBe(200);
    const fresh = changed.json().token as string;
    const own = `/api/orgs/${u.user.org_ids[0]}/projects`;
    expect((await t.request('GET', own, { token: u.token })).statusCode).toBe(401);
    expect((await t.request('GET', own, { token: other })).statusCode).toBe(401);
    expect((await t.request('GET', own, { token: fresh })).statusCode).toBe(200);
    expect((await login('changer@example.com')).status).toBe(401);
    expect((await login('changer@example.com', 'a new long password')).status).toBe(200);
  });
});

describe('members', () => {
  it('lists an org’s members; removing one shuts them out of the org at once; the last member stays', async () => {
    const owner = (await login('owner@example.com')).token;
    const member = await t.signup('member@example.com', { id: org, token: owner });
    const listed = await t.request('GET', `/api/orgs/${org}/members`, { token: owner });
    expect(listed.json().members.map((m: { email: string }) => m.email).sort()).toEqual(['member@example.com', 'owner@example.com']);
    expect(listed.body).not.toMatch(/scrypt|password/);
    expect(await projects(member.token)).toBe(200);

    expect((await t.request('DELETE', `/api/orgs/${org}/members/${member.user.id}`, { token: owner })).statusCode).toBe(204);
    expect(await projects(member.token)).toBe(403);
    expect((await t.request('DELETE', `/api/orgs/${org}/members/${member.user.id}`, { token: owner })).statusCode).toBe(404);
    const ownerId = listed.json().members.find((m: { email: string }) => m.email === 'owner@example.com').id;
    const last = await t.request('DELETE', `/api/orgs/${org}/members/${ownerId}`, { token: owner });
    expect([last.statusCode, last.json().error.code]).toEqual([409, 'CONFLICT']);
    expect((await t.request('GET', `/api/orgs/${org}/members`, { token: member.token })).statusCode).toBe(403);
  });
});
