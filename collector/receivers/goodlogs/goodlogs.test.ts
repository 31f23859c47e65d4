import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiverHarness, type ReceiverHarness } from '../testing.js';
import { goodlogsReceiverFactory } from './factory.js';

let h: ReceiverHarness;
beforeAll(async () => {
  h = await receiverHarness(goodlogsReceiverFactory);
});
afterAll(async () => h.close());

const post = (url: string, key: string | null, payload: unknown, headers: Record<string, string> = {}) =>
  h.http.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

describe('GoodLogs ingest', () => {
  it('accepts the seed example and maps it to canonical records', async () => {
    const res = await post('/v1/logs', h.keys.goodlogs_secret, {
      batch: [
        { severity: 'error', message: 'Payment failed: card_declined', properties: { orderId: 'ord_123', amount: 29, service: 'billing', env: 'prod' } },
        { severity: 'WARNING', message: 'User signed up', metadata: { status_code: 500 }, timestamp: '2026-06-15T11:00:00Z' },
      ],
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 2, rejected: 0 });
    const [first, second] = h.records('logs').slice(-2);
    expect(first).toMatchObject({ severity: 'error', severity_number: 17, service: 'billing', receiver: 'goodlogs', environment: 'production' });
    expect(first.properties).toMatchObject({ orderId: 'ord_123', amount: 29 });
    expect(second).toMatchObject({ severity: 'warn', timestamp: '2026-06-15T11:00:00.000Z' });
    expect(second.properties).toMatchObject({ metadata: { status_code: 500 } });
  });

  it('rejects a bad item without losing the good ones around it', async () => {
    const before = h.records('logs').length;
    const res = await post('/v1/logs', h.keys.goodlogs_secret, {
      batch: [{ severity: 'info', message: 'a' }, { severity: 'loud', message: 'b' }, { message: 'no severity' }, { severity: 'debug', message: 'c' }],
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ accepted: 2, rejected: 2 });
    expect(res.json().errors.map((e: { index: number }) => e.index)).toEqual([1, 2]);
    expect(h.records('logs').slice(before).map((r) => r.message)).toEqual(['a', 'c']);
  });

  it('takes events with public keys, stores distinctId as distinct_id', async () => {
    const res = await post('/v1/events', h.keys.goodlogs_public, { batch: [{ event: 'signup', distinctId: 'user_123', properties: { plan: 'pro' } }, { event: 'page_view' }] });
    expect(res.statusCode).toBe(202);
    expect(h.records('events').slice(-2).map((r) => r.distinct_id)).toEqual(['user_123', null]);
  });

  it('refuses missing, invalid and public keys on logs', async () => {
    expect((await post('/v1/logs', null, { batch: [] })).json()).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    expect((await post('/v1/logs', 'gl_sk_eu_nope', { batch: [] })).statusCode).toBe(401);
    expect((await post('/v1/logs', h.keys.logtrace, { batch: [] })).statusCode).toBe(401);
    const pub = await post('/v1/logs', h.keys.goodlogs_public, { batch: [{ severity: 'info', message: 'x' }] });
    expect(pub.statusCode).toBe(403);
    expect(pub.json().error.code).toBe('FORBIDDEN');
  });

  it('answers malformed bodies and over-limit batches with 400 and over-size bodies with 413', async () => {
    const before = h.batches.length;
    expect((await post('/v1/logs', h.keys.goodlogs_secret, '{"batch": [')).json().error.code).toBe('VALIDATION_ERROR');
    expect((await post('/v1/logs', h.keys.goodlogs_secret, { items: [] })).statusCode).toBe(400);
    const big = { batch: Array.from({ length: 501 }, () => ({ severity: 'info', message: 'x' })) };
    expect((await post('/v1/logs', h.keys.goodlogs_secret, big)).json().error.message).toMatch(/500/);
    const huge = { batch: [{ severity: 'info', message: 'x'.repeat(2 * 1024 * 1024) }] };
    const res = await post('/v1/logs', h.keys.goodlogs_secret, huge);
    expect(res.statusCode).toBe(413);
    expect(h.batches.length).toBe(before);
  });

  it('rejects messages over 64 KB and reads JSON without a content type', async () => {
    const res = await post('/v1/logs', h.keys.goodlogs_secret, { batch: [{ severity: 'info', message: 'x'.repeat(65 * 1024) }, { severity: 'info', message: 'ok' }] }, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.json()).toMatchObject({ accepted: 1, rejected: 1 });
  });

  it('never answers 202 when the bus did not confirm the batch: 503, Retry-After, and no claim that nothing was stored', async () => {
    h.failNext(1);
    const res = await post('/v1/logs', h.keys.goodlogs_secret, { batch: [{ severity: 'info', message: 'lost?' }] });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json().error).toEqual({ code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/may or may not have been stored; retrying this same request is safe/) });
  });
});
