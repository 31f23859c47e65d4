// Whatever a sender posts, an HTTP ingest surface answers in its own words: a 4xx for what it refuses,
// never a 5xx (a 5xx tells senders to retry the same bad body forever). Fixed seed, so a failure reproduces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceiverFactory } from '../component.js';
import { receiverHarness, type ReceiverHarness } from './testing.js';
import { goodlogsReceiverFactory } from './goodlogs/factory.js';
import { logtrailReceiverFactory } from './logtrail/factory.js';
import { logtraceReceiverFactory } from './logtrace/factory.js';
import { mutate, random } from '../../test/helpers/mutate.js';

const surfaces: { name: string; factory: ReceiverFactory; url: string; key: (h: ReceiverHarness) => Record<string, string>; body: unknown }[] = [
  {
    name: 'GoodLogs logs', factory: goodlogsReceiverFactory, url: '/v1/logs', key: (h: ReceiverHarness) => ({ authorization: `Bearer ${h.keys.goodlogs_secret}` }),
    body: { batch: [{ severity: 'error', message: 'm', timestamp: '2026-06-15T11:00:00Z', properties: { a: 1, b: { c: 'd' } }, metadata: { s: 500 }, tags: ['t'], resource: { 'service.name': 'x' } }] },
  },
  {
    name: 'GoodLogs events', factory: goodlogsReceiverFactory, url: '/v1/events', key: (h: ReceiverHarness) => ({ authorization: `Bearer ${h.keys.goodlogs_secret}` }),
    body: { batch: [{ event: 'signup', distinctId: 'u', properties: { plan: 'pro' }, timestamp: '2026-06-15T11:00:00Z' }] },
  },
  {
    name: 'Logtrail bulk', factory: logtrailReceiverFactory, url: '/api/v1/workspace/logs/bulk', key: (h: ReceiverHarness) => ({ 'x-api-key': h.keys.logtrail_rw }),
    body: [{ level: 'error', action: 'user.login', message: 'm', environment: 'production', clientTimestamp: '2026-06-15T11:00:00Z', actor: { id: 'a', email: 'e@x' }, metadata: { s: 1 }, tags: ['t'] }],
  },
  {
    name: 'LogTrace ingest', factory: logtraceReceiverFactory, url: '/v1/logs/ingest', key: (h: ReceiverHarness) => ({ authorization: `Bearer ${h.keys.logtrace}` }),
    body: { logs: [{ timestamp: '2026-06-15T11:00:00Z', level: 'ERROR', message: 'm', service: 's', attributes: { a: 1 } }] },
  },
];

describe.each(surfaces)('$name under mutated bodies', (surface) => {
  let h: ReceiverHarness;
  beforeAll(async () => {
    h = await receiverHarness(surface.factory);
  });
  afterAll(async () => h.close());

  it('never answers 5xx', async () => {
    const rnd = random(1234);
    const fives: string[] = [];
    for (let i = 0; i < 150; i++) {
      const payload = JSON.stringify(mutate(surface.body, rnd));
      const res = await h.http.inject({ method: 'POST', url: surface.url, headers: { 'content-type': 'application/json', ...surface.key(h) }, payload });
      if (res.statusCode >= 500) fives.push(`${res.statusCode} ${payload.slice(0, 200)} → ${res.body.slice(0, 200)}`);
    }
    expect(fives).toEqual([]);
  });
});
