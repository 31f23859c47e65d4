// Test support: the metadata store's behaviour is tested on each backend, two stores sharing one place.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, vi } from 'vitest';
import { machineNatsAvailable, MACHINE_NATS } from '../../test/helpers/nats.js';
import { KvBucket } from '../kv/bucket.js';
import { FileMetaStore } from './file-store.js';
import { KvMetaStore } from './kv-store.js';
import type { MetaStoreOptions, StateMetaStore } from './state-store.js';

export const tmp = (prefix = 'loglake-meta-') => mkdtempSync(join(tmpdir(), prefix));

/** Where stores share their state: a directory, or a KV bucket of its own (deleted by `cleanup`). */
export interface SharedPlace {
  /** An open store over the place, with a flush interval of a minute unless told. */
  store(opts?: MetaStoreOptions): Promise<StateMetaStore>;
  /** Closes the place's stores and removes the place. */
  cleanup(): Promise<void>;
}

export interface StoreKind {
  name: string;
  /** Why the kind cannot be tested here, or null. */
  skip: string | null;
  place(): SharedPlace;
}

function placeOf(make: (opts: MetaStoreOptions) => StateMetaStore, remove: () => Promise<void>): SharedPlace {
  const open: StateMetaStore[] = [];
  return {
    async store(opts = {}) {
      const s = make({ flushIntervalMs: 60_000, ...opts });
      await s.open();
      open.push(s);
      return s;
    },
    async cleanup() {
      await Promise.all(open.splice(0).map((s) => s.close()));
      await remove();
    },
  };
}

/** The file store, and the KV store on the machine's NATS (skipped, saying why, when there is none). */
export async function storeKinds(): Promise<StoreKind[]> {
  const nats = await machineNatsAvailable();
  const file: StoreKind = {
    name: 'file',
    skip: null,
    place: () => {
      const dir = tmp();
      return placeOf((opts) => new FileMetaStore(dir, opts), async () => undefined);
    },
  };
  const kv: StoreKind = {
    name: 'JetStream KV',
    skip: nats ? null : `no NATS with JetStream at ${MACHINE_NATS}`,
    place: () => {
      const bucket = `test-meta-${randomBytes(4).toString('hex')}`;
      return placeOf((opts) => new KvMetaStore({ url: MACHINE_NATS, bucket, replicas: 1, ...opts }), () => KvBucket.destroy(MACHINE_NATS, bucket));
    },
  };
  return [file, kv];
}

/** Another store's write shows within a second (at once for the file store). */
export const soon = (check: () => void) => vi.waitFor(check, { timeout: 1000, interval: 10 });

/**
 * A test file's own buckets on the machine's NATS: `name()` makes one up; after each test what was given
 * to `closeAfter` is closed, then the buckets are deleted.
 */
export function ownBuckets(prefix: string) {
  const names: string[] = [];
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    await Promise.all(names.splice(0).map((b) => KvBucket.destroy(MACHINE_NATS, b)));
  });
  return {
    name(): string {
      const name = `${prefix}-${randomBytes(4).toString('hex')}`;
      names.push(name);
      return name;
    },
    closeAfter<T extends { close(): Promise<void> }>(c: T): T {
      open.push(c);
      return c;
    },
  };
}
