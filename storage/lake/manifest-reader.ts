// The manifest as a process that does not write the lake sees it (a query node beside a writer on one
// lake directory): it follows the writer's snapshot and journal, reading only what was appended since it
// last looked, and starts over when the writer folds the journal into a new snapshot.
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Table } from '../../core/records.js';
import { applyToFiles, listFiles, type Entry, type LakeFile, type LakeIndex, type Snapshot } from './manifest.js';

const identity = (path: string) => {
  try {
    const s = statSync(path);
    return { ino: s.ino, size: s.size };
  } catch {
    return null;
  }
};

export class ManifestReader implements LakeIndex {
  private files = new Map<string, LakeFile>();
  private snapshotIno = -1;
  private journalIno = -1;
  private offset = 0;
  /** A journal line the writer had not finished when it was read. */
  private partial = '';
  private readonly dir: string;

  /** `onCommitted` hears the files of every commit entry read after the first look. */
  constructor(
    private readonly lakeDir: string,
    private readonly onCommitted: (files: LakeFile[]) => void = () => undefined,
  ) {
    this.dir = join(lakeDir, '_manifest');
  }

  /** Reads what the writer wrote since the last call: cheap (two stats) when nothing changed. */
  refresh(): void {
    const snapshot = identity(join(this.dir, 'snapshot.json'));
    const journal = identity(join(this.dir, 'journal.log'));
    const first = this.snapshotIno === -1 && this.journalIno === -1;
    const restart = (snapshot?.ino ?? -1) !== this.snapshotIno || (journal?.ino ?? -1) !== this.journalIno || (journal?.size ?? 0) < this.offset;
    if (restart) {
      this.files = new Map();
      this.snapshotIno = snapshot?.ino ?? -1;
      this.journalIno = journal?.ino ?? -1;
      this.offset = 0;
      this.partial = '';
      if (snapshot) for (const f of (JSON.parse(readFileSync(join(this.dir, 'snapshot.json'), 'utf8')) as Snapshot).files) this.files.set(f.path, f);
    }
    if (!journal || journal.size === this.offset) return;
    const fd = openSync(join(this.dir, 'journal.log'), 'r');
    let text: string;
    try {
      const buffer = Buffer.alloc(journal.size - this.offset);
      const read = readSync(fd, buffer, 0, buffer.length, this.offset);
      this.offset += read;
      text = this.partial + buffer.subarray(0, read).toString('utf8');
    } finally {
      closeSync(fd);
    }
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    // Re-reading after a new snapshot replays what the listeners already heard: only new entries count.
    const tell = !first && !restart;
    for (const line of lines) {
      if (!line) continue;
      let entry: Entry;
      try {
        entry = JSON.parse(line) as Entry;
      } catch {
        // A line a crashed writer tore: its flush acked nothing, and the writer's next open drops it.
        continue;
      }
      applyToFiles(this.files, entry);
      if (tell && entry.t === 'commit') this.onCommitted(entry.files);
    }
  }

  list(project: string, table: Table, fromHour: string | null = null, toHour: string | null = null): LakeFile[] {
    this.refresh();
    return listFiles(this.files.values(), project, table, fromHour, toHour);
  }

  absolute(path: string): string {
    return join(this.lakeDir, path);
  }
}
