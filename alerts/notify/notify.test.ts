import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../testing.js';
import { waitFor } from '../../test/helpers/ports.js';
import { bodyFor } from './formats.js';
import type { Notice } from './notice.js';
import { NotificationQueue, QUEUE_DEFAULTS } from './queue.js';

const notice: Notice = {
  rule: { id: 'r1', name: 'Checkout <errors> & co', project_id: 'default' },
  state: 'firing',
  previous_state: 'not_firing',
  value: 12,
  threshold: 5,
  operator: 'above',
  window: { minutes: 5, from: '2026-06-15T11:55:00.000Z', to: '2026-06-15T12:00:00.000Z' },
  query: 'severity:error service:checkout',
  filters: null,
  link: 'http://localhost:8080/api/orgs/default/projects/default/gql?q=severity%3Aerror',
  timestamp: '2026-06-15T12:00:00.000Z',
};

const receivers: Receiver[] = [];
const queues: NotificationQueue[] = [];
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.stop(100)));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(respond?: (n: number) => number): Promise<Receiver> {
  const r = await startReceiver(respond);
  receivers.push(r);
  return r;
}

function queue(opts: Partial<typeof QUEUE_DEFAULTS> = {}): NotificationQueue {
  const q = new NotificationQueue(pino({ level: 'silent' }), { ...QUEUE_DEFAULTS, backoffMs: 50, ...opts });
  queues.push(q);
  return q;
}

describe('notifications', () => {
  it('a webhook receives the notice as JSON: rule, value, threshold, window, state and a link to the query', async () => {
    const r = await receiver();
    queue().enqueue({ url: r.url, body: bodyFor('webhook', notice), label: 'webhook' });
    await waitFor('the webhook', async () => r.received.length === 1);
    expect(r.received[0].headers['content-type']).toBe('application/json');
    expect(r.received[0].body).toEqual(notice);
  });

  it('Slack gets an incoming-webhook message: text and blocks, control characters escaped, a link to the query', async () => {
    const r = await receiver();
    queue().enqueue({ url: r.url, body: bodyFor('slack', notice), label: 'slack' });
    await waitFor('the Slack message', async () => r.received.length === 1);
    const message = r.received[0].body;
    expect(Object.keys(message).sort()).toEqual(['blocks', 'text']);
    expect(message.text).toBe('Alert "Checkout &lt;errors&gt; &amp; co" :rotating_light: is firing: 12 (threshold: above 5, last 5 min)');
    expect(message.blocks.map((b: { type: string }) => b.type)).toEqual(['section', 'section', 'context']);
    const all = JSON.stringify(message.blocks);
    for (const text of ['*Value*\\n12', '*Threshold*\\nabove 5', '*Window*\\nlast 5 min', 'not_firing → firing', `<${notice.link}|Open the query>`]) {
      expect(all).toContain(text);
    }
  });

  it('retries a failing receiver with growing waits until it answers', async () => {
    const r = await receiver((n) => (n <= 2 ? 503 : 200));
    queue({ backoffMs: 100 }).enqueue({ url: r.url, body: bodyFor('webhook', notice), label: 'webhook' });
    await waitFor('the third attempt', async () => r.received.length === 3);
    expect(r.received.map((x) => x.status)).toEqual([503, 503, 200]);
    const [a, b, c] = r.received.map((x) => x.at);
    expect(b - a).toBeGreaterThanOrEqual(90);
    expect(c - b).toBeGreaterThanOrEqual(190);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.received).toHaveLength(3);
  });

  it('gives up after its attempts, and at once on a refusal that another attempt cannot change', async () => {
    const down = await receiver(() => 500);
    const gone = await receiver(() => 404);
    const q = queue({ attempts: 3, backoffMs: 20 });
    q.enqueue({ url: down.url, body: notice, label: 'down' });
    q.enqueue({ url: gone.url, body: notice, label: 'gone' });
    await waitFor('three attempts', async () => down.received.length === 3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(down.received).toHaveLength(3);
    expect(gone.received).toHaveLength(1);
  });

  it('a receiver that never answers holds up no other delivery, and stop ends its attempt at the deadline', async () => {
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const r = await receiver();
    const q = queue({ timeoutMs: 60_000 });
    q.enqueue({ url: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/`, body: notice, label: 'hanging' });
    q.enqueue({ url: r.url, body: notice, label: 'ok' });
    await waitFor('the other delivery', async () => r.received.length === 1, 2_000);
    const stopping = Date.now();
    await q.stop(100);
    expect(Date.now() - stopping).toBeLessThan(1_000);
    hanging.closeAllConnections();
    await new Promise((resolve) => hanging.close(resolve));
  });

  it('never connects to a refused address: checked at send, by IP literal and by what a name resolves to, and not retried', async () => {
    const r = await receiver();
    const port = new URL(r.url).port;
    const q = queue({ attempts: 3, destinations: { allowPrivate: false } });
    q.enqueue({ url: `http://localhost:${port}/`, body: notice, label: 'by name' });
    q.enqueue({ url: r.url, body: notice, label: 'by literal' });
    q.enqueue({ url: 'http://169.254.169.254/latest/meta-data/', body: notice, label: 'metadata' });
    const allowed = queue({ destinations: { allowPrivate: true } });
    allowed.enqueue({ url: `http://localhost:${port}/`, body: notice, label: 'allowed' });
    await waitFor('the allowed delivery', async () => r.received.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.received).toHaveLength(1);
  });
});
