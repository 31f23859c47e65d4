import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootstrap } from './bootstrap.js';
import { FileMetaStore } from './file-store.js';
import { soon, storeKinds, tmp, type SharedPlace } from './testing.js';
import type { StateMetaStore } from './state-store.js';
import { withFileLock } from './lock.js';
import { CHAT_MESSAGES_KEPT, CHAT_SESSIONS_KEPT } from './chat-sessions.js';
import { CURRENT_VERSION } from './migrations.js';
import { hashKey } from './secrets.js';
import { ConflictError, type NewKey } from './store.js';

const open: FileMetaStore[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function store(dir: string, flushIntervalMs = 60_000): Promise<FileMetaStore> {
  const s = new FileMetaStore(dir, { flushIntervalMs });
  await s.open();
  open.push(s);
  return s;
}

const spec = (project = 'default'): NewKey => ({
  org_id: 'default',
  project_id: project,
  family: 'goodlogs',
  kind: 'secret',
  scopes: ['data:read'],
  environments: null,
  region: 'eu',
  name: 'k',
});
const onDisk = (dir: string) => JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));

const KINDS = await storeKinds();

for (const kind of KINDS) {
  describe.skipIf(kind.skip !== null)(`the ${kind.name} metadata store, two instances sharing it${kind.skip ? ` (skipped: ${kind.skip})` : ''}`, () => {
    let place: SharedPlace;
    beforeEach(() => {
      place = kind.place();
    });
    afterEach(() => place.cleanup());
    const pair = async (): Promise<[StateMetaStore, StateMetaStore]> => [await place.store(), await place.store()];

    it('loses no write when both write at once, and each sees the other’s within a second', async () => {
      const [a, b] = await pair();
      await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).createOrg(`org ${i}`, `org_${i}`)));
      await soon(() => {
        for (let i = 0; i < 40; i++) expect([a.getOrg(`org_${i}`)?.id, b.getOrg(`org_${i}`)?.id]).toEqual([`org_${i}`, `org_${i}`]);
      });
    });

    it('a key created by one is found by the other, and a revocation by one stops it in the other', async () => {
      const [a, b] = await pair();
      const { key, secret } = await a.createKey(spec());
      await soon(() => expect(b.findKey(secret)?.id).toBe(key.id));
      expect(await b.revokeKey('other-project', key.id)).toBe(false);
      expect(await b.revokeKey('default', key.id)).toBe(true);
      await soon(() => expect(a.findKey(secret)).toBeNull());
      expect(a.getKey(key.id)?.revoked_at).not.toBeNull();
    });

    it('batches usage counters and key uses, and sums every instance’s counts exactly on flush', async () => {
      const [a, b] = await pair();
      const { key } = await a.createKey(spec());
      for (let i = 0; i < 100; i++) {
        a.addUsage('default', 'logs', '2026-06', 3);
        a.touchKey(key.id);
      }
      b.addUsage('default', 'logs', '2026-06', 5);
      expect(a.getUsage('default', 'logs', '2026-06')).toBe(300);
      // Flushes racing each other, and more counts added while they run.
      const flushes = Promise.all([a.flush(), b.flush()]);
      a.addUsage('default', 'logs', '2026-06', 7);
      b.addUsage('default', 'logs', '2026-06', 11);
      await flushes;
      await Promise.all([a.flush(), b.flush()]);
      await soon(() => expect([a.getUsage('default', 'logs', '2026-06'), b.getUsage('default', 'logs', '2026-06')]).toEqual([323, 323]));
      expect(b.getKey(key.id)?.last_used_at).not.toBeNull();
    });

    it('keeps the 13 most recent periods of each counter', async () => {
      const a = await place.store();
      for (let h = 0; h < 20; h++) a.addUsage('p', 'ingest_requests', `2026-06-15T${String(h).padStart(2, '0')}`, 1);
      await a.flush();
      expect(a.getUsage('p', 'ingest_requests', '2026-06-15T06')).toBe(0);
      expect(a.getUsage('p', 'ingest_requests', '2026-06-15T07')).toBe(1);
      expect(a.getUsage('p', 'ingest_requests', '2026-06-15T19')).toBe(1);
    });

    it('bootstraps once when two nodes start on an empty store together: one org, one key set, one bootstrap.json', async () => {
      const [a, b] = await pair();
      const dirs = [tmp(), tmp()];
      const results = await Promise.all([a, b].map((s, i) => bootstrap(s, dirs[i], { region: 'eu', adminEmail: 'admin@x' })));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(dirs.filter((d) => existsSync(join(d, 'bootstrap.json')))).toEqual([dirs[results.findIndex(Boolean)]]);
      await soon(() => expect([a.listProjects().length, b.listProjects().length, b.listKeys('default').length]).toEqual([1, 1, 5]));
      expect(a.listMembers('default')).toHaveLength(1);
    });

    it('refuses a second user with the same email, whatever its case', async () => {
      const a = await place.store();
      await a.createUser('Ann@Example.com', 'password1', []);
      await expect(a.createUser('ann@example.COM', 'password2', [])).rejects.toBeInstanceOf(ConflictError);
      expect(a.findUserByEmail('ANN@example.com')?.email).toBe('ann@example.com');
    });

    describe('saved views', () => {
      const view = (shortId: string, project = 'default') => ({
        id: `id-${shortId}`, short_id: shortId, project_id: project, name: shortId, filters: { severityLevels: ['error'] }, pinned: false,
        created_by: null, created_at: '2026-06-01T00:00:00.000Z', updated_at: '2026-06-01T00:00:00.000Z',
      });

      it('keeps views per project, seen by a second store', async () => {
        const [a, b] = await pair();
        await a.createView(view('v1'));
        await a.createView(view('v2', 'other'));
        await expect(b.createView(view('v1'))).rejects.toBeInstanceOf(ConflictError);
        await soon(() => expect(b.listViews('default').map((v) => v.short_id)).toEqual(['v1']));
        expect(b.getView('other', 'v1')).toBeNull();
        const changed = await b.updateView('default', 'v1', { pinned: true, name: 'errors' }, '2026-06-02T00:00:00.000Z');
        expect(changed).toMatchObject({ pinned: true, name: 'errors', filters: { severityLevels: ['error'] }, updated_at: '2026-06-02T00:00:00.000Z' });
        await soon(() => expect(a.getView('default', 'v1')).toEqual(changed));
        expect(await a.updateView('other', 'v1', { pinned: true }, 'x')).toBeNull();
        expect(await a.deleteView('other', 'v1')).toBe(false);
        expect(await a.deleteView('default', 'v1')).toBe(true);
        await soon(() => expect(b.listViews('default')).toEqual([]));
      });

      it('numbers users in sign-up order and records who made a key', async () => {
        const a = await place.store();
        const [u1, u2] = [await a.createUser('a@x.io', 'pw pw pw pw', []), await a.createUser('b@x.io', 'pw pw pw pw', [])];
        expect([u1.number, u2.number]).toEqual([1, 2]);
        expect((await a.createKey({ ...spec(), created_by: u2.id })).key.created_by).toBe(u2.id);
        expect((await a.createKey(spec())).key.created_by).toBeNull();
      });
    });

    describe('status pages', () => {
      const page = (slug: string, project: string) => ({ slug, project_id: project, title: slug, region: 'eu', components: [], created_at: 'x', updated_at: 'x' });
      const incident = (id: string, slug: string, project: string) => ({
        id, page_slug: slug, project_id: project, title: id, status: 'investigating' as const, impact: 'degraded' as const, components: [],
        updates: [], started_at: '2026-06-01T00:00:00.000Z', resolved_at: null, updated_at: 'x',
      });

      it('keeps slugs unique across projects, and each page and its incidents to their project', async () => {
        const a = await place.store();
        await a.createStatusPage(page('acme', 'p1'));
        await expect(a.createStatusPage(page('acme', 'p2'))).rejects.toThrow(ConflictError);
        expect(await a.updateStatusPage('p2', 'acme', { title: 'mine' }, 'y')).toBeNull();
        expect(await a.createIncident(incident('i1', 'acme', 'p2'))).toBe(false);
        expect(await a.createIncident(incident('i1', 'acme', 'p1'))).toBe(true);
        expect(await a.updateIncident('p2', 'acme', 'i1', { title: 'mine' }, 'y')).toBeNull();
        const resolved = await a.updateIncident('p1', 'acme', 'i1', { update: { status: 'resolved', message: 'done' } }, '2026-06-02T00:00:00.000Z');
        expect(resolved).toMatchObject({ status: 'resolved', resolved_at: '2026-06-02T00:00:00.000Z', updates: [{ status: 'resolved', message: 'done' }] });
        // An update without a status keeps the incident's; one with another status reopens it.
        expect(await a.updateIncident('p1', 'acme', 'i1', { update: { message: 'note' } }, 'z')).toMatchObject({ status: 'resolved', resolved_at: '2026-06-02T00:00:00.000Z' });
        expect(await a.updateIncident('p1', 'acme', 'i1', { update: { status: 'monitoring', message: 'back' } }, 'z')).toMatchObject({ status: 'monitoring', resolved_at: null });
        expect(await a.deleteStatusPage('p2', 'acme')).toBe(false);
        expect(await a.deleteStatusPage('p1', 'acme')).toBe(true);
        expect([a.getStatusPage('acme'), a.listIncidents('acme')]).toEqual([null, []]);
      });
    });

    describe('AI chat sessions', () => {
      it('keeps a session to its project, its latest messages and a project its latest sessions', async () => {
        const a = await place.store();
        const msg = (n: number) => ({ role: 'user' as const, content: `m${n}`, at: 'x' });
        await a.appendChat('p1', 's', [msg(0), msg(1)], '2026-06-01T00:00:00.000Z');
        expect(a.getChatSession('p2', 's')).toBeNull();
        const long = await a.appendChat('p1', 's', Array.from({ length: CHAT_MESSAGES_KEPT }, (_, i) => msg(i + 2)), '2026-06-01T00:00:01.000Z');
        expect([long.messages.length, long.messages[0].content, long.created_at]).toEqual([CHAT_MESSAGES_KEPT, 'm2', '2026-06-01T00:00:00.000Z']);
        for (let i = 0; i < CHAT_SESSIONS_KEPT; i++) await a.appendChat('p1', `other-${i}`, [msg(i)], `2026-06-02T00:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(3, '0')}Z`);
        await a.appendChat('p2', 's', [msg(0)], '2026-06-01T00:00:00.000Z');
        // The least recent session of p1 went; p2's is its own count.
        expect(a.getChatSession('p1', 's')).toBeNull();
        expect(a.getChatSession('p1', 'other-0')).not.toBeNull();
        expect(a.getChatSession('p2', 's')!.messages).toHaveLength(1);
      });
    });
  });
}

describe('the file store on disk', () => {
  it('keeps only a hash of each secret', async () => {
    const dir = tmp();
    const a = await store(dir);
    const { secret } = await a.createKey(spec());
    const text = readFileSync(join(dir, 'meta.json'), 'utf8');
    expect(text).not.toContain(secret);
    expect(text).toContain(hashKey(secret));
  });

  it('writes nothing per usage call, and flushes on its own timer and on close', async () => {
    const dir = tmp();
    const a = await store(dir, 20);
    await a.createOrg('o', 'o');
    const before = statSync(join(dir, 'meta.json')).mtimeMs;
    a.addUsage('p', 'logs', '2026-06', 1);
    expect(statSync(join(dir, 'meta.json')).mtimeMs).toBe(before);
    await new Promise((r) => setTimeout(r, 100));
    expect(onDisk(dir).usage.p.logs['2026-06']).toBe(1);
    a.addUsage('p', 'logs', '2026-06', 1);
    await a.close();
    expect(onDisk(dir).usage.p.logs['2026-06']).toBe(2);
  });

  it('is shared with another process (real pids, the lock file between them)', async () => {
    const dir = tmp();
    const a = await store(dir);
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const script = `
      const { FileMetaStore } = await import(${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'file-store.ts')).href)});
      const s = new FileMetaStore(${JSON.stringify(dir)});
      await s.open();
      await Promise.all(Array.from({ length: 25 }, (_, i) => s.createOrg('child', 'child_' + i)));
      await s.close();`;
    const child = promisify(execFile)(process.execPath, ['--import', tsx, '--input-type=module', '-e', script]);
    await Promise.all(Array.from({ length: 25 }, (_, i) => a.createOrg('parent', `parent_${i}`)));
    await child;
    expect(onDisk(dir).orgs).toHaveLength(50);
  });
});

describe('the lock file', () => {
  it('breaks a lock left by a process that died', async () => {
    const dir = tmp();
    // A pid far above any pid_max: no such process.
    writeFileSync(join(dir, 'meta.lock'), '999999999');
    const a = await store(dir);
    await a.createOrg('after a crash', 'org_crash');
    expect(a.getOrg('org_crash')).not.toBeNull();
  });

  it('waits for a live owner and gives up after the timeout', async () => {
    const path = join(tmp(), 'x.lock');
    writeFileSync(path, String(process.pid));
    await expect(withFileLock(path, () => 1, 100)).rejects.toThrow(/stayed locked/);
  });
});


describe('migrations', () => {
  /** A store file exactly as the first version wrote it. */
  const V1 = (hash: string) => ({
    version: 1,
    orgs: [{ id: 'default', name: 'default', created_at: '2026-01-01T00:00:00.000Z' }],
    projects: [{ id: 'default', org_id: 'default', name: 'default', plan: 'unlimited', created_at: '2026-01-01T00:00:00.000Z' }],
    users: [],
    keys: [
      {
        id: 'k1', org_id: 'default', project_id: 'default', family: 'goodlogs', kind: 'secret', scopes: ['data:read'], environments: null,
        region: 'eu', name: 'old', display: 'gl_sk_eu_abcd…', hash, created_at: '2026-01-01T00:00:00.000Z',
      },
    ],
  });

  it('upgrades a version 1 file on open and writes it back', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(V1(hashKey('gl_sk_eu_old'))));
    const a = await store(dir);
    expect(onDisk(dir).version).toBe(CURRENT_VERSION);
    expect(onDisk(dir).usage).toEqual({});
    expect(a.findKey('gl_sk_eu_old')).toMatchObject({ id: 'k1', last_used_at: null, revoked_at: null, created_by: null });
    expect(a.listViews('default')).toEqual([]);
    expect([a.listStatusPages('default'), onDisk(dir).status_incidents, onDisk(dir).ai_sessions]).toEqual([[], [], []]);
    a.addUsage('default', 'logs', '2026-06', 2);
    await a.flush();
    expect(a.getUsage('default', 'logs', '2026-06')).toBe(2);
  });

  it('refuses a file written by a newer loglake rather than rewrite it', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'meta.json'), JSON.stringify({ ...V1('x'), version: CURRENT_VERSION + 1 }));
    await expect(new FileMetaStore(dir).open()).rejects.toThrow(/newer loglake/);
  });
});
