import { readFileSync, unlinkSync, utimesSync, writeFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { processAlive } from '../../core/process.js';

/** Who holds a lock: enough to tell the very process apart from a later one that got the same pid. */
interface Owner {
  pid: number;
  host: string;
  /** The kernel's boot id: another one means the machine rebooted since the lock was taken. */
  boot: string | null;
  /** The process's start time in clock ticks since boot (`/proc/<pid>/stat`): a reused pid has another. */
  started: string | null;
}

/** The owner refreshes the lock file's time this often; another machine's lock is stale once it stops. */
const HEARTBEAT_MS = 5000;
const HEARTBEAT_STALE_MS = 30_000;

function readOr(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Field 22 of `/proc/<pid>/stat`, counted after the parenthesised command name, which may hold spaces. */
function startTime(pid: number): string | null {
  const stat = readOr(`/proc/${pid}/stat`);
  if (!stat) return null;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}

export function identity(pid: number): Owner {
  return { pid, host: hostname(), boot: readOr('/proc/sys/kernel/random/boot_id'), started: startTime(pid) };
}

/** An older loglake wrote the bare pid: it is then all there is to go by. */
function parse(text: string): Owner | null {
  if (/^\d+$/.test(text)) return { pid: Number(text), host: hostname(), boot: null, started: null };
  try {
    return JSON.parse(text) as Owner;
  } catch {
    return null;
  }
}

/**
 * Whether the lock's owner still runs. On this machine the pid must be alive and be the same process
 * (same boot, same start time), so neither a reboot nor a container restart handing the pid to another
 * process keeps a dead owner's lock. A process of another machine (another container on a shared
 * volume) cannot be looked at: its heartbeat speaks for it.
 */
function ownerAlive(owner: Owner, touchedMs: number): boolean {
  if (owner.host !== hostname()) return Date.now() - touchedMs < HEARTBEAT_STALE_MS;
  const now = identity(owner.pid);
  if (owner.boot && now.boot && owner.boot !== now.boot) return false;
  if (!processAlive(owner.pid)) return false;
  return !(owner.started && now.started && owner.started !== now.started);
}

/** A live process holds the lock: a caller may refuse in its own words (`loglake dead-letters replay` does). */
export class LockHeldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockHeldError';
  }
}

/** A long-held lock on a directory for one process, taken over from an owner that is gone. */
export class OwnerLock {
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly mine = JSON.stringify(identity(process.pid));

  /** `refusal` words the error when a live owner holds the lock. */
  constructor(private readonly path: string, private readonly refusal: (pid: number, host: string) => string) {}

  take(): void {
    try {
      writeFileSync(this.path, this.mine, { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const text = readOr(this.path) ?? '';
      const owner = parse(text);
      const touched = (() => {
        try {
          return statSync(this.path).mtimeMs;
        } catch {
          return 0;
        }
      })();
      if (owner && text !== this.mine && owner.pid !== process.pid && ownerAlive(owner, touched)) {
        throw new LockHeldError(this.refusal(owner.pid, owner.host));
      }
      writeFileSync(this.path, this.mine);
    }
    this.heartbeat = setInterval(() => {
      const now = new Date();
      try {
        utimesSync(this.path, now, now);
      } catch {
        // Removed under us: release() will find nothing to remove either.
      }
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  release(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (readOr(this.path) === this.mine) unlinkSync(this.path);
  }
}
