import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newLeaseOwner } from './alert-leases.js';
import { FileMetaStore } from './file-store.js';
import { soon, storeKinds, tmp, type SharedPlace } from './testing.js';
import type { AlertRule } from './store.js';

const open: FileMetaStore[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function store(dir: string): Promise<FileMetaStore> {
  const s = new FileMetaStore(dir, { flushIntervalMs: 60_000 });
  await s.open();
  open.push(s);
  return s;
}

const KINDS = await storeKinds();
const now = new Date('2026-06-15T12:00:00.000Z');

function rule(id: string, nextCheck: string | null = now.toISOString()): AlertRule {
  return {
    id, project_id: 'default', name: id, enabled: true, query: 'severity:error', filters: null, threshold: 1, operator: 'above',
    window_minutes: 5, check_interval_minutes: 1, evaluation_periods: 1, datapoints_to_alarm: 1, cooldown_minutes: 0,
    snooze_until: null, destinations: [], environments: null, created_at: now.toISOString(), updated_at: now.toISOString(),
    version: 0, lease: null,
    status: {
      state: 'not_firing', datapoints: [], last_value: null, next_check_at: nextCheck, last_checked_at: null, last_notified_at: null,
      notified_state: 'not_firing', consecutive_failures: 0, last_error_message: null, state_timeline: [],
    },
  };
}

describe('alert rules in the file store', () => {
  it('migrates a version 2 file: no rules yet', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'meta.json'), JSON.stringify({ version: 2, orgs: [], projects: [], users: [], keys: [], usage: {} }));
    const s = await store(dir);
    expect(s.listAlerts('default')).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')).alerts).toEqual([]);
  });

});

for (const kind of KINDS) {
  describe.skipIf(kind.skip !== null)(`alert rules in the ${kind.name} metadata store${kind.skip ? ` (skipped: ${kind.skip})` : ''}`, () => {
    let place: SharedPlace;
    beforeEach(() => {
      place = kind.place();
    });
    afterEach(() => place.cleanup());
    const store = () => place.store();

    it('saves a rule only over the version it was read at', async () => {
      const s = await store();
      await s.createAlert(rule('a'));
      const read = s.getAlert('default', 'a')!;
      expect(await s.saveAlert({ ...read, name: 'first' })).toBe('saved');
      expect(await s.saveAlert({ ...read, name: 'stale' })).toBe('conflict');
      expect(s.getAlert('default', 'a')!.name).toBe('first');
      expect(await s.saveAlert({ ...read, id: 'gone' })).toBe('missing');
      expect(s.getAlert('other', 'a')).toBeNull();
    });

    it('gives a due rule to one of two nodes sharing the store, and not again until it is finished', async () => {
      const [a, b] = [await store(), await store()];
      await a.createAlert(rule('due'));
      await a.createAlert(rule('later', new Date(now.getTime() + 60_000).toISOString()));
      await a.createAlert({ ...rule('off'), enabled: false });
      await soon(() => expect(b.getAlert('default', 'off')).not.toBeNull());
      const [ownerA, ownerB] = [newLeaseOwner(), newLeaseOwner()];
      const claims = await Promise.all([a.claimDueAlerts(ownerA, now, 30_000, 10), b.claimDueAlerts(ownerB, now, 30_000, 10)]);
      expect(claims.flat().map((r) => r.id)).toEqual(['due']);
      const [claimed] = claims.flat();
      const winner = claims[0].length ? ownerA : ownerB;
      expect(await b.claimDueAlerts(ownerB, now, 30_000, 10)).toEqual([]);

      const status = { ...claimed.status, next_check_at: new Date(now.getTime() + 60_000).toISOString(), last_checked_at: now.toISOString() };
      expect(await a.finishAlertCheck('due', winner === ownerA ? ownerB : ownerA, claimed.version, status)).toBe(false);
      expect(await a.finishAlertCheck('due', winner, claimed.version, status)).toBe(true);
      expect(a.getAlert('default', 'due')).toMatchObject({ lease: null, status: { last_checked_at: now.toISOString() } });
      expect(await a.claimDueAlerts(ownerA, now, 30_000, 10)).toEqual([]);
    });

    it('never lets two nodes claiming at once hold one rule', async () => {
      const [a, b] = [await store(), await store()];
      for (let i = 0; i < 30; i++) await a.createAlert({ ...rule(`r${i}`), project_id: `p${i % 3}` });
      await soon(() => expect(b.listAlerts('p2')).toHaveLength(10));
      const [ownerA, ownerB] = [newLeaseOwner(), newLeaseOwner()];
      const rounds = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? b.claimDueAlerts(ownerB, now, 30_000, 4) : a.claimDueAlerts(ownerA, now, 30_000, 4))));
      const ids = rounds.flat().map((r) => r.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(30);
      const holders = ['p0', 'p1', 'p2'].flatMap((p) => a.listAlerts(p)).map((r) => r.lease?.owner);
      expect(holders.every((o) => o === ownerA || o === ownerB)).toBe(true);
    });

    it('drops a check when the rule was written during it, and frees the lease', async () => {
      const s = await store();
      await s.createAlert(rule('r'));
      const owner = newLeaseOwner();
      const [claimed] = await s.claimDueAlerts(owner, now, 30_000, 10);
      expect(await s.saveAlert({ ...s.getAlert('default', 'r')!, threshold: 9 })).toBe('saved');
      expect(await s.finishAlertCheck('r', owner, claimed.version, { ...claimed.status, last_value: 5 })).toBe(false);
      expect(s.getAlert('default', 'r')).toMatchObject({ threshold: 9, lease: null, status: { last_value: null } });
    });

    it('takes over a lease whose owner died on this machine at once, a live one (its own too) only when it expires', async () => {
      const s = await store();
      const until = new Date(now.getTime() + 30_000).toISOString();
      await s.createAlert({ ...rule('dead'), lease: { owner: `${hostname()}:99999999:0000`, until } });
      await s.createAlert({ ...rule('remote'), lease: { owner: 'elsewhere:1:0000', until } });
      const owner = newLeaseOwner();
      expect((await s.claimDueAlerts(owner, now, 30_000, 10)).map((r) => r.id)).toEqual(['dead']);
      expect(await s.claimDueAlerts(owner, now, 30_000, 10)).toEqual([]);
      expect((await s.claimDueAlerts(owner, new Date(now.getTime() + 29_999), 30_000, 10)).map((r) => r.id)).toEqual([]);
      expect((await s.claimDueAlerts(owner, new Date(now.getTime() + 30_000), 30_000, 10)).map((r) => r.id).sort()).toEqual(['dead', 'remote']);
    });

    it('releases a stopping node’s leases', async () => {
      const s = await store();
      await s.createAlert(rule('r'));
      const owner = newLeaseOwner();
      await s.claimDueAlerts(owner, now, 30_000, 10);
      await s.releaseAlerts(owner);
      expect(s.getAlert('default', 'r')!.lease).toBeNull();
    });
  });
}
