import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Bus, BusMessage, OutgoingMessage } from './bus.js';
import { EmbeddedBus } from './embedded.js';
import { JetStreamBus } from './jetstream.js';
import { deleteStream, machineNatsAvailable, MACHINE_NATS } from '../../test/helpers/nats.js';

const natsUp = await machineNatsAvailable();
if (!natsUp) console.warn(`SKIPPING the JetStream bus contract tests: no NATS with JetStream at ${MACHINE_NATS}`);

const message = (i: number, msgId = `m-${i}`): OutgoingMessage => ({
  table: 'logs', project: 'p1', hour: '2026-06-15T11', msgId, rows: 1, data: Buffer.from(`{"i":${i}}\n`),
});

async function take(bus: Bus, durable: string, n: number, ack: boolean): Promise<BusMessage[]> {
  const sub = await bus.subscribe(durable, { maxPending: 100 });
  const got: BusMessage[] = [];
  for await (const m of sub) {
    got.push(m);
    if (ack) await m.ack();
    if (got.length === n) break;
  }
  await sub.stop();
  return got;
}

const streams: string[] = [];
afterAll(async () => {
  for (const s of streams) await deleteStream(s);
});

const makers: [string, () => { bus: () => Bus }][] = [
  ['embedded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loglake-bus-'));
    return { bus: () => new EmbeddedBus({ dir, duplicateWindowSeconds: 60 }) };
  }],
  ...(natsUp
    ? [['jetstream', () => {
        const stream = `TEST_BUS_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
        streams.push(stream);
        return { bus: () => new JetStreamBus({ url: MACHINE_NATS, stream, subjectPrefix: stream.toLowerCase(), duplicateWindowSeconds: 60, maxAgeHours: 1, ackWaitSeconds: 2, replicas: 1 }) };
      }] as [string, () => { bus: () => Bus }]]
    : []),
];

describe.each(makers)('the %s bus contract', (_name, make) => {
  it('delivers in order with headers, de-duplicates by msgId, and redelivers what was not acked', async () => {
    const { bus: open } = make();
    const bus = open();
    await bus.start();
    for (let i = 1; i <= 5; i++) await bus.publish(message(i));
    await bus.publish(message(99, 'm-3'));
    const first = await take(bus, 'w', 5, false);
    expect(first.map((m) => m.data.toString())).toEqual([1, 2, 3, 4, 5].map((i) => `{"i":${i}}\n`));
    expect(first[0]).toMatchObject({ table: 'logs', project: 'p1', hour: '2026-06-15T11', rows: 1, msgId: 'm-1' });
    const seqs = first.map((m) => m.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    await first[0].ack();
    await first[1].ack();
    await bus.close();

    // A new process (a new bus object) sees exactly the un-acked messages again.
    const again = open();
    await again.start();
    const redelivered = await take(again, 'w', 3, true);
    expect(redelivered.map((m) => m.msgId)).toEqual(['m-3', 'm-4', 'm-5']);
    await again.publish(message(6));
    expect((await take(again, 'w', 1, true)).map((m) => m.msgId)).toEqual(['m-6']);
    await again.close();
  });

  it('answers publishes from many concurrent clients, each durable', async () => {
    const { bus: open } = make();
    const bus = open();
    await bus.start();
    await Promise.all(Array.from({ length: 200 }, (_, i) => bus.publish(message(i))));
    const got = await take(bus, 'w2', 200, true);
    expect(new Set(got.map((m) => m.msgId)).size).toBe(200);
    const sub = await bus.subscribe('w2', { maxPending: 100 });
    expect(await sub.undelivered()).toBe(0);
    await bus.publish(message(1000));
    if (bus.kind === 'embedded') expect(await sub.undelivered()).toBe(1);
    await sub.stop();
    await bus.close();
  });

  it('keeps answering publishes after a duplicate that had nothing to write (a retried request)', { timeout: 10_000 }, async () => {
    const { bus: open } = make();
    const bus = open();
    await bus.start();
    await bus.publish(message(1, 'retried'));
    await bus.publish(message(1, 'retried'));
    await bus.publish(message(2, 'after'));
    expect((await take(bus, 'w3', 2, true)).map((m) => m.msgId)).toEqual(['retried', 'after']);
    await bus.close();
  });
});

describe.skipIf(!natsUp)('the JetStream bus with a short ack_wait', () => {
  it('keeps what a live subscriber holds in progress past ack_wait (no redelivery), and redelivers what a stopped one held', { timeout: 20_000 }, async () => {
    const stream = `TEST_BUS_WPI_${process.pid}_${Date.now()}`;
    streams.push(stream);
    const open = () => new JetStreamBus({ url: MACHINE_NATS, stream, subjectPrefix: stream.toLowerCase(), duplicateWindowSeconds: 60, maxAgeHours: 1, ackWaitSeconds: 1, replicas: 1 });
    const bus = open();
    await bus.start();
    await bus.publish(message(1));
    await bus.publish(message(2));
    const sub = await bus.subscribe('slow', { maxPending: 10 });
    const seen: number[] = [];
    const iterating = (async () => {
      for await (const m of sub) {
        seen.push(m.seq);
        if (m.seq === seen[0]) setTimeout(() => void m.ack(), 3500);
      }
    })();
    await new Promise((r) => setTimeout(r, 4000));
    // Held 3.5 s under a 1 s ack_wait, and delivered once; the other one is held still.
    expect(seen).toEqual([seen[0], seen[0] + 1]);
    expect(await sub.ackPending()).toBe(1);
    expect(await sub.undelivered()).toBe(0);
    await sub.stop();
    await iterating;
    await bus.close();

    const again = open();
    await again.start();
    while ((await again.unavailable()) !== null) await new Promise((r) => setTimeout(r, 50));
    const watcher = await again.subscribe('slow', { maxPending: 10 });
    // What the stopped subscriber held counts as waiting for this one until it comes back.
    expect(await watcher.undelivered()).toBe(1);
    await watcher.stop();
    expect((await take(again, 'slow', 1, true)).map((m) => m.msgId)).toEqual(['m-2']);
    await again.close();
  });
});

