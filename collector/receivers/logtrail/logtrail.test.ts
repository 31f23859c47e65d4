import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiverHarness, type ReceiverHarness } from '../testing.js';
import { logtrailReceiverFactory } from './factory.js';

let h: ReceiverHarness;
/** Keys beside the bootstrap one (`logs:read` + `logs:write`, production only). */
const keys = { readOnly: '', staging: '', everything: '' };

beforeAll(async () => {
  h = await receiverHarness(logtrailReceiverFactory, { max_bulk: 5 });
  const make = async (scopes: string[], environments: string[] | null) =>
    (await h.meta.createKey({ org_id: 'default', project_id: 'default', family: 'logtrail', kind: 'secret', scopes, environments, region: null, name: 'test' })).secret;
  keys.readOnly = await make(['logs:read'], ['production']);
  keys.staging = await make(['logs:write'], ['staging']);
  keys.everything = await make(['*'], null);
});
afterAll(async () => h.close());

const URL = '/api/v1/workspace';
const SEED_LOG = {
  action: 'user.login',
  level: 'info',
  message: 'User logged in successfully',
  clientTimestamp: '2025-08-16T10:00:00Z',
  actor: { id: 'user_123', email: 'alex@example.com' },
  context: { ip: '192.168.1.1', user_agent: 'Mozilla/5.0...' },
  tags: ['auth', 'prod'],
};
const log = (fields: Record<string, unknown> = {}) => ({ action: 'a', level: 'info', clientTimestamp: '2025-08-16T10:00:00Z', ...fields });

const post = (path: string, key: string | null, payload: unknown, headers: Record<string, string> = {}) =>
  h.http.inject({
    method: 'POST',
    url: `${URL}${path}`,
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}), ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

/** The status and the seed's error code of a refused request, after checking its envelope. */
const refusal = async (pending: ReturnType<typeof post>) => {
  const res = await pending;
  const body = res.json();
  expect(body).toEqual({ error_code: expect.any(String), message: expect.any(String), request_id: expect.stringMatching(/^[0-9a-f-]{36}$/), details: expect.any(Object) });
  return [res.statusCode, body.error_code];
};

describe('Logtrail POST /logs', () => {
  it('stores the seed example and answers 201 with the LogEntry', async () => {
    const res = await post('/logs', h.keys.logtrail_rw, SEED_LOG);
    expect(res.statusCode).toBe(201);
    const entry = res.json();
    expect(entry).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      environment: 'production',
      level: 'info',
      action: 'user.login',
      message: 'User logged in successfully',
      tags: ['auth', 'prod'],
      actor: SEED_LOG.actor,
      target: null,
      context: SEED_LOG.context,
      metadata: null,
      client_timestamp: '2025-08-16T10:00:00.000Z',
      server_timestamp: expect.any(String),
    });
    const record = h.records('logs').at(-1)!;
    expect(record).toMatchObject({
      id: entry.id,
      environment: 'production',
      timestamp: '2025-08-16T10:00:00.000Z',
      observed_timestamp: entry.server_timestamp,
      severity: 'info',
      severity_number: 9,
      action: 'user.login',
      service: null,
      tags: ['auth', 'prod'],
      receiver: 'logtrail',
      properties: { actor: SEED_LOG.actor, context: SEED_LOG.context },
    });
  });

  it('takes the key as a Bearer token too, and a `*` key writes to any environment', async () => {
    expect((await post('/logs', null, log(), { authorization: `Bearer ${h.keys.logtrail_rw}` })).statusCode).toBe(201);
    const res = await post('/logs', keys.everything, log({ environment: 'development' }));
    expect(res.statusCode).toBe(201);
    expect(res.json().environment).toBe('development');
  });

  it('refuses missing, invalid and foreign keys with 401, and keys without logs:write with 403', async () => {
    expect(await refusal(post('/logs', null, log()))).toEqual([401, 'AUTH_MISSING_API_KEY']);
    expect(await refusal(post('/logs', 'lt_production_rw_0000', log()))).toEqual([401, 'AUTH_INVALID_API_KEY']);
    expect(await refusal(post('/logs', h.keys.logtrace, log()))).toEqual([401, 'AUTH_INVALID_API_KEY']);
    expect(await refusal(post('/logs', keys.readOnly, log()))).toEqual([403, 'AUTH_API_KEY_SCOPE_MISMATCH']);
  });

  it('keeps a key to its environments and defaults a log to the key’s environment', async () => {
    expect(await refusal(post('/logs', h.keys.logtrail_rw, log({ environment: 'staging' })))).toEqual([400, 'VALIDATION_INVALID_ENVIRONMENT']);
    expect(await refusal(post('/logs', h.keys.logtrail_rw, log({ environment: 'prod' })))).toEqual([400, 'VALIDATION_INVALID_ENVIRONMENT']);
    const res = await post('/logs', keys.staging, log({ message: 'to staging' }));
    expect(res.json().environment).toBe('staging');
    expect(h.records('logs').at(-1)).toMatchObject({ environment: 'staging', message: 'to staging' });
  });

  it('answers each malformed body with its own code', async () => {
    const key = h.keys.logtrail_rw;
    expect(await refusal(post('/logs', key, JSON.stringify(log()), { 'content-type': 'text/plain' }))).toEqual([400, 'VALIDATION_INVALID_CONTENT_TYPE']);
    const untyped = h.http.inject({ method: 'POST', url: `${URL}/logs`, headers: { 'x-api-key': key }, payload: JSON.stringify(log()) });
    expect(await refusal(untyped)).toEqual([400, 'VALIDATION_INVALID_CONTENT_TYPE']);
    expect(await refusal(post('/logs', key, JSON.stringify(log()), { 'content-type': 'json' }))).toEqual([400, 'VALIDATION_INVALID_CONTENT_TYPE']);
    expect(await refusal(post('/logs', key, ''))).toEqual([400, 'VALIDATION_EMPTY_BODY']);
    expect(await refusal(post('/logs', key, '   '))).toEqual([400, 'VALIDATION_EMPTY_BODY']);
    const bare = h.http.inject({ method: 'POST', url: `${URL}/logs`, headers: { 'x-api-key': key } });
    expect(await refusal(bare)).toEqual([400, 'VALIDATION_EMPTY_BODY']);
    expect(await refusal(post('/logs', key, '{"action": '))).toEqual([400, 'VALIDATION_INVALID_JSON']);
    expect(await refusal(post('/logs', key, [log()]))).toEqual([400, 'VALIDATION_INVALID_REQUEST']);
    expect((await post('/logs', key, log(), { 'content-type': 'application/json; charset=utf-8' })).statusCode).toBe(201);
  });

  it('holds fields to the OpenAPI schema and lists every problem', async () => {
    const res = await post('/logs', h.keys.logtrail_rw, { level: 'WARNING', message: null, tags: ['ok', 3], actor: 'me' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error_code).toBe('VALIDATION_FAILED');
    expect(res.json().details.errors).toEqual([
      { field: 'action', message: 'is required', log_index: null },
      { field: 'level', message: expect.stringMatching(/^must be one of trace/), log_index: null },
      { field: 'clientTimestamp', message: 'is required', log_index: null },
      { field: 'message', message: 'must be a string', log_index: null },
      { field: 'tags.1', message: 'must be a string', log_index: null },
      { field: 'actor', message: 'must be an object', log_index: null },
    ]);
    for (const clientTimestamp of ['2025-08-16', '2025-08-16T10:00:00', '2025-02-30T10:00:00Z', 'yesterday']) {
      expect(await refusal(post('/logs', h.keys.logtrail_rw, log({ clientTimestamp })))).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect(await refusal(post('/logs', h.keys.logtrail_rw, log({ message: 'x'.repeat(65 * 1024) })))).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('never answers 201 when the bus did not confirm the log, and takes the retry', async () => {
    const before = h.records('logs').length;
    h.failNext(1);
    expect(await refusal(post('/logs', h.keys.logtrail_rw, log({ message: 'retry me' })))).toEqual([503, 'INTERNAL_LOG_SERVICE_ERROR']);
    expect(h.records('logs').length).toBe(before);
    expect((await post('/logs', h.keys.logtrail_rw, log({ message: 'retry me' }))).statusCode).toBe(201);
    expect(h.records('logs').slice(before).map((r) => r.message)).toEqual(['retry me']);
  });
});

describe('Logtrail POST /logs/bulk', () => {
  it('stores every log and answers 201 with the LogEntries in order', async () => {
    const before = h.records('logs').length;
    const res = await post('/logs/bulk', h.keys.logtrail_rw, [log({ message: 'one' }), log({ message: 'two', level: 'error', metadata: { status_code: 500 } })]);
    expect(res.statusCode).toBe(201);
    expect(res.json().map((e: { message: string }) => e.message)).toEqual(['one', 'two']);
    expect(res.json()[1].metadata).toEqual({ status_code: 500 });
    expect(h.records('logs').slice(before).map((r) => [r.message, r.severity])).toEqual([['one', 'info'], ['two', 'error']]);
  });

  it('refuses the whole array when one log is bad, naming each by index, so a fixed resend stores all once', async () => {
    const before = h.records('logs').length;
    const res = await post('/logs/bulk', h.keys.logtrail_rw, [log({ message: 'good' }), log({ level: 'loud' }), log({ environment: 'staging' })]);
    expect(res.statusCode).toBe(400);
    expect(res.json().error_code).toBe('VALIDATION_FAILED');
    expect(res.json().details.errors.map((e: { field: string; log_index: number }) => [e.field, e.log_index])).toEqual([['level', 1], ['environment', 2]]);
    expect(h.records('logs').length).toBe(before);
    expect((await post('/logs/bulk', h.keys.logtrail_rw, [log({ message: 'good' }), log({ message: 'fixed' })])).statusCode).toBe(201);
    expect(h.records('logs').slice(before).map((r) => r.message)).toEqual(['good', 'fixed']);
  });

  it('answers an over-limit, empty or non-array body with 400', async () => {
    const six = Array.from({ length: 6 }, () => log());
    const over = await post('/logs/bulk', h.keys.logtrail_rw, six);
    expect(over.json()).toMatchObject({ error_code: 'VALIDATION_BULK_LIMIT_EXCEEDED', details: { limit: 5, received: 6 } });
    expect(over.statusCode).toBe(400);
    expect(await refusal(post('/logs/bulk', h.keys.logtrail_rw, []))).toEqual([400, 'VALIDATION_FAILED']);
    expect(await refusal(post('/logs/bulk', h.keys.logtrail_rw, log()))).toEqual([400, 'VALIDATION_INVALID_REQUEST']);
    expect(await refusal(post('/logs/bulk', h.keys.logtrail_rw, [log(), log({ environment: 'staging' })]))).toEqual([400, 'VALIDATION_INVALID_ENVIRONMENT']);
    expect(await refusal(post('/logs/bulk', keys.readOnly, [log()]))).toEqual([403, 'AUTH_API_KEY_SCOPE_MISMATCH']);
  });

  it('answers 503 with Retry-After, not 201, when the bus did not confirm the batch', async () => {
    h.failNext(1);
    const res = await post('/logs/bulk', h.keys.logtrail_rw, [log(), log()]);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json().message).toMatch(/may or may not have been stored; retrying this same request is safe/);
    expect(await refusal(Promise.resolve(res))).toEqual([503, 'INTERNAL_LOG_SERVICE_ERROR']);
  });

  it('answers a body over the size limit with 413 and stores nothing', async () => {
    const before = h.batches.length;
    const res = await post('/logs/bulk', h.keys.logtrail_rw, [log({ message: 'x'.repeat(9 * 1024 * 1024) })]);
    expect(res.statusCode).toBe(413);
    expect(res.json().error_code).toBe('VALIDATION_INVALID_REQUEST');
    expect(h.batches.length).toBe(before);
  });
});

describe('Logtrail POST /logs/validate', () => {
  it('validates one log or an array, reports problems by index and stores nothing', async () => {
    const before = h.batches.length;
    const one = await post('/logs/validate', h.keys.logtrail_rw, SEED_LOG);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual({ valid: true, warnings: [], errors: [] });
    const many = await post('/logs/validate', h.keys.logtrail_rw, [log(), log({ level: 'verbose', extra: 1 }), log({ environment: 'staging' })]);
    expect(many.statusCode).toBe(200);
    expect(many.json()).toEqual({
      valid: false,
      warnings: ['log 1: field "extra" is not part of a log and is ignored'],
      errors: [
        { field: 'level', message: expect.any(String), log_index: 1 },
        { field: 'environment', message: expect.stringContaining('staging'), log_index: 2 },
      ],
    });
    expect(h.batches.length).toBe(before);
  });

  it('refuses what it cannot read with the same codes as ingest', async () => {
    expect(await refusal(post('/logs/validate', null, log()))).toEqual([401, 'AUTH_MISSING_API_KEY']);
    expect(await refusal(post('/logs/validate', keys.readOnly, log()))).toEqual([403, 'AUTH_API_KEY_SCOPE_MISMATCH']);
    expect(await refusal(post('/logs/validate', h.keys.logtrail_rw, '[{'))).toEqual([400, 'VALIDATION_INVALID_JSON']);
    expect(await refusal(post('/logs/validate', h.keys.logtrail_rw, '"text"'))).toEqual([400, 'VALIDATION_INVALID_REQUEST']);
    expect(await refusal(post('/logs/validate', h.keys.logtrail_rw, Array.from({ length: 6 }, () => log())))).toEqual([400, 'VALIDATION_BULK_LIMIT_EXCEEDED']);
  });
});
