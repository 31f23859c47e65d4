import { hostname } from 'node:os';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, describe, expect, it } from 'vitest';
import { machineNatsAvailable, MACHINE_NATS, natsServerBinary, startOwnCluster, type OwnCluster } from '../../test/helpers/nats.js';
import { waitFor } from '../../test/helpers/ports.js';
import { KvBucket } from '../kv/bucket.js';
import { join, KvMetaStore, split } from './kv-store.js';
import { CURRENT_VERSION, emptyState } from './migrations.js';
import { ConflictError } from './store.js';
import { ownBuckets, soon } from './testing.js';

const nats = await machineNatsAvailable();
const buckets = ownBuckets('test-meta');
const bucket = () => buckets.name();

async function store(name: string): Promise<KvMetaStore> {
  const s = buckets.closeAfter(new KvMetaStore({ url: MACHINE_NATS, bucket: name, replicas: 1, flushIntervalMs: 60_000 }));
  await s.open();
  return s;
}

const raw = (name: string) => KvBucket.open({ url: MACHINE_NATS, bucket: name, replicas: 1 });

describe('the KV layout', () => {
  it('keeps global sections in a key each, a project’s sections per project, chat sessions one a key, and joins them back', () => {
    const s = emptyState();
    s.orgs.push({ id: 'o', name: 'o', created_at: 'x' });
    s.views.push({ id: 'v', short_id: 'v', project_id: 'p 1', name: 'v', filters: {}, pinned: false, created_by: null, created_at: 'x', updated_at: 'x' });
    s.ai_sessions.push({ id: 's1', project_id: 'p', messages: [], created_at: 'x', updated_at: 'x' }, { id: 's2', project_id: 'p', messages: [], created_at: 'x', updated_at: 'x' });
    s.usage.p = { logs: { '2026-06': 3 } };
    const parts = split(s);
    expect([...parts.keys()].sort()).toEqual(['ai_sessions.p.s1', 'ai_sessions.p.s2', 'orgs', 'usage.p', `views.=${Buffer.from('p 1').toString('base64url')}`]);
    expect(join([...parts.values()].map((v) => JSON.parse(v)))).toEqual({ state: s, from: CURRENT_VERSION });
  });
});

describe.skipIf(!nats)(`the KV metadata store${nats ? '' : ` (skipped: no NATS with JetStream at ${MACHINE_NATS})`}`, () => {
  it('breaks at once a lock left by a process of this machine that died', async () => {
    const name = bucket();
    const b = await raw(name);
    await b.write('lock', JSON.stringify({ owner: `${hostname()}:999999999:dead`, until: new Date(Date.now() + 60_000).toISOString() }), 0);
    await b.close();
    const s = await store(name);
    const started = Date.now();
    await s.createOrg('after a crash', 'org_crash');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(s.getOrg('org_crash')).not.toBeNull();
  });

  it('refuses a value over what one NATS message holds, writing nothing', async () => {
    const s = await store(bucket());
    const big = 'x'.repeat(1024 * 1024);
    await expect(s.appendChat('p', 'huge', [{ role: 'user', content: big, at: 'x' }], 'x')).rejects.toThrow(/over what one NATS message holds/);
    expect(s.getChatSession('p', 'huge')).toBeNull();
    await s.createOrg('still writable', 'o');
  });

  it('refuses a bucket written by a newer loglake rather than rewrite it', async () => {
    const name = bucket();
    const b = await raw(name);
    await b.write('orgs', JSON.stringify({ version: CURRENT_VERSION + 1, orgs: [] }), 0);
    await b.close();
    const s = new KvMetaStore({ url: MACHINE_NATS, bucket: name, replicas: 1 });
    await expect(s.open()).rejects.toThrow(/newer loglake/);
    await s.close();
  });
});

let cluster: OwnCluster | undefined;
afterAll(() => {
  void cluster?.stop();
});

describe.skipIf(!natsServerBinary())('the KV metadata store on a 3-node cluster', () => {
  it('keeps 3 replicas, and two stores go on writing and seeing each other when the bucket’s leader dies', { timeout: 90_000 }, async () => {
    cluster = await startOwnCluster();
    const { urls } = cluster;
    const stores: KvMetaStore[] = [];
    const open = async () => {
      const s = new KvMetaStore({ url: urls.join(','), bucket: 'loglake-meta', replicas: 3, flushIntervalMs: 60_000 });
      stores.push(s);
      await s.open();
      return s;
    };
    try {
      const [a, b] = [await open(), await open()];
      // A write times out while the new cluster settles: asked again (one that went through is there already).
      const written = (s: KvMetaStore, id: string) => () => s.createOrg(id, id).then(() => true, (err) => err instanceof ConflictError);
      await waitFor('a first write', written(a, 'before'), 30_000, 250);
      await soon(() => expect(b.getOrg('before')).not.toBeNull());

      const nc = await connect({ servers: urls, timeout: 2000 });
      const info = await (await jetstreamManager(nc)).streams.info('KV_loglake-meta');
      await nc.close();
      expect(1 + (info.cluster?.replicas?.length ?? 0)).toBe(3);
      await cluster.kill(Number(info.cluster!.leader!.slice(1)));

      await waitFor('a write after the leader died', written(b, 'after'), 30_000, 250);
      b.addUsage('p', 'logs', '2026-06', 2);
      a.addUsage('p', 'logs', '2026-06', 3);
      // A flush that fails while the cluster settles keeps its counts for the next one.
      await waitFor('both flushes', async () => Promise.all([a.flush(), b.flush()]).then(() => true, () => false), 30_000, 250);
      await waitFor('each store to see the other’s writes', async () => a.getOrg('after') !== null && [a, b].every((s) => s.getUsage('p', 'logs', '2026-06') === 5), 10_000, 50);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
