import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../../test/helpers/service.js';

let t: TestService;
let secret: string;

beforeAll(async () => {
  t = await startTestService();
  secret = t.bootstrap.keys.goodlogs_secret;
});
afterAll(() => t.close());

const profile = (n: number) => JSON.stringify({ samples: Array.from({ length: n }, (_, i) => ({ stack: [i % 3, 7], ts: i })), frames: ['main', 'parse', 'render'] });

function upload(query: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return t.http.inject({ method: 'POST', url: `/v1/profiles/chunks?${query}`, headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...headers }, payload: body });
}
const get = (url: string, key = secret) => t.http.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
const errorOf = (res: { statusCode: number; json(): any }) => [res.statusCode, res.json().error?.code];

describe('continuous profiling', () => {
  it('stores chunks with their labels, lists them by profiler, type and time, and returns one as uploaded', async () => {
    const body = profile(50);
    const a = await upload('profiler_id=api-1&profile_type=cpu&sample_count=50&start_ts=1750000000000&end_ts=1750000010000&service=api&version=1.2', body);
    expect(a.statusCode).toBe(201);
    expect(a.json()).toMatchObject({ profiler_id: 'api-1', profile_type: 'cpu', sample_count: 50, start_ts: 1_750_000_000_000, end_ts: 1_750_000_010_000, labels: { service: 'api', version: '1.2' }, bytes: Buffer.byteLength(body) });
    await upload('profiler_id=api-1&profile_type=heap&sample_count=5&start_ts=1750000020000', profile(5));
    await upload('profiler_id=worker-1&profile_type=cpu&sample_count=7&start_ts=1750000030000&end_ts=1750000040000', profile(7));

    const all = (await get('/v1/profiles/chunks')).json();
    expect(all.chunks.map((c: { profiler_id: string; profile_type: string }) => `${c.profiler_id}/${c.profile_type}`)).toEqual(['worker-1/cpu', 'api-1/heap', 'api-1/cpu']);
    expect((await get('/v1/profiles/chunks?profiler_id=api-1&profile_type=cpu')).json().chunks.map((c: { id: string }) => c.id)).toEqual([a.json().id]);
    expect((await get('/v1/profiles/chunks?from=1750000015000&to=1750000025000')).json().chunks.map((c: { profile_type: string }) => c.profile_type)).toEqual(['heap']);
    const back = await get(`/v1/profiles/chunks/${a.json().id}`);
    expect(back.headers['content-type']).toMatch(/^application\/json/);
    expect(back.body).toBe(body);
  });

  it('a retried upload is stored once, by its body or its Idempotency-Key', async () => {
    const q = 'profiler_id=retry&profile_type=wall&sample_count=1&start_ts=1750000000000';
    const first = await upload(q, profile(1));
    const again = await upload(q, profile(1));
    expect([first.statusCode, again.statusCode]).toEqual([201, 200]);
    expect(again.json().id).toBe(first.json().id);
    const named = await upload(q, profile(2), { 'idempotency-key': 'k-1' });
    expect(named.statusCode).toBe(201);
    expect(errorOf(await upload(q, profile(3), { 'idempotency-key': 'k-1' }))).toEqual([409, 'CONFLICT']);
    expect((await get('/v1/profiles/chunks?profiler_id=retry')).json().total).toBe(2);
  });

  it('refuses bodies that are not JSON or over 10 MiB and parameters it cannot read', async () => {
    const q = 'profiler_id=bad&profile_type=cpu&sample_count=1';
    expect(errorOf(await upload(q, 'not json'))).toEqual([400, 'VALIDATION_ERROR']);
    expect(errorOf(await upload('profile_type=cpu&sample_count=1', profile(1)))).toEqual([400, 'VALIDATION_ERROR']);
    expect(errorOf(await upload('profiler_id=bad&profile_type=CPU!&sample_count=1', profile(1)))).toEqual([400, 'VALIDATION_ERROR']);
    expect(errorOf(await upload('profiler_id=bad&profile_type=cpu&sample_count=x', profile(1)))).toEqual([400, 'VALIDATION_ERROR']);
    expect(errorOf(await upload('profiler_id=bad&profile_type=cpu&sample_count=1&start_ts=9&end_ts=3', profile(1)))).toEqual([400, 'VALIDATION_ERROR']);
    const big = await upload(q, JSON.stringify({ pad: 'x'.repeat(10 * 1024 * 1024) }));
    expect(errorOf(big)).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect((await get('/v1/profiles/chunks?profiler_id=bad')).json().total).toBe(0);
    expect(errorOf(await get('/v1/profiles/chunks/nope'))).toEqual([404, 'NOT_FOUND']);
    expect(errorOf(await get('/v1/profiles/chunks', t.bootstrap.keys.goodlogs_public))).toEqual([403, 'FORBIDDEN']);
  });
});
