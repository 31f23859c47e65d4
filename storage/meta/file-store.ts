import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withFileLock } from './lock.js';
import { emptyState, migrate } from './migrations.js';
import { StateMetaStore, type Loaded, type MetaStoreOptions, type StateBackend } from './state-store.js';
import type { State } from './state.js';

/**
 * The state in one JSON file, written whole to a temp name and renamed (so a reader never sees half a file),
 * under an exclusive lock file so several loglake processes on one machine can share it. Readers notice
 * another process's writes by the file's identity (inode, mtime, size), and every write re-reads the file
 * under the lock first, so no process overwrites another's change.
 */
export class FileStateBackend implements StateBackend {
  private seen = '';
  private readonly file: string;
  private readonly lock: string;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'meta.json');
    this.lock = join(dir, 'meta.lock');
  }

  async open(): Promise<void> {}

  async close(): Promise<void> {}

  private tag(): string | null {
    try {
      const stat = statSync(this.file);
      return `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
    } catch {
      return null;
    }
  }

  private read(): Loaded | null {
    try {
      return migrate(JSON.parse(readFileSync(this.file, 'utf8')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  poll(force = false): Loaded | null {
    const tag = this.tag();
    if (tag === null || (!force && tag === this.seen)) return null;
    const loaded = this.read();
    this.seen = tag;
    return loaded;
  }

  exclusive<T>(change: (state: State) => T): Promise<{ result: T; state: State }> {
    return withFileLock(this.lock, () => {
      // Not noted as seen: the store takes in only what is written.
      const state = this.read()?.state ?? emptyState();
      const result = change(state);
      const tmp = `${this.file}.${process.pid}.tmp`;
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeFileSync(fd, JSON.stringify(state, null, 1));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.file);
      this.seen = this.tag() ?? '';
      return { result, state };
    });
  }
}

/** The embedded default: metadata in `<dir>/meta.json`. */
export class FileMetaStore extends StateMetaStore {
  constructor(dir: string, opts: MetaStoreOptions = {}) {
    super(new FileStateBackend(dir), opts);
  }
}
