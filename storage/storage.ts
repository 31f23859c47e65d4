import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Bus } from './bus/bus.js';
import { selectBus } from './bus/select.js';
import { Manifest, type LakeFile, type LakeIndex } from './lake/manifest.js';
import { ManifestReader } from './lake/manifest-reader.js';
import { ParquetWriter } from './lake/parquet.js';
import { Writer } from './writer/writer.js';
import { Compactor } from './lake/compaction.js';
import type { SchemaCatalog } from './catalog/catalog.js';
import { openCatalog } from './catalog/kv-catalog.js';
import { CatalogUpdater } from './catalog/updater.js';
import { StatsReader } from './catalog/stats.js';

/** How often a reading process looks for the writer's commits while a live tail listens. */
const READER_POLL_MS = 250;

/** Where the lake lies: `storage.lake_dir`, else `<data_dir>/lake`. */
export function lakeDirOf(config: Config): string {
  return resolve(config.storage.lake_dir ?? join(config.storage.data_dir, 'lake'));
}

export interface Storage {
  dataDir: string;
  lakeDir: string;
  bus: Bus;
  /** The lake's manifest and its writer: only in a process that writes the lake. */
  lake: { manifest: Manifest; writer: Writer; compactor: Compactor | null } | null;
  /** The live files queries read: the writer's manifest, or, in a process that only reads, the manifest followed. */
  index: LakeIndex | null;
  /** The discovered schema; kept up to date by the writer's process, readable in any. */
  catalog: SchemaCatalog;
  /**
   * Tells listeners of every file the writer commits, as it commits it (the live tail listens). Only the
   * process that writes the lake hears anything.
   */
  onCommitted(listener: (files: LakeFile[]) => void): () => void;
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
  let updater: CatalogUpdater | null = null;
  const listeners = new Set<(files: LakeFile[]) => void>();
  if (opts.writer) {
    mkdirSync(lakeDir, { recursive: true });
    const manifest = new Manifest(lakeDir);
    manifest.open();
    parquet = await ParquetWriter.create();
    updater = new CatalogUpdater(catalog, await StatsReader.create(), logger.child({ component: 'catalog' }));
    const feed = updater;
    const w = config.storage.writer;
    const writer = new Writer(bus, manifest, parquet, {
      lakeDir,
      stagingDir: join(dataDir, 'staging'),
      deadLetterDir: join(dataDir, 'dead-letter'),
      durable: config.storage.bus.consumer,
      flushIntervalMs: w.flush_interval_ms,
      maxBufferedRows: w.max_buffered_rows,
      maxPendingMessages: w.max_pending_messages,
      onCommitted: (files) => {
        feed.committed(files.map((file) => ({ file, path: manifest.absolute(file.path) })));
        for (const listener of listeners) listener(files);
      },
    }, logger.child({ component: 'writer' }));
    await writer.start();
    const c = config.storage.compaction;
    let compactor: Compactor | null = null;
    if (c.enabled) {
      compactor = new Compactor(manifest, await ParquetWriter.create(), { lakeDir, intervalMs: c.interval_ms, minFiles: c.min_files, targetRows: c.target_rows, retentionDays: c.retention_days, deleteGraceMs: c.delete_grace_ms }, logger.child({ component: 'compaction' }));
      compactor.start();
    }
    lake = { manifest, writer, compactor };
  }
  // A reader hears of commits as it reads them: the live tail works on a query node too.
  const reader = !lake && opts.reader ? new ManifestReader(lakeDir, (files) => { for (const listener of listeners) listener(files); }) : null;
  const index: LakeIndex | null = lake?.manifest ?? reader;
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
        lake?.manifest.close();
      })();
      return closing;
    },
  };
}
