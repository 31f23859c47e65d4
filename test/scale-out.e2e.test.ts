// Scale-out as users run it: a test-owned 3-node NATS cluster (replicas 3), two collectors, two writers, a
// query node and an alerts node, each its own process with its own data dir, over one lake directory.
// Under sustained load one writer, then one NATS server, then one collector is killed with SIGKILL: every
// acknowledged record ends up in the lake exactly once, the query node counts them, a rule fires once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, describe, expect, it } from 'vitest';
import { startLoglake, type LoglakeProcess } from './helpers/loglake.js';
import { sendBatches, type SendResult } from './helpers/load.js';
import { lakeIds, lakeValues } from './helpers/lake.js';
import { natsServerBinary, startOwnCluster, type OwnCluster } from './helpers/nats.js';
import { waitFor } from './helpers/ports.js';

const binary = natsServerBinary();
if (!binary) console.warn('SKIPPING the scale-out test: no nats-server binary to start a test-owned cluster');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!binary)('many collectors, writers and query nodes over one lake, on a 3-node NATS cluster', () => {
  let cluster: OwnCluster | undefined;
  const procs: LoglakeProcess[] = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    await cluster?.stop();
  });

  it('keeps every acknowledged record exactly once through kill -9 of a writer, a NATS server and a collector', { timeout: 300_000 }, async () => {
    cluster = await startOwnCluster();
    const root = mkdtempSync(join(tmpdir(), 'loglake-scale-'));
    // lakeIds reads `<dir>/lake/<project>/<table>/**`: the shared lake is `<root>/lake`.
    const lakeDir = join(root, 'lake');
    const configFile = join(root, 'loglake.yaml');
    writeFileSync(configFile, [
      'storage:',
      '  bus:',
      '    kind: jetstream',
      `    nats_url: ${cluster.url}`,
      '    replicas: 3',
      '    ack_wait_seconds: 5',
      '  writer:',
      '    flush_interval_ms: 300',
      '  compaction:',
      '    interval_ms: 2000',
      '    min_files: 4',
      '',
    ].join('\n'));
    const env = { LOGLAKE_CONFIG: configFile, LOGLAKE_LAKE_DIR: lakeDir, LOGLAKE_ALERTS_CHECK_INTERVAL_SECONDS: '1' };
    const start = async (role: 'collector' | 'writer' | 'query' | 'alerts') => {
      // Six processes start at once on two cores, beside the other test files: give them more than one's minute.
      const p = await startLoglake({ role, dataDir: mkdtempSync(join(root, `${role}-`)), env, startTimeoutMs: 120_000 });
      procs.push(p);
      return p;
    };
    // Every node starts at once, as a cluster does: one of them makes the bootstrap, the rest see it.
    const [collectorA, collectorB, writerA, writerB, query, alerts] = await Promise.all([
      start('collector'), start('collector'), start('writer'), start('writer'), start('query'), start('alerts'),
    ]);
    const made = [collectorA, collectorB, query, alerts].filter((p) => /loglake bootstrap/.test(p.output()));
    expect(made, 'the bootstrap is made once per cluster').toHaveLength(1);
    const { project_id, keys } = made[0].bootstrap();
    const key = keys.goodlogs_secret;
    for (const [p, role] of [[collectorA, 'collector'], [collectorB, 'collector'], [writerA, 'writer'], [writerB, 'writer'], [query, 'query'], [alerts, 'alerts']] as const) {
      expect(((await (await fetch(`${p.url}/v1/health`)).json()) as { role: string }).role).toBe(role);
    }

    // Healthy is up; ready is also connected, with the stream in place (a fresh cluster takes a moment).
    for (const p of [collectorA, collectorB, writerA, writerB, query, alerts]) {
      await waitFor(`${p.url} ready`, async () => (await fetch(`${p.url}/ready`)).status === 200, 60_000, 250);
    }
    let stop = false;
    const load = (url: string) => sendBatches({ url, key, table: 'logs', batches: 100_000, batchSize: 100, concurrency: 3, stop: () => stop });
    const loads: Promise<SendResult>[] = [load(collectorA.url), load(collectorB.url)];
    await sleep(2000);
    await writerA.kill('SIGKILL');
    await sleep(2000);
    await cluster.kill(0);
    await sleep(3000);
    await collectorB.kill('SIGKILL');
    await sleep(2000);
    stop = true;
    const sent = await Promise.all(loads);
    const acked = sent.flatMap((s) => s.acked);
    const answers = (i: number) => [...new Set(sent[i].statuses)].map((code) => `${code}×${sent[i].statuses.filter((x) => x === code).length}`).join(' ');
    expect(acked.length, `collector answers: ${answers(0)} | ${answers(1)}`).toBeGreaterThan(2000);
    // While the cluster moves the stream's leader off the dead server, a publish may time out: the surviving
    // collector then answers 503 (retry later), never anything else, and never a 202 it cannot keep.
    expect(sent[0].statuses.filter((s) => s !== 202 && s !== 503)).toEqual([]);

    // The one writer left takes over the dead one's messages once their ack wait runs out.
    await waitFor('every acknowledged record in the lake', async () => {
      const l = await lakeIds(root, project_id, 'logs');
      return acked.every((id) => l.ids.has(id)) ? l : null;
    }, 90_000, 500).catch(async (err) => {
      const l = await lakeIds(root, project_id, 'logs');
      const nc = await connect({ servers: cluster!.urls });
      const consumer = await (await jetstreamManager(nc)).consumers.info('LOGLAKE', 'loglake-writer').catch((e: Error) => e.message);
      await nc.close();
      console.log('DEBUG missing', acked.filter((id) => !l.ids.has(id)).length, 'of', acked.length, '\nCONSUMER', JSON.stringify(consumer), '\nWRITER B', writerB.output().slice(-6000), '\nMETRICS B', await (await fetch(`${writerB.url}/metrics`)).text().catch(() => ''));
      throw err;
    });

    const call = async (p: LoglakeProcess, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${p.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, body: (await res.json().catch(() => null)) as any };
    };
    // Records never acknowledged may still land after the acknowledged ones (a collector killed between its
    // publish and its 202, a publish that timed out into a 503 and went through): the lake is read again
    // until the query node's count and the lake agree, every row once.
    let last = { count: undefined as unknown, rows: 0, ids: 0 };
    const settled = await waitFor('the query node counts what the lake holds', async () => {
      const l = await lakeIds(root, project_id, 'logs');
      const count = (await call(query, 'POST', '/v1/gql/query', { q: 'count' })).body?.data?.results?.[0]?.value;
      last = { count, rows: l.rows, ids: l.ids.size };
      return count === l.rows && l.rows === l.ids.size ? l : null;
    }, 30_000, 500).catch((err: Error) => {
      throw new Error(`${err.message}; last seen: ${JSON.stringify(last)}`);
    });
    expect([...settled.ids].filter(([, n]) => n > 1), 'no record twice').toEqual([]);
    expect(acked.filter((id) => !settled.ids.has(id))).toEqual([]);

    // A rule made on the query node is checked by the alerts node and fires once.
    const created = await call(query, 'POST', '/v1/alerts', { name: 'errors seen', query: 'severity:error', threshold: 5, window_minutes: 60 });
    expect(created.status).toBe(201);
    await waitFor('the rule to fire', async () => (await call(query, 'GET', '/v1/alerts')).body.alerts.find((r: { id: string }) => r.id === created.body.id)?.state === 'firing', 30_000, 250).catch(async (err) => {
      console.log('DEBUG rule', JSON.stringify((await call(query, 'GET', '/v1/alerts')).body), '\nALERTS OUT', alerts.output().slice(-5000));
      throw err;
    });
    const events = await waitFor('the firing in alert_events', async () => {
      const v = await lakeValues(root, project_id, 'alert_events', 'alert_id');
      return v.ids.get(created.body.id) ? v : null;
    }, 30_000, 500);
    await sleep(3000);
    expect((await lakeValues(root, project_id, 'alert_events', 'alert_id')).ids.get(created.body.id)).toBe(events.ids.get(created.body.id));
    expect(events.ids.get(created.body.id)).toBe(1);
  });
});
