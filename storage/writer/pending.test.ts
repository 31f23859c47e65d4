import { describe, expect, it } from 'vitest';
import type { BusMessage } from '../bus/bus.js';
import { HeldMessages } from './pending.js';

const message = (seq: number, over: Partial<BusMessage> = {}): BusMessage => ({
  seq, table: 'logs', project: 'p', hour: '2026-12-03T08', msgId: `m${seq}`, rows: 1, data: Buffer.from('{}\n'), ack: async () => undefined, ...over,
});

describe('the messages a writer holds, as queries read them', () => {
  it("is a project's table's messages in the hours asked, until the manifest shows them committed", () => {
    const committed = new Set<number>();
    const held = new HeldMessages((m) => committed.has(m.seq));
    const [a, b, other, events, later] = [message(1), message(2), message(3, { project: 'q' }), message(4, { table: 'events' }), message(5, { hour: '2026-12-03T10' })];
    for (const m of [a, b, other, events, later]) held.add(m);
    expect(held.pending('p', 'logs', null, null)).toEqual([a, b, later]);
    expect(held.pending('p', 'logs', '2026-12-03T09', null)).toEqual([later]);
    expect(held.pending('p', 'logs', null, '2026-12-03T08')).toEqual([a, b]);
    // Committed and not yet acked: in a file the manifest lists, so no longer pending.
    committed.add(1);
    expect(held.pending('p', 'logs', null, '2026-12-03T08')).toEqual([b]);
    expect(held.isPending(a)).toBe(false);
    expect(held.isPending(b)).toBe(true);
  });

  it('keeps an acked message until the manifest shows its commit, and forgets it after a while all the same', () => {
    const committed = new Set<number>();
    const held = new HeldMessages((m) => committed.has(m.seq));
    const [a, b] = [message(1), message(2)];
    held.add(a);
    held.add(b);
    // Acked before this process's copy of the manifest heard of the commit (JetStream's watch): still pending.
    held.acked([a, b], 1_000);
    expect(held.pending('p', 'logs', null, null)).toEqual([a, b]);
    committed.add(1);
    held.acked([], 2_000);
    expect(held.pending('p', 'logs', null, null)).toEqual([b]);
    // Then forgotten even if the manifest never tells (its watch stopped), so memory stays bounded.
    held.acked([], 1_000 + 30_000);
    expect(held.isPending(b)).toBe(false);
  });

  it('tells, when asked, only the messages held since before a time (held again after a failed flush: since first held)', () => {
    const held = new HeldMessages(() => false);
    const [a, b] = [message(1), message(2)];
    held.add(a, 1_000);
    held.add(b, 2_000);
    held.add(a, 3_000);
    expect(held.pending('p', 'logs', null, null, 1_500)).toEqual([a]);
    expect(held.pending('p', 'logs', null, null, 2_500)).toEqual([a, b]);
  });

  it('drops a dead-lettered message: no file will hold it', () => {
    const held = new HeldMessages(() => false);
    const a = message(1);
    held.add(a);
    held.drop(a);
    expect(held.pending('p', 'logs', null, null)).toEqual([]);
    expect(held.isPending(a)).toBe(false);
  });
});
