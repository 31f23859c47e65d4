import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goodlogsReceiverFactory } from './factory.js';
import { receiverHarness, type ReceiverHarness } from '../testing.js';

const EVENTS = { batch: [{ event: 'page_view' }] };

describe.each([
  { name: 'by default (any origin)', config: {}, allowed: 'https://anywhere.example', blocked: null, echo: '*' },
  { name: 'with a list of origins', config: { cors: { allowed_origins: ['https://app.example.com/'] } }, allowed: 'https://APP.example.com', blocked: 'https://evil.example', echo: 'https://APP.example.com' },
])('browser access to GoodLogs events $name', ({ config, allowed, blocked, echo }) => {
  let h: ReceiverHarness;
  beforeAll(async () => {
    h = await receiverHarness(goodlogsReceiverFactory, config);
  });
  afterAll(() => h.close());

  const send = (method: 'POST' | 'OPTIONS', origin: string | null, key: string | null = h.keys.goodlogs_public) =>
    h.http.inject({
      method,
      url: '/v1/events',
      headers: {
        ...(origin ? { origin } : {}),
        ...(key && method === 'POST' ? { authorization: `Bearer ${key}` } : {}),
        ...(method === 'OPTIONS' ? { 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } : { 'content-type': 'application/json' }),
      },
      ...(method === 'POST' ? { payload: JSON.stringify(EVENTS) } : {}),
    });

  it('answers the preflight of an allowed origin', async () => {
    const res = await send('OPTIONS', allowed);
    expect(res.statusCode).toBe(204);
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': echo,
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': expect.stringContaining('authorization'),
      'access-control-max-age': '86400',
    });
  });

  it('takes events with a public key from an allowed origin, and lets the page read errors and limits', async () => {
    const res = await send('POST', allowed);
    expect(res.statusCode).toBe(202);
    expect(res.headers['access-control-allow-origin']).toBe(echo);
    expect(res.headers['access-control-expose-headers']).toContain('retry-after');
    const refused = await send('POST', allowed, 'gl_pk_eu_wrong');
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(echo);
  });

  it('takes requests that come from no browser, without CORS headers', async () => {
    const res = await send('POST', null);
    expect(res.statusCode).toBe(202);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  if (blocked) {
    it('refuses other origins with 403 FORBIDDEN, preflight included, before reading the key', async () => {
      const before = h.batches.length;
      for (const res of [await send('OPTIONS', blocked), await send('POST', blocked), await send('POST', blocked, null)]) {
        expect(res.statusCode).toBe(403);
        expect(res.json()).toEqual({ error: { code: 'FORBIDDEN', message: expect.stringMatching(/origin/) } });
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
      }
      expect(h.batches.length).toBe(before);
    });
  }

  it('offers no browser access to the secret-key log route', async () => {
    expect((await h.http.inject({ method: 'OPTIONS', url: '/v1/logs', headers: { origin: allowed } })).statusCode).toBe(404);
  });
});
