import { existsSync, mkdirSync, rmSync, statSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { Logger } from 'pino';
import type { Table } from '../../core/records.js';
import { hourKey, partitionDir } from './layout.js';
import { moveAside, rollForward, tempPathOf, type LakeFile, type LakeManifest } from './manifest.js';
import { soleLease, type Lease } from './lease.js';
import type { ParquetWriter } from './parquet.js';
import { dropExpired } from './retention.js';
import { writeSkipIndex } from './skip-index.js';
import { IndexBackfill } from './backfill.js';

/** Logs files lacking a skip index that a round indexes (~0.3 s each for an hour of 60,000 rows, one thread). */
const BACKFILL_PER_ROUND = 4;

export interface CompactionOptions {
  lakeDir: string;
  intervalMs: number;
  minFiles: number;
  /** Files with at least this many rows are done: merging them again would rewrite an hour over and over. */
  targetRows: number;
  deleteGraceMs: number;
  /** Partitions older than this many days are dropped; 0 keeps everything. */
  retentionDays: number;
  /** Upkeep runs on one node at a time: the holder of this lease (over a shared lake, one in KV). */
  lease?: Lease;
  /** Tidies what dead processes left in a shared lake, before each round, whoever holds the lease. */
  tidy?: (retiredDir: string) => Promise<void>;
  /**
   * Log patterns (storage/catalog/patterns.ts): mines a partition's new rows before its merge and returns the
   * relation the merge reads, the rows with their pattern ids, so that the merged file stores them.
   */
  patterns?: { mine(parquet: ParquetWriter, project: string, table: Table, sources: string[]): Promise<string | undefined> };
}

/**
 * A partition's files in merges of at most `targetRows` rows, in their order; a lone file is left as it is.
 * Unbounded, one merge took every small file of a busy hour: half a minute of a core and past a gigabyte of
 * the process's memory at 150,000 records a second (bench/README.md, issue 12), and at hour's end a whole
 * hour's files at once.
 */
export function mergesOf(files: LakeFile[], targetRows: number): LakeFile[][] {
  const chunks: LakeFile[][] = [];
  let chunk: LakeFile[] = [];
  let rows = 0;
  for (const f of files) {
    if (chunk.length > 0 && rows + f.rows > targetRows) {
      chunks.push(chunk);
      chunk = [];
      rows = 0;
    }
    chunk.push(f);
    rows += f.rows;
  }
  chunks.push(chunk);
  return chunks.filter((c) => c.length > 1);
}

/**
 * Lake upkeep, on one timer: retention first, then compaction, then the skip indexes files still lack.
 * The writer rolls a small file per partition every flush, for freshness; small files make queries slow
 * (DuckDB parallelises per row group). Compaction merges a partition's files into files of up to
 * `targetRows` rows, swaps each merge in the manifest in one entry, and moves the old ones aside to
 * `_retired/`, deleted after a grace period so queries already reading them finish.
 */
export class Compactor {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private readonly retiredDir: string;
  private readonly backfill: IndexBackfill;

  constructor(
    private readonly manifest: LakeManifest,
    /** Its own DuckDB, so merging never waits on (or blocks) the writer's flushes. */
    private readonly parquet: ParquetWriter,
    private readonly opts: CompactionOptions,
    private readonly logger: Logger,
  ) {
    this.retiredDir = join(opts.lakeDir, '_retired');
    this.backfill = new IndexBackfill(manifest, BACKFILL_PER_ROUND);
  }

  start(): void {
    mkdirSync(this.retiredDir, { recursive: true });
    this.purgeRetired(0);
    this.timer = setInterval(() => {
      this.running = this.running.then(async () => void (await this.runOnce())).catch((err) => this.logger.error({ err }, 'compaction failed; will retry'));
    }, this.opts.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await (this.opts.lease ?? soleLease).release();
    this.parquet.close();
  }

  /**
   * Merges a partition's small files once it holds `minFiles` of them, or, for an hour that is over, as soon
   * as it holds two: the current hour keeps a few small files for freshness, a past hour ends up whole.
   * In the current hour only the writer's rolling files count as small (under an eighth of the target):
   * re-merging a growing merged file every round made compaction rewrite the hour over and over.
   */
  async runOnce(now = new Date()): Promise<number> {
    await this.opts.tidy?.(this.retiredDir);
    if (!(await (this.opts.lease ?? soleLease).acquire())) return 0;
    const currentHour = hourKey(now);
    await dropExpired(this.manifest, this.opts.lakeDir, this.opts.retentionDays, this.logger);
    const groups = new Map<string, LakeFile[]>();
    for (const f of this.manifest.all()) {
      if (f.rows >= (f.hour < currentHour ? this.opts.targetRows : this.opts.targetRows / 8)) continue;
      const key = `${f.project}\u0000${f.table}\u0000${f.hour}`;
      const group = groups.get(key);
      if (group) group.push(f);
      else groups.set(key, [f]);
    }
    let merged = 0;
    for (const files of groups.values()) {
      const closed = files[0].hour < currentHour;
      if (files.length < (closed ? 2 : this.opts.minFiles)) continue;
      for (const chunk of mergesOf(files, this.opts.targetRows)) {
        await this.merge(chunk);
        merged++;
      }
    }
    await this.parquet.withConnection((conn) => this.backfill.run(conn, currentHour));
    this.purgeRetired(this.opts.deleteGraceMs);
    return merged;
  }

  /**
   * Merged under a temp name; then one manifest entry swaps the sources for it, the sources leave the lake,
   * and only then does the merged file take its name: a glob of the lake never sees a row twice.
   */
  private async merge(files: LakeFile[]): Promise<void> {
    const { project, table, hour } = files[0];
    // A source whose writer died before renaming it is put in place first, or the partition waits.
    if (files.some((f) => !existsSync(this.manifest.absolute(f.path)) && !rollForward(this.manifest.absolute(f.path)))) return;
    const dir = partitionDir(this.opts.lakeDir, project, table, hour);
    const final = join(dir, `compact-${uuidv7()}.parquet`);
    const tmp = tempPathOf(final);
    let merged: LakeFile;
    try {
      const sources = files.map((f) => this.manifest.absolute(f.path));
      // Log patterns: mined from the rows no merge has seen yet; the merge writes each row's pattern id.
      const withPatterns = await this.opts.patterns?.mine(this.parquet, project, table, sources);
      const rows = await this.parquet.merge(table, sources, tmp, withPatterns);
      const expected = files.reduce((n, f) => n + f.rows, 0);
      if (rows !== expected) throw new Error(`compaction of ${dir} produced ${rows} rows from ${expected}`);
      // Skip index side-car (skip-index.ts): written before the commit, optional for every reader.
      await this.parquet.withConnection((conn) => writeSkipIndex(conn, table, tmp, final, { replaces: files.map((f) => this.manifest.absolute(f.path)) }));
      merged = { path: relative(this.opts.lakeDir, final), project, table, hour, rows, bytes: statSync(tmp).size };
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
    // A swap that throws may have landed (its answer lost as NATS went away): the merged file is kept under
    // its temp name, for tidying to put in place if the manifest names it, or to delete once surely abandoned.
    if (!(await this.manifest.replace([merged], files.map((f) => f.path)))) {
      rmSync(tmp, { force: true });
      return;
    }
    // Another writer's tidying may have done either step first.
    for (const f of files) moveAside(this.manifest.absolute(f.path), join(this.retiredDir, `${Date.now()}-${basename(f.path)}`));
    rollForward(final);
    this.logger.debug({ partition: dir, files: files.length }, 'compacted');
  }

  private purgeRetired(graceMs: number): void {
    const cutoff = Date.now() - graceMs;
    for (const name of readdirSync(this.retiredDir)) {
      if (Number(name.split('-')[0]) <= cutoff) rmSync(join(this.retiredDir, name), { force: true });
    }
  }
}
