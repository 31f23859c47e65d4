import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiverHarness, type ReceiverHarness } from '../testing.js';
import { logtraceReceiverFactory } from './factory.js';

let h: ReceiverHarness;
/** Keys beside the bootstrap one (`logs:read` + `logs:write`, production only). */
const keys = { readOnly: '', seedScope: '', staging: '', everywhere: '' };

beforeAll(async () => {
  h = await receiverHarness(logtraceReceiverFactory, { max_body_bytes: 1024 * 1024 });
  const make = async (scopes: string[], environments: string[] | null) =>
    (await h.meta.createKey({ org_id: 'default', project_id: 'default', family: 'logtrace', kind: 'secret', scopes, environments, region: null, name: 'test' })).secret;
  keys.readOnly = await make(['logs:read'], ['production']);
  keys.seedScope = await make(['write:logs'], ['production']);
  keys.staging = await make(['logs:write'], ['staging']);
  keys.everywhere = await make(['*'], null);
});
afterAll(async () => h.close());

const SEED_BATCH = { logs: [{ timestamp: '2024-03-15T10:22:01Z', level: 'ERROR', message: 'Connection timeout on db-primary-03', service: 'payment-gateway' }] };
const rec = (fields: Record<string, unknown> = {}) => ({ level: 'info', message: 'm', ...fields });

const ingest = (key: string | null, payload: unknown, headers: Record<string, string> = {}) =>
  h.http.inject({
    method: 'POST',
    url: '/v1/logs/ingest',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

/** The status and code of a refused request, after checking its envelope. */
const refusal = async (pending: ReturnType<typeof ingest>) => {
  const res = await pending;
  expect(res.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  return [res.statusCode, res.json().error.code];
};

describe('LogTrace POST /v1/logs/ingest', () => {
  it('queues the seed example with 202 and maps it to a canonical log', async () => {
    const res = await ingest(h.keys.logtrace, SEED_BATCH);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 1, rejected: 0 });
    expect(h.records('logs').at(-1)).toMatchObject({
      timestamp: '2024-03-15T10:22:01.000Z',
      severity: 'error',
      severity_number: 17,
      message: 'Connection timeout on db-primary-03',
      service: 'payment-gateway',
      environment: 'production',
      receiver: 'logtrace',
      properties: {},
    });
  });

  it('fills columns from known fields and keeps every other field as a property under its name', async () => {
    const res = await ingest(h.keys.logtrace, {
      logs: [
        rec({
          '@timestamp': '2024-03-15T10:22:01.250+02:00',
          level: 'warning',
          trace_id: 'b914b15ef1064f306ce6d660702864ed',
          span_id: 'f0b32a8472b55a56',
          host: 'db-primary-03',
          http: { status: 503 },
          attributes: { user_id: 'u_1', service: 'from-attrs' },
          tags: ['db'],
          resource: { 'host.name': 'ip-10-0-0-1', pid: 42 },
        }),
        rec({ properties: { service: 'billing' } }),
      ],
    });
    expect(res.json()).toEqual({ accepted: 2, rejected: 0 });
    const [first, second] = h.records('logs').slice(-2);
    expect(first).toMatchObject({
      timestamp: '2024-03-15T08:22:01.250Z',
      severity: 'warn',
      trace_id: 'b914b15ef1064f306ce6d660702864ed',
      span_id: 'f0b32a8472b55a56',
      tags: ['db'],
      service: 'from-attrs',
      resource: { 'host.name': 'ip-10-0-0-1', pid: '42' },
      properties: { host: 'db-primary-03', http: { status: 503 }, user_id: 'u_1', service: 'from-attrs' },
    });
    expect(second).toMatchObject({ service: 'billing', properties: { service: 'billing' } });
  });

  it('refuses missing, invalid and foreign keys with 401, and keys without the write scope with 403', async () => {
    expect(await refusal(ingest(null, SEED_BATCH))).toEqual([401, 'UNAUTHORIZED']);
    expect(await refusal(ingest('lt_live_8f3a9c2d1e4b5f6a7c8d9e0f1a2b3c4d', SEED_BATCH))).toEqual([401, 'UNAUTHORIZED']);
    expect(await refusal(ingest(h.keys.logtrail_rw, SEED_BATCH))).toEqual([401, 'UNAUTHORIZED']);
    expect(await refusal(ingest(keys.readOnly, SEED_BATCH))).toEqual([403, 'FORBIDDEN']);
    expect((await ingest(keys.seedScope, SEED_BATCH)).statusCode).toBe(202);
  });

  it('answers 403 for a record or a request outside the key’s environments, and stores nothing of it', async () => {
    const before = h.records('logs').length;
    expect(await refusal(ingest(h.keys.logtrace, { logs: [rec({ message: 'ok' }), rec({ environment: 'staging' })] }))).toEqual([403, 'FORBIDDEN']);
    expect(await refusal(ingest(h.keys.logtrace, { environment: 'staging', logs: [rec()] }))).toEqual([403, 'FORBIDDEN']);
    expect(h.records('logs').length).toBe(before);
    expect((await ingest(keys.staging, { logs: [rec({ message: 'staged' })] })).statusCode).toBe(202);
    expect((await ingest(keys.everywhere, { environment: 'Development', logs: [rec({ message: 'dev' }), rec({ message: 'prod', environment: 'production' })] })).statusCode).toBe(202);
    expect(h.records('logs').slice(before).map((r) => [r.message, r.environment])).toEqual([
      ['staged', 'staging'],
      ['dev', 'development'],
      ['prod', 'production'],
    ]);
  });

  it('answers 400 for a body it cannot read', async () => {
    const key = h.keys.logtrace;
    expect(await refusal(ingest(key, JSON.stringify(SEED_BATCH), { 'content-type': 'text/plain' }))).toEqual([400, 'VALIDATION_ERROR']);
    const untyped = h.http.inject({ method: 'POST', url: '/v1/logs/ingest', headers: { authorization: `Bearer ${key}` }, payload: JSON.stringify(SEED_BATCH) });
    expect(await refusal(untyped)).toEqual([400, 'VALIDATION_ERROR']);
    expect(await refusal(ingest(key, ''))).toEqual([400, 'VALIDATION_ERROR']);
    expect(await refusal(ingest(key, '{"logs": [{"level":'))).toEqual([400, 'VALIDATION_ERROR']);
    expect(await refusal(ingest(key, { records: [rec()] }))).toEqual([400, 'VALIDATION_ERROR']);
    expect(await refusal(ingest(key, [rec()]))).toEqual([400, 'VALIDATION_ERROR']);
    expect(await refusal(ingest(key, { logs: [] }))).toEqual([400, 'VALIDATION_ERROR']);
    expect(await refusal(ingest(key, { environment: 'prod', logs: [rec()] }))).toEqual([400, 'VALIDATION_ERROR']);
  });

  it('takes 5,000 records in one request and refuses 5,001 whole', async () => {
    const before = h.records('logs').length;
    expect((await ingest(h.keys.logtrace, { logs: Array.from({ length: 5000 }, () => rec()) })).json()).toEqual({ accepted: 5000, rejected: 0 });
    const over = await ingest(h.keys.logtrace, { logs: Array.from({ length: 5001 }, () => rec()) });
    expect(over.statusCode).toBe(400);
    expect(over.json().error.message).toMatch(/5000/);
    expect(h.records('logs').length).toBe(before + 5000);
  });

  it('stores the good records around bad ones and lists the bad ones by index', async () => {
    const before = h.records('logs').length;
    const res = await ingest(h.keys.logtrace, {
      logs: [
        rec({ message: 'a' }),
        { level: 'info' },
        rec({ level: 'loud' }),
        rec({ timestamp: 'yesterday' }),
        'text',
        rec({ message: 'x'.repeat(65 * 1024) }),
        rec({ message: 'b', environment: 'qa' }),
        rec({ message: 'c' }),
      ],
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 2, rejected: 6 });
    expect(res.json().errors.map((e: { index: number }) => e.index)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(res.json().errors[0].message).toBe('message: is required');
    expect(h.records('logs').slice(before).map((r) => r.message)).toEqual(['a', 'c']);
  });

  it('answers 400 with the reasons when no record is valid', async () => {
    const res = await ingest(h.keys.logtrace, { logs: [{ level: 'ERROR', service: 'payment-gateway' }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_ERROR', details: { accepted: 0, rejected: 1, errors: [{ index: 0, message: 'message: is required' }] } });
  });

  it('answers a body over the size limit with 413', async () => {
    const res = await ingest(h.keys.logtrace, { logs: Array.from({ length: 40 }, () => rec({ message: 'x'.repeat(30 * 1024) })) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('never answers 202 when the bus did not confirm the batch, and takes the retry', async () => {
    const before = h.records('logs').length;
    h.failNext(1);
    const res = await ingest(h.keys.logtrace, { logs: [rec({ message: 'retry me' })] });
    expect(res.headers['retry-after']).toBe('1');
    expect(await refusal(Promise.resolve(res))).toEqual([503, 'SERVICE_UNAVAILABLE']);
    expect(h.records('logs').length).toBe(before);
    expect((await ingest(h.keys.logtrace, { logs: [rec({ message: 'retry me' })] })).statusCode).toBe(202);
    expect(h.records('logs').slice(before).map((r) => r.message)).toEqual(['retry me']);
  });
});
