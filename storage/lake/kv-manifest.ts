import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KV, KvEntry } from '@nats-io/kv';
import type { Logger } from 'pino';
import type { Table } from '../../core/records.js';
import { listFiles, moveAside, rollForward, type CommitOutcome, type LakeFile, type LakeManifest, type Part, type Partition } from './manifest.js';
import { inRanges, mergeRanges, rangesAbove, rangesOf, type Ranges } from './ranges.js';

/**
 * One partition's value in the bucket: its live files and the bus sequences committed into it. Every bus
 * message belongs to one partition, so exactly-once needs a compare-and-set on one key, never on the lake.
 */
interface PartitionValue extends Partition {
  files: LakeFile[];
  /** By bus id, only sequences above the bus's ack floor: the rest can never be delivered again. */
  seqs: Record<string, Ranges>;
  /** What wrote it last: a writer's commit (the live tail hears of those) or upkeep's replace. */
  op: 'commit' | 'replace';
}

/** Partition keys are `part.<table>.<hour>.<project>`, the project base64url-encoded so any id is a valid token. */
export function partitionKey(p: Partition): string {
  return `part.${p.table}.${p.hour}.${Buffer.from(p.project).toString('base64url')}`;
}

/**
 * A visible file is retired as an orphan only once this old as well: the bucket's leader should never be
 * wrong about it, and a few seconds' delay in tidying up after a dead compactor costs nothing.
 */
const ORPHAN_MS = 10_000;
/** A temp file nobody committed: its writer is long gone (a flush takes seconds). */
const ABANDONED_MS = 3_600_000;

const mtimeOf = (path: string) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
};

/** Every file under the lake's partitions (`<project>/<table>/date=…/hour=…/`), skipping `_` folders. */
function* lakeEntries(lakeDir: string): Generator<{ path: string; name: string; partition: Partition }> {
  const dirs = (dir: string) => readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('_') && !d.name.startsWith('.')).map((d) => d.name);
  if (!existsSync(lakeDir)) return;
  for (const project of dirs(lakeDir)) {
    for (const table of dirs(join(lakeDir, project))) {
      for (const date of dirs(join(lakeDir, project, table))) {
        for (const hour of dirs(join(lakeDir, project, table, date))) {
          const dir = join(project, table, date, hour);
          const partition: Partition = { project, table: table as Table, hour: `${date.slice(5)}T${hour.slice(5)}` };
          for (const name of readdirSync(join(lakeDir, dir))) yield { path: join(dir, name), name, partition };
        }
      }
    }
  }
}

const CONFLICT = /wrong last sequence|key exists|10071/i;
/** How often a node checks that its watch keeps up with the bucket, and how long it may lag. */
const KEEP_UP_MS = 5000;
/** Between attempts while NATS does not answer: the flush waits, its messages stay un-acked. */
const RETRY_MS = [100, 250, 500, 1000, 2000, 5000];
const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]));

/**
 * The lake manifest in a JetStream key-value bucket, shared by every writer, query and alerts node over one
 * lake directory. Each process keeps a copy of the whole bucket, kept current by a watch (so reads stay
 * synchronous and see another node's commit within milliseconds), and writes by compare-and-set on the
 * partition's key against its latest revision, re-reading on conflict.
 */
export class KvManifest implements LakeManifest {
  private parts = new Map<string, PartitionValue>();
  private files = new Map<string, LakeFile>();
  private stopWatch: (() => void) | null = null;
  private closed = false;
  /** The bucket, once the copy is loaded: what commits and upkeep's reads wait for. */
  private readonly ready: Promise<KV>;
  /** The newest bucket revision the watch has brought in (any key). */
  private seen = 0;
  private checker: NodeJS.Timeout | null = null;
  /** Resolves once the copy holds every partition the bucket had when it was first read. */
  readonly loaded: Promise<void>;
  /** Why the copy is not loaded yet, for readiness; null once it is. */
  waiting: string | null = 'the shared lake manifest is not loaded yet';

  /**
   * Returns at once, like the bus: a node starts (and says it is not ready) while NATS is away, and the
   * copy fills once the bucket answers. Commits wait for it; until then queries see an empty lake.
   */
  constructor(
    bucket: Promise<KV>,
    private readonly lakeDir: string,
    private readonly logger: Logger,
    private readonly onCommitted: (files: LakeFile[]) => void = () => undefined,
  ) {
    this.ready = bucket.then(async (kv) => {
      await this.watch(kv);
      return kv;
    });
    this.loaded = this.ready.then(() => undefined);
    this.loaded.then(
      () => (this.waiting = null),
      (err: Error) => {
        this.waiting = `the shared lake manifest cannot be read: ${err.message}`;
        logger.error({ err }, 'manifest: the bucket cannot be read');
      },
    );
  }

  /**
   * Follows the bucket until closed. Resolves once the first replay is in. While JetStream does not answer
   * (many nodes starting at once, a leader election) it asks again; a watch that ends, or that falls behind
   * the bucket (its server died under it), is replaced by a new one.
   */
  private async watch(kv: KV): Promise<void> {
    await this.followUntilClosed(kv);
    let behindSince: number | null = null;
    this.checker = setInterval(() => {
      void kv.status().then((status) => {
        if (status.streamInfo.state.last_seq <= this.seen) behindSince = null;
        else if (behindSince === null) behindSince = Date.now();
        else if (Date.now() - behindSince >= KEEP_UP_MS) {
          behindSince = null;
          this.logger.warn('manifest: the bucket watch fell behind; watching again');
          this.rewatch(kv);
        }
      }, () => undefined);
    }, KEEP_UP_MS);
    this.checker.unref();
  }

  private rewatch(kv: KV): void {
    this.stopWatch?.();
    this.followUntilClosed(kv).catch(() => undefined);
  }

  /** Starts a watch, asking again with backoff while the bucket does not answer; gives up only once closed. */
  private async followUntilClosed(kv: KV): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.follow(kv);
      } catch (err) {
        if (this.closed) throw err;
        this.logger.warn({ err, attempt }, 'manifest: cannot watch the bucket yet; asking again');
        await backoff(attempt);
      }
    }
  }

  /** One watch: replays every key's latest value, then follows changes. Resolves once the replay is in. */
  private async follow(kv: KV): Promise<void> {
    const empty = (await kv.status()).values === 0;
    const watch = await kv.watch({ key: '>' });
    let stopped = false;
    this.stopWatch = () => {
      stopped = true;
      watch.stop();
    };
    let loaded!: () => void;
    let failed!: (err: unknown) => void;
    const initial = new Promise<void>((resolve, reject) => {
      loaded = resolve;
      failed = reject;
    });
    // The watch first replays every key's last value; the entry with nothing pending after it ends that.
    let replayed = empty;
    if (empty) loaded();
    void (async () => {
      for await (const entry of watch) {
        this.seen = Math.max(this.seen, entry.revision);
        if (entry.key.startsWith('part.')) this.learn(entry, replayed);
        if (!replayed && entry.delta === 0) {
          replayed = true;
          loaded();
        }
      }
    })().then(
      () => {
        if (!replayed) failed(new Error('the bucket watch ended before its replay'));
        else if (!stopped && !this.closed) this.rewatch(kv);
      },
      (err) => {
        if (!replayed) failed(err);
        else if (!this.closed && !stopped) {
          this.logger.warn({ err }, 'manifest: the bucket watch ended; watching again');
          this.rewatch(kv);
        }
      },
    );
    await initial;
  }

  /** Takes a revision of one partition into the copy, and tells the listener of files a commit added. */
  private learn(entry: KvEntry, tell: boolean): void {
    const before = this.parts.get(entry.key);
    for (const f of before?.files ?? []) this.files.delete(f.path);
    if (entry.operation !== 'PUT') {
      this.parts.delete(entry.key);
      return;
    }
    const value = entry.json<PartitionValue>();
    this.parts.set(entry.key, value);
    for (const f of value.files) this.files.set(f.path, f);
    if (tell && value.op === 'commit') {
      const known = new Set(before?.files.map((f) => f.path));
      const added = value.files.filter((f) => !known.has(f.path));
      if (added.length > 0) this.onCommitted(added);
    }
  }

  isCommitted(bus: string, seq: number, partition: Partition): boolean {
    const r = this.parts.get(partitionKey(partition))?.seqs[bus];
    return r !== undefined && inRanges(r, seq);
  }

  async commit(bus: string, parts: Part[], ackFloor?: number): Promise<CommitOutcome> {
    const outcome: CommitOutcome = { committed: [], refused: [] };
    await Promise.all(parts.map(async (part) => {
      let taken: number[] = [];
      const done = await this.change(part.file, (value) => {
        // An earlier attempt that timed out may have landed: then this part is committed already.
        if (value.files.some((f) => f.path === part.file.path)) return 'same';
        const ranges = value.seqs[bus] ?? [];
        taken = part.seqs.filter((s) => inRanges(ranges, s));
        if (taken.length > 0) return null;
        const merged = mergeRanges(ranges, rangesOf(part.seqs));
        value.seqs[bus] = ackFloor === undefined ? merged : rangesAbove(merged, ackFloor);
        value.files.push(part.file);
        value.op = 'commit';
        return value;
      });
      if (done) outcome.committed.push(part);
      else outcome.refused.push({ part, taken });
    }));
    return outcome;
  }

  async replace(add: LakeFile[], remove: string[]): Promise<boolean> {
    const byKey = new Map<string, { partition: Partition; add: LakeFile[]; remove: Set<string> }>();
    const group = (p: Partition) => {
      const key = partitionKey(p);
      let g = byKey.get(key);
      if (!g) byKey.set(key, (g = { partition: { project: p.project, table: p.table, hour: p.hour }, add: [], remove: new Set() }));
      return g;
    };
    for (const f of add) group(f).add.push(f);
    for (const path of remove) {
      const f = this.files.get(path);
      if (!f) return false;
      group(f).remove.add(path);
    }
    let all = true;
    for (const g of byKey.values()) {
      const done = await this.change(g.partition, (value) => {
        const has = (path: string) => value.files.some((f) => f.path === path);
        // An attempt whose answer was lost (a timeout while a server dies) may have landed: its merged file is
        // named and its sources gone. Refused, the compactor would delete the file the bucket now names.
        if (g.add.length > 0 && g.add.every((f) => has(f.path)) && ![...g.remove].some(has)) return 'same';
        if ([...g.remove].some((p) => !has(p))) return null;
        value.files = value.files.filter((f) => !g.remove.has(f.path)).concat(g.add);
        value.op = 'replace';
        return value;
      });
      all &&= done;
    }
    return all;
  }

  /**
   * Reads the partition's latest revision, lets `edit` change it (null: refuse; 'same': nothing to write,
   * already so), and writes it only if nobody wrote since; on conflict, reads again. Transient failures
   * (NATS away, a leader election) are retried: the caller's messages wait un-acked meanwhile.
   */
  private async change(p: Partition, edit: (value: PartitionValue) => PartitionValue | null | 'same'): Promise<boolean> {
    const key = partitionKey(p);
    for (let attempt = 0; ; attempt++) {
      try {
        const kv = await this.ready;
        const entry = await kv.get(key);
        const live = entry && entry.operation === 'PUT';
        const current: PartitionValue = live ? entry.json<PartitionValue>() : { project: p.project, table: p.table, hour: p.hour, files: [], seqs: {}, op: 'commit' };
        const next = edit(current);
        if (next === null) return false;
        if (next === 'same') return true;
        const data = JSON.stringify(next);
        // A deleted key keeps its revision: writing over the delete marker is a compare-and-set too.
        if (entry) await kv.update(key, data, entry.revision);
        else await kv.create(key, data);
        return true;
      } catch (err) {
        if (this.closed) throw err;
        if (CONFLICT.test(String((err as Error)?.message))) continue;
        this.logger.warn({ err, key, attempt }, 'manifest: the bucket did not answer; asking again');
        await backoff(attempt);
      }
    }
  }

  /** The partition's files as the bucket holds them now, not as this copy last heard; null when it holds no entry for it. */
  async latest(p: Partition): Promise<LakeFile[] | null> {
    const entry = await (await this.ready).get(partitionKey(p));
    return entry && entry.operation === 'PUT' ? entry.json<PartitionValue>().files : null;
  }

  /**
   * What dead processes left in the lake directory. First, a visible file no partition names (a dead
   * compactor's sources: its swap committed, the sources not yet retired) moves to `retiredDir`, checked
   * against the bucket's leader, not this copy (which may lag), and only once it is `ORPHAN_MS` old: a file
   * becomes visible only after its commit, so the bucket names every live one. Then a committed file still under its temp name is renamed into place; in this
   * order a glob never sees a merged file beside its sources. Temp files nobody committed are deleted once
   * surely abandoned. Every writer's upkeep runs this (each step is a rename another node may have done
   * first), so what a dead node left is put right within one compaction interval.
   */
  async tidy(retiredDir: string, now = Date.now()): Promise<void> {
    const entries = [...lakeEntries(this.lakeDir)];
    for (const { path, name, partition } of entries) {
      if (!name.endsWith('.parquet') || name.startsWith('.') || this.files.has(path) || now - mtimeOf(join(this.lakeDir, path)) < ORPHAN_MS) continue;
      // A dead compactor's sources are in a partition whose entry names the merged file: with no entry to
      // read (none yet, or none answered, as during a leader's election), nothing is known to be an orphan.
      const latest = await this.latest(partition);
      if (latest === null || latest.some((f) => f.path === path)) continue;
      if (moveAside(join(this.lakeDir, path), join(retiredDir, `${now}-${name}`))) this.logger.info({ path }, 'manifest: moved a file no partition names out of the lake');
    }
    for (const { path, name } of entries) {
      if (!name.startsWith('.') || !name.endsWith('.parquet.tmp')) continue;
      const final = join(dirname(path), name.slice(1, -'.tmp'.length));
      if (this.files.has(final)) rollForward(join(this.lakeDir, final));
      else if (now - mtimeOf(join(this.lakeDir, path)) > ABANDONED_MS) rmSync(join(this.lakeDir, path), { force: true });
    }
  }

  list(project: string, table: Table, fromHour: string | null = null, toHour: string | null = null): LakeFile[] {
    return listFiles(this.files.values(), project, table, fromHour, toHour);
  }

  all(): LakeFile[] {
    return [...this.files.values()];
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  absolute(path: string): string {
    return join(this.lakeDir, path);
  }

  close(): void {
    this.closed = true;
    if (this.checker) clearInterval(this.checker);
    this.stopWatch?.();
  }
}
