// JetStream on a 3-node NATS cluster the test runs itself: loglake names every server in NATS_URL's comma
// list, keeps `replicas` copies of its stream, and goes on publishing and delivering when a node dies.
import type { ChildProcess } from 'node:child_process';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, describe, expect, it } from 'vitest';
import { natsServerBinary, startOwnCluster } from '../../test/helpers/nats.js';
import { freePort, waitFor } from '../../test/helpers/ports.js';
import { JetStreamBus } from './jetstream.js';

const binary = natsServerBinary();
const nodes: ChildProcess[] = [];
afterAll(() => {
  for (const n of nodes) n.kill('SIGKILL');
});

const message = (i: number) => ({ table: 'logs' as const, project: 'p', hour: '2026-06-15T12', msgId: `m-${i}`, rows: 1, data: Buffer.from(`{"i":${i}}\n`) });

describe.skipIf(!binary)('JetStream on a 3-node cluster', () => {
  it('keeps 3 replicas, connects through any named server, and loses nothing acknowledged when a node dies', { timeout: 90_000 }, async () => {
    const { urls, procs } = await startOwnCluster();
    nodes.push(...procs);
    // The first server named is not running: the client goes on to the others.
    const dead = `127.0.0.1:${await freePort()}`;
    const bus = new JetStreamBus({ url: [dead, ...urls].join(','), stream: 'CLUSTERED', subjectPrefix: 'clustered', duplicateWindowSeconds: 60, maxAgeHours: 1, ackWaitSeconds: 5, replicas: 3 });
    await bus.start();
    await waitFor('the bus', async () => (await bus.unavailable()) === null, 30_000, 100);
    for (let i = 0; i < 50; i++) await bus.publish(message(i));

    const nc = await connect({ servers: urls, timeout: 2000 });
    const info = await (await jetstreamManager(nc)).streams.info('CLUSTERED');
    expect(info.config.num_replicas).toBe(3);
    expect(1 + (info.cluster?.replicas?.length ?? 0)).toBe(3);
    await nc.close();

    // Kill the stream's leader: another node takes over, and publishing and delivery go on.
    const leader = Number(info.cluster!.leader!.slice(1));
    procs[leader].kill('SIGKILL');
    await waitFor('publishing after the leader died', async () => {
      try {
        await bus.publish(message(50));
        return true;
      } catch {
        return false;
      }
    }, 30_000, 250);
    for (let i = 51; i < 100; i++) await bus.publish(message(i));

    const sub = await bus.subscribe('cluster-writer', { maxPending: 200 });
    const seen = new Set<string>();
    for await (const m of sub) {
      seen.add(m.msgId);
      await m.ack();
      if (seen.size === 100) break;
    }
    await sub.stop();
    expect([...seen].sort()).toEqual(Array.from({ length: 100 }, (_, i) => `m-${i}`).sort());
    await bus.close();
  });
});
