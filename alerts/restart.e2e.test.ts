// The schedule lives in the metadata store: a restarted loglake neither checks a rule before its time
// nor makes up every check it missed while down, and a killed process does not hold its rules.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileMetaStore } from '../storage/meta/file-store.js';
import { startLoglake, type LoglakeProcess } from '../test/helpers/loglake.js';
import { waitFor } from '../test/helpers/ports.js';

const procs: LoglakeProcess[] = [];
const stores: FileMetaStore[] = [];
afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGTERM')));
  await Promise.all(stores.map((s) => s.close()));
});

async function start(opts: Parameters<typeof startLoglake>[0] = {}): Promise<LoglakeProcess> {
  const p = await startLoglake(opts);
  procs.push(p);
  return p;
}

async function createRule(p: LoglakeProcess, body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${p.url}/v1/alerts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${p.bootstrap().keys.goodlogs_secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'errors', query: 'severity:error', threshold: 100, ...body }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** The store as another process sees it: what the service persisted. */
async function storeOf(p: LoglakeProcess): Promise<FileMetaStore> {
  const s = new FileMetaStore(join(p.dataDir, 'meta'), { flushIntervalMs: 3_600_000 });
  await s.open();
  stores.push(s);
  return s;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the alert schedule across restarts', () => {
  it('a rule checked a moment ago is not checked again by the restarted process before its next_check_at', async () => {
    const first = await start();
    const id = await createRule(first, { check_interval_minutes: 1 });
    const meta = await storeOf(first);
    const project = first.bootstrap().project_id;
    const checked = await waitFor('the first check', async () => meta.getAlert(project, id)!.status.last_checked_at !== null && meta.getAlert(project, id)!.status, 10_000, 50);
    expect(await first.kill('SIGTERM')).toBe(0);

    const second = await start({ dataDir: first.dataDir, ports: first.env });
    await sleep(3_000);
    const after = meta.getAlert(project, id)!;
    expect(after.status.last_checked_at).toBe(checked.last_checked_at);
    expect(after.status.next_check_at).toBe(checked.next_check_at);
    expect(after.status.datapoints).toHaveLength(1);
    expect(await second.kill('SIGTERM')).toBe(0);
  });

  it('after kill -9 and downtime: one catch-up check at once, then the same grid, no check per missed slot', async () => {
    const env = { LOGLAKE_ALERTS_CHECK_INTERVAL_SECONDS: '1' };
    const first = await start({ env });
    // Each check adds a datapoint (up to 100): their number counts the checks.
    const id = await createRule(first, { evaluation_periods: 100 });
    const meta = await storeOf(first);
    const project = first.bootstrap().project_id;
    const checks = () => meta.getAlert(project, id)!.status.datapoints.length;
    await waitFor('three checks', async () => checks() >= 3, 15_000, 50);
    await first.kill('SIGKILL');
    await sleep(3_000);
    // As if the process had died in the middle of a check: the rule leased to it for the next 40 s.
    expect(await meta.claimDueAlerts(`${hostname()}:${first.proc.pid}:killed`, new Date(), 40_000, 10)).toHaveLength(1);
    const before = meta.getAlert(project, id)!.status;

    const second = await start({ dataDir: first.dataDir, ports: first.env, env });
    const up = Date.now();
    await waitFor('the catch-up check', async () => checks() > before.datapoints.length, 5_000, 20);
    // The dead process's lease is taken over at once, not when it expires.
    expect(Date.now() - up).toBeLessThan(1_500);
    await sleep(3_000);
    const elapsed = (Date.now() - up) / 1000;
    const after = meta.getAlert(project, id)!.status;
    const made = after.datapoints.length - before.datapoints.length;
    expect(made).toBeGreaterThanOrEqual(Math.floor(elapsed) - 1);
    expect(made).toBeLessThanOrEqual(Math.floor(elapsed) + 1);
    // Still on the grid the first process kept.
    expect((Date.parse(after.next_check_at!) - Date.parse(before.next_check_at!)) % 1000).toBe(0);
    expect(await second.kill('SIGTERM')).toBe(0);
  });
});
