import type { KV } from '@nats-io/kv';

interface Holder {
  owner: string;
  /** ms since the epoch. */
  until: number;
}

/** Who does a job that must run on one node at a time, and whether this node may do it now. */
export interface Lease {
  /** Takes or renews the lease; false while another live node holds it. */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}

/** The lease of a process that is alone over its lake (the embedded bus): always its own. */
export const soleLease: Lease = { acquire: async () => true, release: async () => undefined };

/**
 * A lease in a key-value bucket, taken and renewed by compare-and-set: a holder that dies stops renewing,
 * and once `ttlMs` has passed the next node to ask takes it over. Clocks need only agree to well within
 * `ttlMs`; the holder renews every round, far more often than the lease runs out.
 */
export class KvLease implements Lease {
  constructor(
    private readonly bucket: Promise<KV>,
    private readonly key: string,
    private readonly owner: string,
    private readonly ttlMs: number,
  ) {}

  async acquire(now = Date.now()): Promise<boolean> {
    const mine = JSON.stringify({ owner: this.owner, until: now + this.ttlMs } satisfies Holder);
    try {
      const kv = await this.bucket;
      const entry = await kv.get(this.key);
      if (!entry || entry.operation !== 'PUT') {
        if (entry) await kv.update(this.key, mine, entry.revision);
        else await kv.create(this.key, mine);
        return true;
      }
      const holder = entry.json<Holder>();
      if (holder.owner !== this.owner && holder.until > now) return false;
      await kv.update(this.key, mine, entry.revision);
      return true;
    } catch {
      // Another node won the compare-and-set, or NATS did not answer: not ours this round.
      return false;
    }
  }

  async release(): Promise<void> {
    const kv = await this.bucket;
    const entry = await kv.get(this.key).catch(() => null);
    if (entry?.operation === 'PUT' && entry.json<Holder>().owner === this.owner) {
      await kv.update(this.key, JSON.stringify({ owner: this.owner, until: 0 } satisfies Holder), entry.revision).catch(() => undefined);
    }
  }
}
