import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { identity, OwnerLock } from './owner-lock.js';

const linux = existsSync('/proc/self/stat');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

/** A real other process, alive for the test. */
function otherProcess(): number {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

const refusal = (pid: number, host: string) => `held by ${pid} on ${host}`;
const lockFile = (owner: object) => {
  const path = join(mkdtempSync(join(tmpdir(), 'loglake-lock-')), 'owner.lock');
  writeFileSync(path, JSON.stringify(owner));
  return path;
};

describe('the embedded bus owner lock', () => {
  it('is refused while another live process holds it, and taken once that process is gone', async () => {
    const pid = otherProcess();
    const path = lockFile(identity(pid));
    expect(() => new OwnerLock(path, refusal).take()).toThrow(`held by ${pid}`);
    const child = children.at(-1)!;
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const lock = new OwnerLock(path, refusal);
    lock.take();
    lock.release();
  });

  it.skipIf(!linux)('is taken over when the pid is alive but is another process (a pid reused after a restart)', () => {
    const live = identity(otherProcess());
    const path = lockFile({ ...live, started: String(Number(live.started) - 1) });
    const lock = new OwnerLock(path, refusal);
    lock.take();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it.skipIf(!linux)('is taken over when it was taken before the last reboot, even if the pid runs now', () => {
    const live = identity(otherProcess());
    const lock = new OwnerLock(lockFile({ ...live, boot: '00000000-0000-0000-0000-000000000000' }), refusal);
    lock.take();
    lock.release();
  });

  it('trusts the heartbeat of another machine: refused while fresh, taken once stale', () => {
    const path = lockFile({ pid: 1, host: 'another-container', boot: null, started: null });
    expect(() => new OwnerLock(path, refusal).take()).toThrow('held by 1 on another-container');
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    const lock = new OwnerLock(path, refusal);
    lock.take();
    lock.release();
  });

  it('reads the bare pid an older loglake wrote', () => {
    const pid = otherProcess();
    const path = join(mkdtempSync(join(tmpdir(), 'loglake-lock-')), 'owner.lock');
    writeFileSync(path, String(pid));
    expect(() => new OwnerLock(path, refusal).take()).toThrow(`held by ${pid}`);
  });
});
