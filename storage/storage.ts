import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Bus } from './bus/bus.js';
import { selectBus } from './bus/select.js';
import { Manifest } from './lake/manifest.js';
import { ParquetWriter } from './lake/parquet.js';
import { Writer } from './writer/writer.js';

export interface Storage {
  dataDir: string;
  bus: Bus;
  manifest: Manifest;
  writer: Writer | null;
  /** Stops the writer (final flush and ack), then closes the bus and the manifest. */
  close(): Promise<void>;
}

/** The bus, the lake's manifest and (unless told otherwise) a running writer, from config. */
export async function openStorage(config: Config, logger: Logger, opts: { writer: boolean } = { writer: true }): Promise<Storage> {
  const dataDir = resolve(config.storage.data_dir);
  const lakeDir = join(dataDir, 'lake');
  mkdirSync(lakeDir, { recursive: true });
  const bus = selectBus(config);
  await bus.start();
  const manifest = new Manifest(lakeDir);
  manifest.open();
  const parquet = opts.writer ? await ParquetWriter.create() : null;
  const w = config.storage.writer;
  const writer = parquet && new Writer(bus, manifest, parquet, {
    lakeDir,
    stagingDir: join(dataDir, 'staging'),
    deadLetterDir: join(dataDir, 'dead-letter'),
    durable: config.storage.bus.consumer,
    flushIntervalMs: w.flush_interval_ms,
    maxBufferedRows: w.max_buffered_rows,
    maxPendingMessages: w.max_pending_messages,
  }, logger.child({ component: 'writer' }));
  await writer?.start();
  let closing: Promise<void> | null = null;
  return {
    dataDir,
    bus,
    manifest,
    writer,
    close() {
      closing ??= (async () => {
        await writer?.stop();
        parquet?.close();
        await bus.close();
        manifest.close();
      })();
      return closing;
    },
  };
}
