import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { freePort, waitFor } from './ports.js';
import { BUCKET_PURPOSES, bucketName } from '../../storage/kv/names.js';

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

/** Removes a test's own stream from the shared NATS, with the buckets named after it (metadata, catalog, manifest, imports). */
export async function deleteStream(stream: string, url = MACHINE_NATS): Promise<void> {
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  try {
    const names: string[] = [];
    const buckets = new Set(BUCKET_PURPOSES.map((purpose) => `KV_${bucketName(stream, purpose)}`));
    for await (const name of jsm.streams.names()) if (name === stream || buckets.has(name)) names.push(name);
    for (const name of names) await jsm.streams.delete(name).catch(() => undefined);
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

/**
 * Ports found free are free only until someone takes them: beside the other test files a server may find
 * its port taken and exit. A cluster (or a server on a port of its own choosing) then starts again on
 * fresh ports, this many times in all.
 */
const START_ATTEMPTS = 3;

/** Each process's exit, and whether any of them has exited yet. */
function exitsOf(procs: ChildProcess[]): { exited: Promise<void>[]; gone: () => boolean } {
  let gone = false;
  const exited = procs.map((proc) => new Promise<void>((resolve) => proc.on('exit', () => {
    gone = true;
    resolve();
  })));
  return { exited, gone: () => gone };
}

/** A test-owned `nats-server -js` on a free port with a temp store, to kill and restart at will. */
export async function startOwnNats(storeDir = mkdtempSync(join(tmpdir(), 'loglake-nats-')), port?: number): Promise<OwnNats> {
  const binary = natsServerBinary();
  if (!binary) throw new Error('nats-server is not installed');
  for (let attempt = 1; ; attempt++) {
    const p = port ?? (await freePort());
    const proc = spawn(binary, ['-a', '127.0.0.1', '-p', String(p), '-js', '-sd', storeDir], { stdio: 'ignore' });
    const { exited: [exited], gone } = exitsOf([proc]);
    const url = `127.0.0.1:${p}`;
    const started = await waitFor(`nats-server on ${url}`, async () => {
      if (gone()) return 'exited';
      const nc = await connect({ servers: url, timeout: 500, reconnect: false });
      await (await jetstreamManager(nc)).getAccountInfo();
      await nc.close();
      return 'ready';
    });
    if (started === 'exited') {
      if (port === undefined && attempt < START_ATTEMPTS) continue;
      throw new Error(`nats-server on ${url} exited as it started`);
    }
    return ownNats(url, storeDir, proc, exited);
  }
}

function ownNats(url: string, storeDir: string, proc: ChildProcess, exited: Promise<void>): OwnNats {
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

export interface OwnCluster {
  /** Every server's client address, `host:port`. */
  urls: string[];
  /** NATS_URL for loglake: every server, comma-separated. */
  url: string;
  /** Stops one server (SIGKILL by default) and waits for it to exit. */
  kill(node: number, signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A test-owned 3-node NATS cluster on loopback: routes between the nodes, JetStream on each with its own
 * temp store. Resolves once the cluster has elected its JetStream meta leader.
 */
export async function startOwnCluster(size = 3): Promise<OwnCluster> {
  const binary = natsServerBinary();
  if (!binary) throw new Error('nats-server is not installed');
  for (let attempt = 1; ; attempt++) {
    const cluster = await startClusterOnce(binary, size);
    if (cluster) return cluster;
    if (attempt >= START_ATTEMPTS) throw new Error(`a ${size}-node NATS cluster did not start in ${START_ATTEMPTS} attempts: a server exited as it started`);
  }
}

/** One attempt: null when a server exited before the cluster was ready (its port was taken meanwhile). */
async function startClusterOnce(binary: string, size: number): Promise<OwnCluster | null> {
  const clientPorts: number[] = [];
  const routePorts: number[] = [];
  for (let i = 0; i < size; i++) {
    clientPorts.push(await freePort());
    routePorts.push(await freePort());
  }
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
  const procs = clientPorts.map((port, i) => spawn(binary, [
    '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', mkdtempSync(join(tmpdir(), `loglake-cluster-${i}-`)),
    '--server_name', `n${i}`, '--cluster_name', 'loglake-test', '--cluster', `nats://127.0.0.1:${routePorts[i]}`, '--routes', routes,
  ], { stdio: 'ignore' }));
  const { exited, gone } = exitsOf(procs);
  const urls = clientPorts.map((p) => `127.0.0.1:${p}`);
  // Ready once it can place a stream on every server, as the tests' replicated streams need: a server that
  // answers JetStream's API may not have all its peers yet, and then every node started on it waits.
  const started = await waitFor('the cluster’s JetStream, with every peer', async () => {
    if (gone()) return 'exited';
    const nc = await connect({ servers: urls[0], timeout: 1000, reconnect: false });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'CLUSTER_READY', subjects: ['cluster-ready.>'], num_replicas: size });
      await jsm.streams.delete('CLUSTER_READY');
      return 'ready';
    } catch {
      return false;
    } finally {
      await nc.close();
    }
  }, 60_000, 250).catch((err) => {
    for (const p of procs) p.kill('SIGKILL');
    throw err;
  });
  if (started === 'exited') {
    for (const p of procs) p.kill('SIGKILL');
    await Promise.all(exited);
    return null;
  }
  const kill = async (node: number, signal: NodeJS.Signals = 'SIGKILL') => {
    procs[node].kill(signal);
    await exited[node];
  };
  return {
    urls,
    url: urls.join(','),
    kill,
    async stop() {
      await Promise.all(procs.map((_, i) => kill(i)));
    },
  };
}
