import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Bus } from './bus/bus.js';
import { selectBus } from './bus/select.js';
import { Manifest, type LakeFile, type LakeIndex, type LakeManifest } from './lake/manifest.js';
import { KvManifest } from './lake/kv-manifest.js';
import { KvLease } from './lake/lease.js';
import { JetStreamBus } from './bus/jetstream.js';
import { ManifestReader } from './lake/manifest-reader.js';
import { ParquetWriter } from './lake/parquet.js';
import { patternsDirOf } from './lake/layout.js';
import { Writer } from './writer/writer.js';
import { deadLetterDirOf } from './dead-letters/dead-letters.js';
import { Compactor } from './lake/compaction.js';
import type { SchemaCatalog } from './catalog/catalog.js';
import { openCatalog } from './catalog/kv-catalog.js';
import { CatalogUpdater } from './catalog/updater.js';
import { StatsReader } from './catalog/stats.js';
import { PatternMiner, PatternStore } from './catalog/patterns.js';

/** How often a reading process looks for the writer's commits while a live tail listens. */
const READER_POLL_MS = 250;

/**
 * Where one of the process's DuckDBs spills (its sorts and joins past its memory bound), emptied at start:
 * what a killed process spilled is of no use to the next.
 */
function spillDir(dataDir: string, name: string): string {
  const dir = join(dataDir, 'spill', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Where the lake lies: `storage.lake_dir`, else `<data_dir>/lake`. */
export function lakeDirOf(config: Config): string {
  return resolve(config.storage.lake_dir ?? join(config.storage.data_dir, 'lake'));
}

export interface Storage {
  dataDir: string;
  lakeDir: string;
  bus: Bus;
  /** The lake's manifest and its writer: only in a process that writes the lake. */
  lake: { manifest: LakeManifest; writer: Writer; compactor: Compactor | null } | null;
  /** The live files queries read: the writer's manifest, or, in a process that only reads, the manifest followed. */
  index: LakeIndex | null;
  /** The discovered schema; kept up to date by the writer's process, readable in any. */
  catalog: SchemaCatalog;
  /** Log patterns per project: mined by compaction, read by queries (`count by pattern`, `| patterns`). */
  patterns: PatternStore;
  /**
   * Tells listeners of every file the writer commits, as it commits it (the live tail listens). Only the
   * process that writes the lake hears anything.
   */
  onCommitted(listener: (files: LakeFile[]) => void): () => void;
  /** Why the lake's files are not all known yet (the shared manifest is loading), for readiness. */
  manifestWaiting(): string | null;
  /** Stops the writer (final flush and ack), then closes the bus and the manifest. */
  close(): Promise<void>;
}

/**
 * The bus, and with `writer: true` the lake's manifest and a running writer; with `reader: true` (a query
 * or alerts node) the manifest followed read-only. A process that only collects must not open the
 * manifest: opening it tidies the lake, which is the writer's to do.
 */
export async function openStorage(config: Config, logger: Logger, opts: { writer: boolean; reader?: boolean }): Promise<Storage> {
  const dataDir = resolve(config.storage.data_dir);
  const lakeDir = lakeDirOf(config);
  const bus = selectBus(config, logger);
  await bus.start();
  let lake: Storage['lake'] = null;
  let parquet: ParquetWriter | null = null;
  const catalog = await openCatalog(config, dataDir);
  const patterns = new PatternStore(patternsDirOf(lakeDir));
  let updater: CatalogUpdater | null = null;
  const listeners = new Set<(files: LakeFile[]) => void>();
  const tell = (files: LakeFile[]) => {
    for (const listener of listeners) listener(files);
  };
  // On JetStream every node over the lake shares one manifest in a bucket; its watch tells of every commit.
  const bucket = bus instanceof JetStreamBus && (opts.writer || opts.reader) ? bus.bucket('manifest') : null;
  const shared = bucket ? new KvManifest(bucket, lakeDir, logger.child({ component: 'manifest' }), tell) : null;
  if (opts.writer) {
    mkdirSync(lakeDir, { recursive: true });
    let manifest: LakeManifest;
    if (shared) manifest = shared;
    else {
      const own = new Manifest(lakeDir);
      own.open();
      manifest = own;
    }
    parquet = await ParquetWriter.create(1, undefined, spillDir(dataDir, 'writer'));
    updater = new CatalogUpdater(catalog, await StatsReader.create(), logger.child({ component: 'catalog' }));
    const feed = updater;
    const w = config.storage.writer;
    const writer = new Writer(bus, manifest, parquet, {
      lakeDir,
      stagingDir: join(dataDir, 'staging'),
      deadLetterDir: deadLetterDirOf(config),
      durable: config.storage.bus.consumer,
      flushIntervalMs: w.flush_interval_ms,
      maxBufferedRows: w.max_buffered_rows,
      maxPendingMessages: w.max_pending_messages,
      onCommitted: (files) => {
        feed.committed(files.map((file) => ({ file, path: manifest.absolute(file.path) })));
        if (!shared) tell(files);
      },
    }, logger.child({ component: 'writer' }));
    await writer.start();
    const c = config.storage.compaction;
    let compactor: Compactor | null = null;
    if (c.enabled) {
      // Over a shared lake, upkeep is one node's at a time; a dead holder's lease runs out after three rounds.
      const upkeep = shared && bucket
        ? { lease: new KvLease(bucket, 'lease.upkeep', `${hostname()}:${process.pid}:${randomUUID()}`, 3 * c.interval_ms), tidy: (retired: string) => shared.tidy(retired) }
        : {};
      compactor = new Compactor(manifest, await ParquetWriter.create(1, undefined, spillDir(dataDir, 'compaction')), { lakeDir, intervalMs: c.interval_ms, minFiles: c.min_files, targetRows: c.target_rows, retentionDays: c.retention_days, deleteGraceMs: c.delete_grace_ms, patterns: new PatternMiner(patterns), ...upkeep }, logger.child({ component: 'compaction' }));
      compactor.start();
    }
    lake = { manifest, writer, compactor };
  }
  // A reader hears of commits as it reads them: the live tail works on a query node too.
  const reader = !lake && !shared && opts.reader ? new ManifestReader(lakeDir, tell) : null;
  const index: LakeIndex | null = lake?.manifest ?? shared ?? reader;
  // A reader learns of commits when it looks: while anyone listens (a live tail), it looks often.
  let watching: NodeJS.Timeout | null = null;
  const watch = () => {
    if (!reader) return;
    if (listeners.size > 0 && !watching) watching = setInterval(() => reader.refresh(), READER_POLL_MS).unref();
    if (listeners.size === 0 && watching) {
      clearInterval(watching);
      watching = null;
    }
  };
  let closing: Promise<void> | null = null;
  return {
    dataDir,
    lakeDir,
    bus,
    lake,
    index,
    catalog,
    manifestWaiting: () => shared?.waiting ?? null,
    patterns,
    onCommitted(listener) {
      listeners.add(listener);
      watch();
      return () => {
        listeners.delete(listener);
        watch();
      };
    },
    close() {
      closing ??= (async () => {
        await lake?.compactor?.stop();
        await lake?.writer.stop();
        await updater?.stop();
        await catalog.close();
        parquet?.close();
        await bus.close();
        // The writer's manifest is the shared one on JetStream: closed once, whichever this process holds.
        (lake?.manifest ?? shared)?.close();
      })();
      return closing;
    },
  };
}
