import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { freePort, waitFor } from './ports.js';

const ROOT = resolve(import.meta.dirname, '../..');
// Absolute, because the process runs in its data directory, where `tsx` would not resolve.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface BootstrapFile {
  org_id: string;
  project_id: string;
  admin: { email: string; password: string };
  keys: Record<'goodlogs_secret' | 'goodlogs_public' | 'logtrail_rw' | 'logtrace' | 'posthog_personal', string>;
}

export interface LoglakeProcess {
  url: string;
  dataDir: string;
  env: Record<string, string>;
  proc: ChildProcess;
  output: () => string;
  bootstrap: () => BootstrapFile;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  dataDir?: string;
  env?: Record<string, string>;
  role?: 'all' | 'collector' | 'writer' | 'query' | 'alerts';
  /** Reuse the ports of an earlier run (a restart). */
  ports?: Record<string, string>;
  /** Told the whole output so far whenever the process writes more (a test that acts on what it says). */
  onOutput?: (output: string) => void;
  /** How long it may take to become healthy (60 s). */
  startTimeoutMs?: number;
}

/** Starts `loglake start` as its own process (the way users run it) and waits until it is healthy. */
export async function startLoglake(opts: StartOptions = {}): Promise<LoglakeProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'loglake-e2e-'));
  const ports = opts.ports ?? {
    LOGLAKE_HTTP_PORT: String(await freePort()),
    LOGLAKE_OTLP_HTTP_PORT: String(await freePort()),
    LOGLAKE_OTLP_GRPC_PORT: String(await freePort()),
    LOGLAKE_LOGSTASH_PORT: String(await freePort()),
  };
  // As `npm start` runs it (package.json): DuckDB's queries and the bus's file writes share libuv's pool.
  const env = { LOGLAKE_DATA_DIR: dataDir, LOGLAKE_LOG_LEVEL: 'warn', UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '16', ...ports, ...opts.env };
  const proc = spawn(process.execPath, ['--import', TSX, join(ROOT, 'bin/loglake.ts'), 'start', '--role', opts.role ?? 'all'], {
    cwd: dataDir,
    env: { ...process.env, ...env, LOGLAKE_CONFIG: opts.env?.LOGLAKE_CONFIG ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const take = (d: Buffer) => {
    out += d;
    opts.onOutput?.(out);
  };
  proc.stdout!.on('data', take);
  proc.stderr!.on('data', take);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${ports.LOGLAKE_HTTP_PORT}`;
  await waitFor(`loglake at ${url}`, async () => {
    if (gone) throw new Error(`loglake exited:\n${out}`);
    return (await fetch(`${url}/v1/health`)).status === 200;
  }, opts.startTimeoutMs ?? 60_000).catch((err: Error) => {
    // What the process said is the only clue to where its start stalled.
    proc.kill('SIGKILL');
    throw new Error(`${err.message}\nits output so far:\n${out.slice(-4000)}`);
  });
  return {
    url,
    dataDir,
    env: ports,
    proc,
    output: () => out,
    bootstrap: () => JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8')) as BootstrapFile,
    exited,
    async kill(signal) {
      if (!gone) proc.kill(signal);
      return exited;
    },
  };
}

/**
 * Runs a one-shot command (`import`, `keys`) on `dataDir` the way users do, to its end; rejects with its
 * output when it fails. With the embedded bus, run it while no service holds that directory.
 */
export async function runLoglake(args: string[], opts: { dataDir: string; env?: Record<string, string> }): Promise<string> {
  const proc = spawn(process.execPath, ['--import', TSX, join(ROOT, 'bin/loglake.ts'), ...args], {
    cwd: opts.dataDir,
    env: { ...process.env, LOGLAKE_DATA_DIR: opts.dataDir, LOGLAKE_LOG_LEVEL: 'warn', LOGLAKE_CONFIG: '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  if (code !== 0) throw new Error(`loglake ${args.join(' ')} exited with ${code}:\n${out}`);
  return out;
}

export function hasBootstrap(dataDir: string): boolean {
  return existsSync(join(dataDir, 'bootstrap.json'));
}
