import { closeSync, constants, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, write, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { patternsDirOf } from './layout.js';
import type { Table } from '../../core/records.js';
import { inRanges, mergeRanges, rangesAbove, rangesOf, type Ranges } from './ranges.js';
import { dataPathOfIndex } from './skip-index.js';

/**
 * The journal is written with O_DSYNC: a write returns once its entry is durable, so a commit's write can
 * go through libuv's pool instead of a write and an fsync on the event loop, which held every request
 * in flight for as long as the disk took (up to ~50 ms under load).
 */
const JOURNAL_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_DSYNC;
const writeAsync = promisify(write);

export interface LakeFile {
  /** Relative to the lake directory. */
  path: string;
  project: string;
  table: Table;
  hour: string;
  rows: number;
  bytes: number;
}

export type Entry =
  | { t: 'commit'; bus: string; files: LakeFile[]; seqs: Ranges }
  | { t: 'replace'; add: LakeFile[]; remove: string[] };

export interface Snapshot {
  files: LakeFile[];
  committed: Record<string, Ranges>;
}

/** What queries need of the lake: its live files by project, table and hours, and where they are. */
export interface LakeIndex {
  list(project: string, table: Table, fromHour?: string | null, toHour?: string | null): LakeFile[];
  absolute(path: string): string;
}

/** The (project, table, hour) a bus message or a file belongs to. */
export interface Partition {
  project: string;
  table: Table;
  hour: string;
}

/** A new file of one partition and the bus sequences whose rows it holds. */
export interface Part {
  file: LakeFile;
  seqs: number[];
}

/** What a commit did: parts now live, and parts refused because another writer committed some of their sequences first. */
export interface CommitOutcome {
  committed: Part[];
  refused: { part: Part; taken: number[] }[];
}

/**
 * The manifest as writers and lake upkeep use it. Its commit decides exactly-once: a part is committed
 * only if none of its sequences is, atomically. A committed file may not be on disk yet (the writer renames
 * its hidden temp file into place after the commit), so readers tolerate a listed file that is missing.
 */
export interface LakeManifest extends LakeIndex {
  isCommitted(bus: string, seq: number, partition: Partition): boolean;
  /** `ackFloor`: every sequence at or below it is acked on the bus and will never come again. */
  commit(bus: string, parts: Part[], ackFloor?: number): Promise<CommitOutcome>;
  /** Swaps files in one step per partition; false when a file to remove is no longer live (nothing changed there). */
  replace(add: LakeFile[], remove: string[]): Promise<boolean>;
  all(): LakeFile[];
  close(): void;
}

/** The hidden name a file is written under before its commit: any glob of the lake skips it. */
export function tempPathOf(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp`);
}

/** Renames `from` to `to`; false when another node moved it first (or it is gone). */
export function moveAside(from: string, to: string): boolean {
  try {
    renameSync(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Puts a committed file whose writer died between the commit and the rename in place. Idempotent, and
 * safe to race: the rename happens once, the other side finds nothing to do.
 */
export function rollForward(absolute: string): boolean {
  if (existsSync(absolute)) return false;
  try {
    renameSync(tempPathOf(absolute), absolute);
    return true;
  } catch {
    return false;
  }
}

/** An entry's effect on the live files; the committed sequences are the writer's alone. */
export function applyToFiles(files: Map<string, LakeFile>, e: Entry): void {
  if (e.t === 'commit') {
    for (const f of e.files) files.set(f.path, f);
  } else {
    for (const p of e.remove) files.delete(p);
    for (const f of e.add) files.set(f.path, f);
  }
}

/** Live files of a project's table whose hour lies in [fromHour, toHour] (either side open when null). */
export function listFiles(files: Iterable<LakeFile>, project: string, table: Table, fromHour: string | null, toHour: string | null): LakeFile[] {
  const out: LakeFile[] = [];
  for (const f of files) {
    if (f.project !== project || f.table !== table) continue;
    if (fromHour !== null && f.hour < fromHour) continue;
    if (toHour !== null && f.hour > toHour) continue;
    out.push(f);
  }
  return out;
}

/**
 * The list of live Parquet files, and the bus sequences already in them: the manifest of one process's
 * lake (the embedded bus). A file counts only once its manifest entry is durable, so a crash before the
 * entry leaves a hidden temp file (removed on open), a crash after it a temp file that open renames into
 * place, and a redelivered message whose sequence is already committed is acked without being written twice.
 * Stored as a snapshot plus an fsynced journal of entries, folded into a new snapshot on open.
 */
export class Manifest implements LakeManifest {
  private files = new Map<string, LakeFile>();
  private committed = new Map<string, Ranges>();
  private journalFd = -1;
  private journalEntries = 0;
  /** Entries are written one at a time, in order; an entry takes effect once it is durable. */
  private appending: Promise<unknown> = Promise.resolve();
  private readonly dir: string;

  constructor(private readonly lakeDir: string) {
    this.dir = join(lakeDir, '_manifest');
  }

  open(): void {
    mkdirSync(this.dir, { recursive: true });
    const snapshotPath = join(this.dir, 'snapshot.json');
    if (existsSync(snapshotPath)) {
      const snap = JSON.parse(readFileSync(snapshotPath, 'utf8')) as Snapshot;
      for (const f of snap.files) this.files.set(f.path, f);
      for (const [bus, r] of Object.entries(snap.committed)) this.committed.set(bus, r);
    }
    const journalPath = join(this.dir, 'journal.log');
    if (existsSync(journalPath)) {
      for (const line of readFileSync(journalPath, 'utf8').split('\n')) {
        if (!line) continue;
        try {
          this.apply(JSON.parse(line) as Entry);
        } catch {
          // A torn last line: its flush never acked anything, so its messages will come again.
          break;
        }
      }
    }
    for (const f of this.files.values()) rollForward(this.absolute(f.path));
    this.removeOrphans();
    this.writeSnapshot();
    this.journalFd = openSync(journalPath, JOURNAL_FLAGS);
  }

  close(): void {
    if (this.journalFd >= 0) closeSync(this.journalFd);
    this.journalFd = -1;
  }

  private apply(e: Entry): void {
    applyToFiles(this.files, e);
    if (e.t === 'commit') this.committed.set(e.bus, mergeRanges(this.committed.get(e.bus) ?? [], e.seqs));
  }

  private append(e: Entry): Promise<void> {
    const line = `${JSON.stringify(e)}\n`;
    const run = this.appending.then(async () => {
      await writeAsync(this.journalFd, line);
      this.applied(e);
    });
    this.appending = run.catch(() => undefined);
    return run;
  }

  private applied(e: Entry): void {
    this.apply(e);
    // Entries are idempotent, so a crash between the snapshot and the truncation only replays some twice.
    if (++this.journalEntries >= 1000) {
      this.writeSnapshot();
      closeSync(this.journalFd);
      this.journalFd = openSync(join(this.dir, 'journal.log'), JOURNAL_FLAGS);
      this.journalEntries = 0;
    }
  }

  private writeSnapshot(): void {
    const snap: Snapshot = { files: [...this.files.values()], committed: Object.fromEntries(this.committed) };
    const tmp = join(this.dir, 'snapshot.json.tmp');
    const fd = openSync(tmp, 'w');
    writeFileSync(fd, JSON.stringify(snap));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, join(this.dir, 'snapshot.json'));
  }

  /** Parquet files (and temp files) under the lake that no entry names, and their skip indexes: leftovers of a crash. */
  private removeOrphans(): void {
    const walk = (dir: string): void => {
      // The log patterns are no files of the lake.
      if (dir === patternsDirOf(this.lakeDir)) return;
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, entry.name);
        const path = relative(this.lakeDir, full);
        if (entry.isDirectory()) {
          if (full !== this.dir) walk(full);
        } else if (!this.files.has(path) && !this.files.has(dataPathOfIndex(path) ?? '')) {
          rmSync(full, { force: true });
        }
      }
    };
    walk(this.lakeDir);
  }

  /** One process writes this lake, so nothing is refused: its writer never holds a committed sequence. */
  async commit(bus: string, parts: Part[], ackFloor?: number): Promise<CommitOutcome> {
    await this.append({ t: 'commit', bus, files: parts.map((p) => p.file), seqs: rangesOf(parts.flatMap((p) => p.seqs)) });
    if (ackFloor !== undefined) this.forgetUpTo(bus, ackFloor);
    return { committed: parts, refused: [] };
  }

  /** A commit that is durable when it returns, for setting up a lake (tests, tools) with nothing else writing it. */
  commitSync(bus: string, files: LakeFile[], seqs: Ranges): void {
    const e: Entry = { t: 'commit', bus, files, seqs };
    writeSync(this.journalFd, `${JSON.stringify(e)}\n`);
    this.applied(e);
  }

  async replace(add: LakeFile[], remove: string[]): Promise<boolean> {
    if (remove.some((p) => !this.files.has(p))) return false;
    await this.append({ t: 'replace', add, remove });
    return true;
  }

  isCommitted(bus: string, seq: number): boolean {
    const r = this.committed.get(bus);
    return r !== undefined && inRanges(r, seq);
  }

  /** Forgets sequences the bus will never deliver again. */
  forgetUpTo(bus: string, floor: number): void {
    const r = this.committed.get(bus);
    if (r) this.committed.set(bus, rangesAbove(r, floor));
  }

  list(project: string, table: Table, fromHour: string | null = null, toHour: string | null = null): LakeFile[] {
    return listFiles(this.files.values(), project, table, fromHour, toHour);
  }

  all(): LakeFile[] {
    return [...this.files.values()];
  }

  absolute(path: string): string {
    return join(this.lakeDir, path);
  }
}
