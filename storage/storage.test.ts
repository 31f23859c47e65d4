import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { parseCanonical } from '../core/canonical.js';
import { publishBatch } from './bus/producer.js';
import { lakeDirOf, openStorage } from './storage.js';

function parquetUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('.parquet'));
}

describe('storage.lake_dir', () => {
  it('defaults to <data_dir>/lake and follows LOGLAKE_LAKE_DIR', () => {
    expect(lakeDirOf(loadConfig({ LOGLAKE_DATA_DIR: '/srv/node-a' }, undefined))).toBe('/srv/node-a/lake');
    expect(lakeDirOf(loadConfig({ LOGLAKE_DATA_DIR: '/srv/node-a', LOGLAKE_LAKE_DIR: '/mnt/lake' }, undefined))).toBe('/mnt/lake');
  });

  it('puts the Parquet files and the manifest there, and nothing under the data dir', async () => {
    const root = mkdtempSync(join(tmpdir(), 'loglake-lakedir-'));
    const dataDir = join(root, 'node');
    const lakeDir = join(root, 'shared-lake');
    const config = loadConfig({ LOGLAKE_DATA_DIR: dataDir, LOGLAKE_LAKE_DIR: lakeDir, LOGLAKE_BUS: 'embedded' }, undefined);
    const storage = await openStorage(config, pino({ level: 'silent' }), { writer: true });
    try {
      const records = [parseCanonical('logs', { id: randomUUID(), timestamp: new Date().toISOString(), message: 'to the shared lake', severity: 'info' }, 'default')];
      await publishBatch(storage.bus, { table: 'logs', projectId: 'default', records, context: { receiver: 'test' } }, { attempts: 1, timeoutMs: 5000 });
      const deadline = Date.now() + 10_000;
      while (storage.lake!.writer.rowsWritten < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await storage.close();
    }
    expect(parquetUnder(join(lakeDir, 'default', 'logs'))).toHaveLength(1);
    expect(existsSync(join(lakeDir, '_manifest', 'snapshot.json'))).toBe(true);
    expect(existsSync(join(dataDir, 'lake'))).toBe(false);
  });
});
