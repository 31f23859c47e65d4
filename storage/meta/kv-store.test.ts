import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { machineNatsAvailable, MACHINE_NATS } from '../../test/helpers/nats.js';
import { KvBucket } from '../kv/bucket.js';
import { join, KvMetaStore, split } from './kv-store.js';
import { CURRENT_VERSION, emptyState } from './migrations.js';
import { ownBuckets } from './testing.js';

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
