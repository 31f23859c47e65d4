import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { freePort, waitFor } from './ports.js';
import { bucketName } from '../../storage/kv/bucket.js';

export const MACHINE_NATS = process.env.NATS_URL ?? '127.0.0.1:4222';

/** Whether the machine's NATS answers with JetStream; tests that need it skip (saying so) when not. */
export async function machineNatsAvailable(): Promise<boolean> {
  try {
    const nc = await connect({ servers: MACHINE_NATS, timeout: 2000, reconnect: false });
    await (await jetstreamManager(nc)).getAccountInfo();
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

export function natsServerBinary(): string | null {
  for (const candidate of ['nats-server', '/usr/sbin/nats-server', '/usr/bin/nats-server']) {
    if (spawnSync(candidate, ['--version']).status === 0) return candidate;
  }
  return null;
}

/** Removes a test's own stream from the shared NATS, and the metadata and catalog buckets named after it. */
export async function deleteStream(stream: string, url = MACHINE_NATS): Promise<void> {
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  try {
    for (const name of [stream, `KV_${bucketName(stream, 'meta')}`, `KV_${bucketName(stream, 'catalog')}`]) {
      await jsm.streams.delete(name).catch(() => undefined);
    }
  } finally {
    await nc.close();
  }
}

export interface OwnNats {
  url: string;
  storeDir: string;
  proc: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** A test-owned `nats-server -js` on a free port with a temp store, to kill and restart at will. */
export async function startOwnNats(storeDir = mkdtempSync(join(tmpdir(), 'loglake-nats-')), port?: number): Promise<OwnNats> {
  const binary = natsServerBinary();
  if (!binary) throw new Error('nats-server is not installed');
  const p = port ?? (await freePort());
  const proc = spawn(binary, ['-a', '127.0.0.1', '-p', String(p), '-js', '-sd', storeDir], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  const url = `127.0.0.1:${p}`;
  await waitFor(`nats-server on ${url}`, async () => {
    const nc = await connect({ servers: url, timeout: 500, reconnect: false });
    await (await jetstreamManager(nc)).getAccountInfo();
    await nc.close();
    return true;
  });
  return {
    url,
    storeDir,
    proc,
    async stop(signal = 'SIGTERM') {
      proc.kill(signal);
      await exited;
    },
  };
}

/** A test-owned 3-node `nats-server -js` cluster on free ports, ready once JetStream has its meta leader; the caller kills `procs`. */
export async function startOwnCluster(): Promise<{ urls: string[]; procs: ChildProcess[] }> {
  const binary = natsServerBinary();
  if (!binary) throw new Error('nats-server is not installed');
  const clientPorts = [await freePort(), await freePort(), await freePort()];
  const routePorts = [await freePort(), await freePort(), await freePort()];
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
  const procs = clientPorts.map((port, i) => spawn(binary, [
    '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', mkdtempSync(join(tmpdir(), `loglake-cluster-${i}-`)),
    '--server_name', `n${i}`, '--cluster_name', 'loglake-test', '--cluster', `nats://127.0.0.1:${routePorts[i]}`, '--routes', routes,
  ], { stdio: 'ignore' }));
  const urls = clientPorts.map((p) => `127.0.0.1:${p}`);
  // JetStream is ready once the cluster has elected its meta leader.
  await waitFor('the cluster’s JetStream', async () => {
    const nc = await connect({ servers: urls[0], timeout: 1000, reconnect: false });
    try {
      return (await (await jetstreamManager(nc)).getAccountInfo()) !== null;
    } catch {
      return false;
    } finally {
      await nc.close();
    }
  }, 30_000, 250).catch((err) => {
    for (const p of procs) p.kill('SIGKILL');
    throw err;
  });
  return { urls, procs };
}
