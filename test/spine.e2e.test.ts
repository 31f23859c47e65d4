import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLoglake, type LoglakeProcess } from './helpers/loglake.js';
import { sendBatches } from './helpers/load.js';
import { lakeIds } from './helpers/lake.js';
import { deleteStream, machineNatsAvailable, MACHINE_NATS } from './helpers/nats.js';
import { waitFor } from './helpers/ports.js';

const natsUp = await machineNatsAvailable();
if (!natsUp) console.warn(`SKIPPING the JetStream end-to-end spine test: no NATS with JetStream at ${MACHINE_NATS}`);

async function gql(p: LoglakeProcess, key: string, q: string) {
  const res = await fetch(`${p.url}/v1/gql/query`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ q }),
  });
  return { status: res.status, body: (await res.json()) as { data: { results: Record<string, unknown>[] } } };
}

/** A config that gives this test its own stream, subjects and consumer on the shared NATS. */
function jetstreamConfig(dir: string, name: string): Record<string, string> {
  const path = join(dir, 'loglake.yaml');
  writeFileSync(path, `storage:\n  bus:\n    kind: jetstream\n    nats_url: ${MACHINE_NATS}\n    stream: ${name}\n    subject_prefix: ${name.toLowerCase()}\n    consumer: ${name}-writer\n`);
  return { LOGLAKE_CONFIG: path };
}

const buses = [{ bus: 'embedded' }, ...(natsUp ? [{ bus: 'jetstream' }] : [])];

describe.each(buses)('the spine over the $bus bus, through the started process', ({ bus }) => {
  const stream = `E2E_SPINE_${process.pid}_${Date.now()}`;
  let p: LoglakeProcess;
  afterAll(async () => {
    await p?.kill('SIGKILL');
    if (bus === 'jetstream') await deleteStream(stream);
  });

  it('takes 10,000 logs and 10,000 events and holds exactly those in the lake', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dataDir = mkdtempSync(join(tmpdir(), 'loglake-spine-'));
    p = await startLoglake({ dataDir, env: bus === 'jetstream' ? jetstreamConfig(dataDir, stream) : {} });
    const boot = p.bootstrap();
    expect(Object.keys(boot.keys).sort()).toEqual(['goodlogs_public', 'goodlogs_secret', 'logtrace', 'logtrail_rw', 'posthog_personal']);

    const [logs, events] = await Promise.all([
      sendBatches({ url: p.url, key: boot.keys.goodlogs_secret, table: 'logs', batches: 20, batchSize: 500, concurrency: 4 }),
      sendBatches({ url: p.url, key: boot.keys.goodlogs_public, table: 'events', batches: 20, batchSize: 500, concurrency: 4 }),
    ]);
    expect(logs.statuses.every((s) => s === 202)).toBe(true);
    expect(events.statuses.every((s) => s === 202)).toBe(true);

    for (const [table, sent] of [['logs', logs], ['events', events]] as const) {
      const lake = await waitFor(`${table} in the lake`, async () => {
        const l = await lakeIds(dataDir, boot.project_id, table);
        return l.rows >= 10_000 ? l : null;
      });
      expect(lake.rows).toBe(10_000);
      expect(lake.ids.size).toBe(10_000);
      expect(sent.acked.every((id) => lake.ids.get(id) === 1)).toBe(true);
    }

    const count = await gql(p, boot.keys.goodlogs_secret, 'count | last:1d');
    expect(count.status).toBe(200);
    expect(count.body.data.results).toEqual([{ value: 10_000 }]);
    const bySeverity = await gql(p, boot.keys.goodlogs_secret, 'count by severity');
    expect(bySeverity.body.data.results).toEqual([
      { severity: 'info', value: 5001 },
      { severity: 'debug', value: 1667 },
      { severity: 'warn', value: 1666 },
      { severity: 'error', value: 1666 },
    ]);
    const eventCount = await gql(p, boot.keys.goodlogs_secret, 'from:events | count | last:1d');
    expect(eventCount.body.data.results).toEqual([{ value: 10_000 }]);

    expect(await p.kill('SIGTERM')).toBe(0);
  });
});

describe('bad requests through the started process', () => {
  let p: LoglakeProcess;
  afterAll(async () => p?.kill('SIGKILL'));

  it('answers each with the seed code and keeps the good records sent around them', async () => {
    p = await startLoglake();
    const boot = p.bootstrap();
    const post = (path: string, key: string, body: string) =>
      fetch(`${p.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
    const good = (tag: string) => JSON.stringify({ batch: [{ severity: 'info', message: `good ${tag}` }] });
    expect((await post('/v1/logs', boot.keys.goodlogs_secret, good('before'))).status).toBe(202);
    expect((await post('/v1/logs', 'gl_sk_eu_wrong', good('x'))).status).toBe(401);
    expect((await post('/v1/logs', boot.keys.goodlogs_public, good('x'))).status).toBe(403);
    expect((await post('/v1/logs', boot.keys.goodlogs_secret, '{"batch":[{')).status).toBe(400);
    expect((await post('/v1/logs', boot.keys.goodlogs_secret, JSON.stringify({ batch: Array(501).fill({ severity: 'info', message: 'x' }) }))).status).toBe(400);
    expect((await post('/v1/logs', boot.keys.goodlogs_secret, JSON.stringify({ batch: [{ severity: 'info', message: 'y'.repeat(2_200_000) }] }))).status).toBe(413);
    const mixed = await post('/v1/logs', boot.keys.goodlogs_secret, JSON.stringify({ batch: [{ severity: 'nope', message: 'bad' }, { severity: 'error', message: 'good mixed' }] }));
    expect(await mixed.json()).toMatchObject({ accepted: 1, rejected: 1 });
    expect((await post('/v1/logs', boot.keys.goodlogs_secret, good('after'))).status).toBe(202);
    const found = await waitFor('the good records', async () => {
      const r = await gql(p, boot.keys.goodlogs_secret, 'message~"good" | count');
      return r.body.data.results[0].value === 3 ? r : null;
    });
    expect(found.status).toBe(200);
  });
});
