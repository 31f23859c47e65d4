// The schedule lives in the metadata store: a restarted loglake neither checks a rule before its time
// nor makes up every check it missed while down, and a killed process does not hold its rules.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileMetaStore } from '../storage/meta/file-store.js';
import { startLoglake, type LoglakeProcess } from '../test/helpers/loglake.js';
import { waitFor } from '../test/helpers/ports.js';
import { startReceiver, type Receiver } from './testing.js';

const procs: LoglakeProcess[] = [];
const stores: FileMetaStore[] = [];
const receivers: Receiver[] = [];
afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGTERM')));
  await Promise.all(stores.map((s) => s.close()));
  await Promise.all(receivers.map((r) => r.close()));
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

  it('a notification still being retried when the process is killed is delivered once by the restarted one, and its alert_events row written once', async () => {
    let up = false;
    const receiver = await startReceiver(() => (up ? 200 : 503));
    receivers.push(receiver);
    const env = { LOGLAKE_ALERTS_CHECK_INTERVAL_SECONDS: '1' };
    const first = await start({ env });
    const key = first.bootstrap().keys.goodlogs_secret;
    const id = await createRule(first, { threshold: 0, destinations: [{ type: 'webhook', url: receiver.url }] });
    const ingest = await fetch(`${first.url}/v1/logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ batch: [{ severity: 'error', message: 'card declined' }] }),
    });
    expect(ingest.status).toBe(202);
    // Refused once: the next attempt waits a second, and the process dies before it.
    await waitFor('the first, refused, attempt', async () => receiver.received.length >= 1, 15_000, 20);
    await first.kill('SIGKILL');
    // What the metadata file holds: the store's own cache would not show another process's writes any sooner.
    const owed = () => JSON.parse(readFileSync(join(first.dataDir, 'meta', 'meta.json'), 'utf8')).alert_outbox;
    expect(owed(), JSON.stringify(owed())).toHaveLength(1);
    const attemptsBefore = receiver.received.length;

    up = true;
    const second = await start({ dataDir: first.dataDir, ports: first.env, env });
    await waitFor('the delivery after the restart', async () => receiver.received.some((r) => r.status === 200), 10_000, 20);
    await sleep(2_000);
    const delivered = receiver.received.filter((r) => r.status === 200);
    expect(delivered.map((r) => r.body.state), JSON.stringify(receiver.received.map((r) => [r.status, r.body.state, r.at]))).toHaveLength(1);
    expect(delivered[0].body).toMatchObject({ rule: { id }, state: 'firing', previous_state: 'not_firing' });
    expect(receiver.received.length).toBe(attemptsBefore + 1);
    expect(owed()).toHaveLength(0);

    const events = await waitFor('the alert_events row', async () => {
      const res = await fetch(`${second.url}/v1/gql/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ q: 'from:alert_events | last 1h' }),
      });
      const rows = ((await res.json()) as { data: { results: { alert_id: string; state: string }[] } }).data.results;
      return rows.length > 0 && rows;
    }, 10_000, 100);
    expect(events.filter((e) => e.alert_id === id && e.state === 'firing'), JSON.stringify(events)).toHaveLength(1);
    expect(await second.kill('SIGTERM')).toBe(0);
  });
});
