import type { Table } from '../../core/records.js';
import type { BusMessage } from '../bus/bus.js';
import type { Partition } from '../lake/manifest.js';

/**
 * The rows a writer holds that no committed file has yet, as queries in its process read them beside the
 * lake's files (as Loki's queriers read its ingesters' memory). Read in the same tick as the manifest's
 * file list, a message is in exactly one of the two: it stops being pending as the commit that lists its
 * file lands in that manifest.
 */
export interface PendingRows {
  /**
   * A project's messages of `table` in the hours [fromHour, toHour] (either side open when null) that no
   * listed file holds; with `heldBefore` (ms since the epoch), only those held since before then.
   */
  pending(project: string, table: Table, fromHour: string | null, toHour: string | null, heldBefore?: number): BusMessage[];
  /** Whether the message is still pending: once not, it never is again. */
  isPending(message: BusMessage): boolean;
}

/**
 * A message acked whose commit the manifest this process reads does not show yet (on JetStream its watch
 * may tell after the writer's compare-and-set answered) is forgotten after this long all the same, so that
 * a watch that has stopped cannot make the writer hold every message it ever wrote.
 */
const LAGGING_MS = 30_000;

const keyOf = (p: Partition) => `${p.project}\u0000${p.table}\u0000${p.hour}`;

/** The writer's messages from delivery until the manifest shows them committed (or they are dead-lettered). */
export class HeldMessages implements PendingRows {
  /** Per partition, each message by sequence, and since when it is held. */
  private readonly byPartition = new Map<string, Map<number, { message: BusMessage; at: number }>>();
  /** Acked, not yet shown committed: when each was acked. */
  private lagging = new Map<BusMessage, number>();

  constructor(private readonly isCommitted: (message: BusMessage) => boolean) {}

  add(message: BusMessage, now = Date.now()): void {
    const key = keyOf(message);
    let messages = this.byPartition.get(key);
    if (!messages) this.byPartition.set(key, (messages = new Map()));
    // Held again after a failed flush: held since it first was.
    if (!messages.has(message.seq)) messages.set(message.seq, { message, at: now });
  }

  /** Dead-lettered: no file will ever hold its rows. */
  drop(message: BusMessage): void {
    const key = keyOf(message);
    const messages = this.byPartition.get(key);
    messages?.delete(message.seq);
    if (messages?.size === 0) this.byPartition.delete(key);
  }

  /** Acked after their commit: dropped now if the manifest shows it, else once it does (or after `LAGGING_MS`). */
  acked(messages: BusMessage[], now = Date.now()): void {
    const lagging = new Map<BusMessage, number>();
    const sort = (m: BusMessage, at: number) => {
      if (!this.isCommitted(m) && now - at < LAGGING_MS) lagging.set(m, at);
      else this.drop(m);
    };
    for (const [m, at] of this.lagging) sort(m, at);
    for (const m of messages) sort(m, now);
    this.lagging = lagging;
  }

  pending(project: string, table: Table, fromHour: string | null, toHour: string | null, heldBefore = Infinity): BusMessage[] {
    const out: BusMessage[] = [];
    for (const messages of this.byPartition.values()) {
      const first = messages.values().next().value?.message;
      if (!first || first.project !== project || first.table !== table) continue;
      if ((fromHour !== null && first.hour < fromHour) || (toHour !== null && first.hour > toHour)) continue;
      for (const { message, at } of messages.values()) if (at < heldBefore && !this.isCommitted(message)) out.push(message);
    }
    return out;
  }

  isPending(message: BusMessage): boolean {
    return this.byPartition.get(keyOf(message))?.has(message.seq) === true && !this.isCommitted(message);
  }
}
