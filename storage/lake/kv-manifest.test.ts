import { existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machineNatsAvailable, MACHINE_NATS } from '../../test/helpers/nats.js';
import { KvManifest } from './kv-manifest.js';
import { KvLease } from './lease.js';
import { tempPathOf, type LakeFile, type Part } from './manifest.js';

const available = await machineNatsAvailable();
if (!available) console.warn(`kv-manifest tests skipped: no NATS with JetStream at ${MACHINE_NATS}`);

const silent = pino({ level: 'silent' });
const hour = '2026-06-15T11';
const file = (name: string, rows = 1, h = hour): LakeFile => ({ path: join('p', 'logs', `date=${h.slice(0, 10)}`, `hour=${h.slice(11)}`, `${name}.parquet`), project: 'p', table: 'logs', hour: h, rows, bytes: 1 });
const part = (name: string, seqs: number[]): Part => ({ file: file(name, seqs.length), seqs });
const paths = (files: LakeFile[]) => files.map((f) => f.path).sort();

async function eventually(what: string, check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!available)('the lake manifest in a JetStream bucket', () => {
  let nc: NatsConnection;
  const buckets: string[] = [];
  const open: KvManifest[] = [];
  const bucket = async (): Promise<KV> => {
    const name = `loglake_test_manifest_${process.pid}_${buckets.length}_${Date.now()}`;
    buckets.push(name);
    return new Kvm(nc).create(name, { history: 1 });
  };
  const manifest = (kv: KV, lakeDir = mkdtempSync(join(tmpdir(), 'loglake-kvm-')), heard?: LakeFile[]) => {
    const m = new KvManifest(Promise.resolve(kv), lakeDir, silent, (files) => heard?.push(...files));
    open.push(m);
    return m;
  };

  beforeAll(async () => {
    nc = await connect({ servers: MACHINE_NATS });
  });
  afterAll(async () => {
    for (const m of open) m.close();
    const kvm = new Kvm(nc);
    for (const name of buckets) await (await kvm.open(name)).destroy().catch(() => undefined);
    await nc.close();
  });

  it('shows one node’s commit on another within a second, and tells its listener', async () => {
    const kv = await bucket();
    const a = manifest(kv);
    const heard: LakeFile[] = [];
    const b = manifest(kv, undefined, heard);
    await Promise.all([a.loaded, b.loaded]);
    const outcome = await a.commit('bus', [part('one', [1, 2])]);
    expect(outcome.committed).toHaveLength(1);
    await eventually('b lists the file', () => b.list('p', 'logs').length === 1);
    expect(b.isCommitted('bus', 2, file('x'))).toBe(true);
    expect(b.isCommitted('bus', 3, file('x'))).toBe(false);
    expect(paths(heard)).toEqual([file('one').path]);
    // A node that starts later loads what is there before it says it has loaded.
    const c = manifest(kv);
    await c.loaded;
    expect(paths(c.list('p', 'logs'))).toEqual([file('one').path]);
  });

  it('commits a sequence once however many writers race for it', async () => {
    const kv = await bucket();
    const writers = [manifest(kv), manifest(kv), manifest(kv)];
    await Promise.all(writers.map((w) => w.loaded));
    const outcomes = await Promise.all(writers.map((w, i) => w.commit('bus', [part(`copy-${i}`, [10, 11 + i])])));
    const committed = outcomes.flatMap((o) => o.committed);
    const refused = outcomes.flatMap((o) => o.refused);
    expect(committed).toHaveLength(1);
    expect(refused).toHaveLength(2);
    for (const r of refused) expect(r.taken).toContain(10);
    await eventually('every node agrees', () => writers.every((w) => w.list('p', 'logs').length === 1));
    // Other partitions are other keys: no contention between them.
    const other = await writers[1].commit('bus', [{ file: file('later', 1, '2026-06-15T12'), seqs: [10] }]);
    expect(other.committed).toHaveLength(1);
  });

  it('swaps files in one step, refuses a swap of files already gone, and forgets acked sequences', async () => {
    const kv = await bucket();
    const m = manifest(kv);
    await m.loaded;
    await m.commit('bus', [part('a', [1])]);
    await m.commit('bus', [part('b', [2])]);
    await eventually('both listed', () => m.list('p', 'logs').length === 2);
    expect(await m.replace([file('merged', 2)], [file('a').path, file('b').path])).toBe(true);
    await eventually('merged listed', () => paths(m.list('p', 'logs')).join() === file('merged').path);
    expect(await m.replace([file('again', 2)], [file('a').path])).toBe(false);
    expect(m.isCommitted('bus', 1, file('x'))).toBe(true);
    await m.commit('bus', [part('c', [3])], 2);
    await eventually('1 and 2 forgotten', () => !m.isCommitted('bus', 1, file('x')) && m.isCommitted('bus', 3, file('x')));
  });

  it('keeps a swap whose write landed though its answer was lost, and a commit likewise', async () => {
    const kv = await bucket();
    // The bucket as a client sees it while a server dies: the next write lands, and its answer times out.
    let lose = 0;
    const lossy = new Proxy(kv, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop !== 'update' && prop !== 'create') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: unknown[]) => {
          const revision = await (value as (...a: unknown[]) => Promise<number>).apply(target, args);
          if (lose > 0 && lose--) throw new Error('TIMEOUT');
          return revision;
        };
      },
    });
    const m = manifest(lossy);
    await m.loaded;
    lose = 1;
    expect((await m.commit('bus', [part('a', [1])])).committed).toHaveLength(1);
    await m.commit('bus', [part('b', [2])]);
    await eventually('both listed', () => m.list('p', 'logs').length === 2);
    lose = 1;
    expect(await m.replace([file('merged', 2)], [file('a').path, file('b').path])).toBe(true);
    expect(lose).toBe(0);
    expect(paths((await m.latest(file('x')))!)).toEqual([file('merged').path]);
  });

  it('tidies what a dead writer left: rolls a committed temp file forward, retires an orphan, drops abandoned temp files', async () => {
    const kv = await bucket();
    const lakeDir = mkdtempSync(join(tmpdir(), 'loglake-tidy-'));
    const retired = join(lakeDir, '_retired');
    mkdirSync(retired);
    const m = manifest(kv, lakeDir);
    await m.loaded;
    const dir = join(lakeDir, 'p', 'logs', 'date=2026-06-15', 'hour=11');
    mkdirSync(dir, { recursive: true });
    await m.commit('bus', [part('committed', [1])]);
    writeFileSync(tempPathOf(join(lakeDir, file('committed').path)), 'x');
    const orphan = join(lakeDir, file('orphan').path);
    const abandoned = tempPathOf(join(lakeDir, file('abandoned').path));
    const fresh = tempPathOf(join(lakeDir, file('in-flight').path));
    // Old and unnamed, but in a partition the bucket holds no entry for: not known to be an orphan.
    const otherHour = join(lakeDir, 'p', 'logs', 'date=2026-06-15', 'hour=12');
    mkdirSync(otherHour, { recursive: true });
    const unknown = join(otherHour, 'unknown.parquet');
    for (const f of [orphan, abandoned, fresh, unknown]) writeFileSync(f, 'x');
    const old = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(orphan, old, old);
    utimesSync(unknown, old, old);
    utimesSync(abandoned, old, old);
    await eventually('committed listed', () => m.list('p', 'logs').length === 1);
    await m.tidy(retired);
    expect(existsSync(join(lakeDir, file('committed').path))).toBe(true);
    expect(existsSync(orphan)).toBe(false);
    expect(readdirSync(retired)).toHaveLength(1);
    expect(existsSync(abandoned)).toBe(false);
    expect(existsSync(fresh), 'another writer’s file in flight').toBe(true);
    expect(existsSync(unknown), 'a file of a partition with no entry').toBe(true);
  });

  it('leases upkeep to one node at a time, and hands a dead holder’s lease on once it runs out', async () => {
    const kv = await bucket();
    const a = new KvLease(Promise.resolve(kv), 'lease.upkeep', 'a', 1000);
    const b = new KvLease(Promise.resolve(kv), 'lease.upkeep', 'b', 1000);
    const now = Date.now();
    expect(await a.acquire(now)).toBe(true);
    expect(await b.acquire(now + 10)).toBe(false);
    expect(await a.acquire(now + 500), 'the holder renews').toBe(true);
    expect(await b.acquire(now + 1200)).toBe(false);
    expect(await b.acquire(now + 1600), 'a stopped renewing').toBe(true);
    await b.release();
    expect(await a.acquire(now + 1700)).toBe(true);
  });
});
