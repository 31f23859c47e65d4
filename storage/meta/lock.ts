import { processAlive } from '../../core/process.js';
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';

/** A lock file that stays empty this long belongs to a process that died between creating and writing it. */
const EMPTY_LOCK_STALE_MS = 10_000;


/**
 * Removes the lock when its owner process is gone (it crashed mid-write), so one crash does not stop every
 * other process. Only the very file inspected is removed: a lock another process took since has another inode.
 */
function breakIfStale(path: string): void {
  let ino: number;
  let owner: string;
  let ageMs: number;
  try {
    const stat = statSync(path);
    ino = stat.ino;
    ageMs = Date.now() - stat.mtimeMs;
    owner = readFileSync(path, 'utf8').trim();
  } catch {
    return;
  }
  const stale = owner === '' ? ageMs > EMPTY_LOCK_STALE_MS : !processAlive(Number(owner));
  if (!stale) return;
  try {
    if (statSync(path).ino === ino) unlinkSync(path);
  } catch {
    // Already gone: someone else broke it.
  }
}

/**
 * Runs `work` holding an exclusive lock shared by the processes of one machine: a file created with O_EXCL
 * that holds the owner's pid. `work` is synchronous, so nothing else in this process interleaves with it.
 */
export async function withFileLock<T>(path: string, work: () => T, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, String(process.pid));
      } finally {
        closeSync(fd);
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    breakIfStale(path);
    if (Date.now() > deadline) throw new Error(`metadata store: ${path} stayed locked for ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 10));
  }
  try {
    return work();
  } finally {
    unlinkSync(path);
  }
}
