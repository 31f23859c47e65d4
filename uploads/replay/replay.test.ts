import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mutate, random } from '../../test/helpers/mutate.js';
import { startTestService, type TestService } from '../../test/helpers/service.js';

let t: TestService;
let secret: string;
let other: string;

beforeAll(async () => {
  t = await startTestService();
  secret = t.bootstrap.keys.goodlogs_secret;
  const owner = await t.signup('replay@example.com');
  const project = (await t.request('POST', `/api/orgs/${owner.user.org_ids[0]}/projects`, { token: owner.token, body: { name: 'other' } })).json();
  other = (await t.request('POST', `/api/orgs/${owner.user.org_ids[0]}/projects/${project.id}/keys`, { token: owner.token, body: { format: 'goodlogs', kind: 'secret' } })).json().key;
});
afterAll(() => t.close());

const rrweb = (n: number) => gzipSync(JSON.stringify(Array.from({ length: n }, (_, i) => ({ type: 3, timestamp: 1_750_000_000_000 + i, data: { source: 1 } }))));

function upload(query: string, body: Buffer, key = secret, contentType = 'application/octet-stream') {
  return t.http.inject({ method: 'POST', url: `/v1/replay/chunks?${query}`, headers: { authorization: `Bearer ${key}`, 'content-type': contentType }, payload: body });
}
const get = (url: string, key = secret) => t.http.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
const errorOf = (res: { statusCode: number; json(): any }) => [res.statusCode, res.json().error?.code];

describe('session replay', () => {
  it('stores a session’s metadata and its chunks, and hands them back to a player byte for byte', async () => {
    const meta = await t.request('POST', '/v1/replay/sessions', { token: secret, body: { session_id: 's-1', distinct_id: 'user_7', start_ts: 1_750_000_000_000, properties: { browser: 'Firefox' }, url: 'https://shop.example/' } });
    expect(meta.statusCode).toBe(201);
    const first = rrweb(20);
    const second = rrweb(5);
    expect((await upload('session_id=s-1&seq=1&start_ts=1750000005000&end_ts=1750000009000&event_count=5', second)).statusCode).toBe(201);
    const created = await upload('session_id=s-1&seq=0&start_ts=1750000000000&end_ts=1750000004000&event_count=20', first, secret, 'application/gzip');
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ session_id: 's-1', seq: 0, bytes: first.length, stored: true });

    const session = (await get('/v1/replay/sessions/s-1')).json();
    expect(session).toMatchObject({
      session_id: 's-1', distinct_id: 'user_7', start_ts: 1_750_000_000_000, end_ts: 1_750_000_009_000, event_count: 25, chunk_count: 2,
      properties: { browser: 'Firefox', url: 'https://shop.example/' },
    });
    expect(session.chunks).toEqual([
      { seq: 0, start_ts: 1_750_000_000_000, end_ts: 1_750_000_004_000, event_count: 20, bytes: first.length },
      { seq: 1, start_ts: 1_750_000_005_000, end_ts: 1_750_000_009_000, event_count: 5, bytes: second.length },
    ]);
    const bytes = await get('/v1/replay/sessions/s-1/chunks/0');
    expect(bytes.headers['content-type']).toBe('application/gzip');
    expect(Buffer.compare(bytes.rawPayload, first)).toBe(0);

    const upserted = await t.request('POST', '/v1/replay/sessions', { token: secret, body: { session_id: 's-1', end_ts: 1_750_000_010_000 } });
    expect(upserted.statusCode).toBe(200);
    expect(upserted.json()).toMatchObject({ distinct_id: 'user_7', end_ts: 1_750_000_010_000, properties: { browser: 'Firefox' } });
  });

  it('stores a chunk once: the same upload again is 200, other bytes under its seq 409', async () => {
    const chunk = rrweb(3);
    const q = 'session_id=s-2&seq=0&start_ts=1750000000000&end_ts=1750000001000&event_count=3';
    expect((await upload(q, chunk)).statusCode).toBe(201);
    const again = await upload(q, chunk);
    expect([again.statusCode, again.json().stored]).toEqual([200, false]);
    expect(errorOf(await upload(q, rrweb(4)))).toEqual([409, 'CONFLICT']);
    expect((await get('/v1/replay/sessions/s-2')).json().chunk_count).toBe(1);
  });

  it('lists sessions by user and time, newest first', async () => {
    await upload('session_id=s-3&seq=0&start_ts=1760000000000&end_ts=1760000001000&event_count=1', rrweb(1));
    const all = (await get('/v1/replay/sessions')).json();
    expect(all.sessions.map((s: { session_id: string }) => s.session_id)).toEqual(['s-3', 's-1', 's-2']);
    expect((await get('/v1/replay/sessions?distinct_id=user_7')).json().sessions.map((s: { session_id: string }) => s.session_id)).toEqual(['s-1']);
    const recent = (await get(`/v1/replay/sessions?from=${new Date(1_755_000_000_000).toISOString()}`)).json();
    expect(recent.sessions.map((s: { session_id: string }) => s.session_id)).toEqual(['s-3']);
    expect((await get('/v1/replay/sessions?to=1750000000500&limit=1')).json()).toMatchObject({ total: 2, sessions: [{ session_id: 's-1' }] });
  });

  it('refuses what is not a gzipped chunk, bad parameters, oversized bodies and bombs, storing nothing', async () => {
    const q = 'session_id=s-bad&seq=0&start_ts=1&end_ts=2&event_count=1';
    expect(errorOf(await upload(q, Buffer.from('{"not":"gzip"}')))).toEqual([400, 'VALIDATION_ERROR']);
    expect(errorOf(await upload(q, rrweb(2).subarray(0, 30)))).toEqual([400, 'VALIDATION_ERROR']);
    expect(errorOf(await upload(q, rrweb(2), secret, 'application/json'))).toEqual([400, 'VALIDATION_ERROR']);
    expect(errorOf(await upload('session_id=../etc&seq=0&start_ts=1&end_ts=2&event_count=1', rrweb(1)))).toEqual([400, 'VALIDATION_ERROR']);
    expect(errorOf(await upload('session_id=s-bad&seq=-1&start_ts=1&end_ts=2&event_count=1', rrweb(1)))).toEqual([400, 'VALIDATION_ERROR']);
    expect(errorOf(await upload('session_id=s-bad&seq=0&start_ts=5&end_ts=2&event_count=1', rrweb(1)))).toEqual([400, 'VALIDATION_ERROR']);
    const big = await upload(q, Buffer.alloc(10 * 1024 * 1024 + 1, 1));
    expect(errorOf(big)).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(big.json().error.message).toContain('10 MiB');
    expect(errorOf(await upload(q, gzipSync(Buffer.alloc(129 * 1024 * 1024))))).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(errorOf(await get('/v1/replay/sessions/s-bad'))).toEqual([404, 'NOT_FOUND']);
  });

  it('takes secret keys only, ingest:write to upload and data:read to read, each within its own project', async () => {
    const q = 'session_id=s-4&seq=0&start_ts=1&end_ts=2&event_count=1';
    expect(errorOf(await upload(q, rrweb(1), t.bootstrap.keys.goodlogs_public))).toEqual([403, 'FORBIDDEN']);
    expect(errorOf(await upload(q, rrweb(1), 'gl_sk_eu_not_a_key'))).toEqual([401, 'UNAUTHORIZED']);
    expect(errorOf(await get('/v1/replay/sessions', t.bootstrap.keys.goodlogs_public))).toEqual([403, 'FORBIDDEN']);
    expect(errorOf(await get('/v1/replay/sessions/s-1', other))).toEqual([404, 'NOT_FOUND']);
    expect(errorOf(await get('/v1/replay/sessions/s-1/chunks/0', other))).toEqual([404, 'NOT_FOUND']);
    expect((await get('/v1/replay/sessions', other)).json().sessions).toEqual([]);
  });

  it('answers mutated session bodies and chunk parameters with a 4xx or success, never a 5xx', async () => {
    const rnd = random(77);
    const fives: string[] = [];
    const good = { session_id: 'mut', distinct_id: 'u', start_ts: 1, end_ts: 2, properties: { a: 1 } };
    const params = { session_id: 'mut', seq: '0', start_ts: '1', end_ts: '2', event_count: '1' };
    for (let i = 0; i < 80; i++) {
      const body = mutate(good, rnd);
      const res = await t.request('POST', '/v1/replay/sessions', { token: secret, body });
      if (res.statusCode >= 500) fives.push(`${JSON.stringify(body)} → ${res.body}`);
      const query = mutate(params, rnd);
      const q = query && typeof query === 'object' ? new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString() : String(query);
      const chunk = await upload(q, rrweb(1));
      if (chunk.statusCode >= 500) fives.push(`${q} → ${chunk.body}`);
    }
    expect(fives).toEqual([]);
  });
});
