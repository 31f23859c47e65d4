import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLoglake, type LoglakeProcess } from './helpers/loglake.js';
import { sendBatches, type SendResult } from './helpers/load.js';
import { lakeIds } from './helpers/lake.js';
import { deleteStream, machineNatsAvailable, MACHINE_NATS, natsServerBinary, startOwnNats, type OwnNats } from './helpers/nats.js';
import { waitFor } from './helpers/ports.js';

const natsUp = await machineNatsAvailable();
const ownNats = natsServerBinary() !== null;
if (!natsUp) console.warn(`SKIPPING the JetStream whole-process crash test: no NATS with JetStream at ${MACHINE_NATS}`);
if (!ownNats) console.warn('SKIPPING the writer crash test: no nats-server binary to start a test-owned server');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every acknowledged record is in the lake exactly once, and no record is there twice. */
async function expectExactlyOnce(dataDir: string, project: string, sent: SendResult[]) {
  const acked = sent.flatMap((s) => s.acked);
  const lake = await waitFor('every acknowledged record in the lake', async () => {
    const l = await lakeIds(dataDir, project, 'logs');
    return acked.every((id) => l.ids.has(id)) ? l : null;
  }, 60_000);
  const twice = [...lake.ids].filter(([, n]) => n > 1);
  expect(twice).toEqual([]);
  expect(acked.filter((id) => lake.ids.get(id) !== 1)).toEqual([]);
  // Unacknowledged records may or may not have made it, but never twice (checked above).
  expect(lake.rows).toBe(lake.ids.size);
}

function config(dir: string, nats: string, stream: string): string {
  const path = join(dir, 'loglake.yaml');
  writeFileSync(path, `storage:\n  bus:\n    kind: jetstream\n    nats_url: ${nats}\n    stream: ${stream}\n    subject_prefix: ${stream.toLowerCase()}\n    consumer: ${stream}-writer\n    ack_wait_seconds: 5\n  writer:\n    flush_interval_ms: 300\n`);
  return path;
}

/** Sends under load while stopping the process (SIGKILL by default) at random moments, restarting it each time. */
async function crashLoop(dataDir: string, start: (ports?: Record<string, string>) => Promise<LoglakeProcess>, rounds: number, signal: NodeJS.Signals = 'SIGKILL') {
  const sent: SendResult[] = [];
  let p = await start();
  const { project_id, keys } = p.bootstrap();
  for (let round = 0; round < rounds; round++) {
    let stop = false;
    const load = sendBatches({ url: p.url, key: keys.goodlogs_secret, table: 'logs', batches: 10_000, batchSize: 100, concurrency: 4, stop: () => stop });
    await sleep(700 + Math.random() * 1500);
    const code = await p.kill(signal);
    if (signal !== 'SIGKILL') expect(code).toBe(0);
    stop = true;
    sent.push(await load);
    if (signal !== 'SIGKILL') {
      // A graceful stop writes what it acknowledged before exiting: it is in Parquet with no restart.
      const lake = await lakeIds(dataDir, project_id, 'logs');
      expect(sent.flatMap((x) => x.acked).filter((id) => !lake.ids.has(id))).toEqual([]);
    }
    p = await start(p.env);
  }
  sent.push(await sendBatches({ url: p.url, key: keys.goodlogs_secret, table: 'logs', batches: 10, batchSize: 100, concurrency: 2 }));
  expect(sent.flatMap((s) => s.acked).length).toBeGreaterThan(1000);
  await expectExactlyOnce(dataDir, project_id, sent);
  expect(await p.kill('SIGTERM')).toBe(0);
}

describe('kill -9 of the whole process', () => {
  const procs: LoglakeProcess[] = [];
  afterAll(async () => {
    for (const p of procs) await p.kill('SIGKILL');
  });

  it('a graceful stop under load exits 0 and keeps every acknowledged record, embedded bus', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'loglake-sigterm-'));
    await crashLoop(dataDir, async (ports) => {
      const p = await startLoglake({ dataDir, ports });
      procs.push(p);
      return p;
    }, 2, 'SIGTERM');
  });

  it('loses and duplicates nothing acknowledged, embedded bus', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'loglake-crash-'));
    await crashLoop(dataDir, async (ports) => {
      const p = await startLoglake({ dataDir, ports, env: { } });
      procs.push(p);
      return p;
    }, 3);
  });

  it.skipIf(!natsUp)('loses and duplicates nothing acknowledged, JetStream bus', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'loglake-crash-js-'));
    const stream = `E2E_CRASH_${process.pid}_${Date.now()}`;
    try {
      await crashLoop(dataDir, async (ports) => {
        const p = await startLoglake({ dataDir, ports, env: { LOGLAKE_CONFIG: config(dataDir, MACHINE_NATS, stream) } });
        procs.push(p);
        return p;
      }, 3);
    } finally {
      await deleteStream(stream);
    }
  });
});

describe.skipIf(!ownNats)('kill -9 of the writer (scale-out roles, test-owned nats-server)', () => {
  let nats: OwnNats;
  const procs: LoglakeProcess[] = [];
  afterAll(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    await nats?.stop();
  });

  it('a writer killed mid-flush and restarted writes every acknowledged record exactly once', { timeout: 180_000 }, async () => {
    nats = await startOwnNats();
    const dataDir = mkdtempSync(join(tmpdir(), 'loglake-writer-crash-'));
    const env = { LOGLAKE_CONFIG: config(dataDir, nats.url, 'LOGLAKE') };
    const collector = await startLoglake({ dataDir, role: 'collector', env });
    procs.push(collector);
    const { project_id, keys } = collector.bootstrap();
    let writer = await startLoglake({ dataDir, role: 'writer', env });
    procs.push(writer);
    const writerPorts = writer.env;
    let stop = false;
    const load = sendBatches({ url: collector.url, key: keys.goodlogs_secret, table: 'logs', batches: 10_000, batchSize: 100, concurrency: 4, stop: () => stop });
    for (let round = 0; round < 4; round++) {
      await sleep(400 + Math.random() * 1200);
      await writer.kill('SIGKILL');
      writer = await startLoglake({ dataDir, role: 'writer', env, ports: writerPorts });
      procs.push(writer);
    }
    stop = true;
    const sent = await load;
    expect(sent.unacked).toEqual([]);
    await expectExactlyOnce(dataDir, project_id, [sent]);
  });
});
