import { readFileSync } from 'node:fs';
import { SingleBar, Presets } from 'cli-progress';
import { pino } from 'pino';
import { z } from 'zod';
import { loadConfig } from '../config/load.js';
import { parseCanonical } from '../core/canonical.js';
import { TABLES, type Table } from '../core/records.js';
import { publishBatch } from '../storage/bus/producer.js';
import { openStorage } from '../storage/storage.js';
import { selectBus } from '../storage/bus/select.js';

const BATCH = 500;

/** A JSON array, NDJSON, or a dataset object holding the table's array (`{"logs": [...], ...}`). */
function readRecords(path: string, table: Table): unknown[] {
  const text = readFileSync(path, 'utf8');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) return JSON.parse(text) as unknown[];
  if (trimmed.startsWith('{')) {
    try {
      const whole = JSON.parse(text) as Record<string, unknown>;
      if (Array.isArray(whole[table])) return whole[table] as unknown[];
      return [whole];
    } catch {
      // not one document: NDJSON
    }
  }
  return text.split('\n').filter((l) => l.trim() !== '').map((l, i) => {
    try {
      return JSON.parse(l) as unknown;
    } catch {
      throw new Error(`${path}:${i + 1}: not valid JSON`);
    }
  });
}

/**
 * `loglake import FILE --table T [--project ID]`: validates every record first (nothing is sent if one is
 * bad), then publishes 500-record batches through the bus; with the embedded bus this process also runs
 * the writer until everything is in the lake.
 */
export async function runImport(file: string | undefined, tableArg: string | undefined, project = 'default'): Promise<void> {
  if (!file) throw new Error('usage: loglake import FILE --table logs|events|alert_events [--project ID]');
  const table = z.enum(TABLES).parse(tableArg ?? 'logs');
  const raw = readRecords(file, table);
  const records = raw.map((r, i) => {
    try {
      return parseCanonical(table, r, project);
    } catch (err) {
      const detail = err instanceof z.ZodError ? err.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ') : String(err);
      throw new Error(`record ${i}: ${detail}`);
    }
  });
  const config = loadConfig();
  // Another process may be writing from JetStream and owns the lake; the embedded bus is ours alone.
  const probe = selectBus(config);
  const ownWriter = probe.kind === 'embedded';
  const storage = await openStorage(config, pino({ level: 'warn' }), { writer: ownWriter });
  const bar = new SingleBar({ format: `importing ${table} [{bar}] {percentage}% {value}/{total} records`, stream: process.stderr }, Presets.shades_classic);
  bar.start(records.length, 0);
  const started = Date.now();
  try {
    for (let i = 0; i < records.length; i += BATCH) {
      const chunk = records.slice(i, i + BATCH);
      await publishBatch(storage.bus, { table, projectId: project, records: chunk, context: { receiver: 'import' } }, { attempts: 3, timeoutMs: 60_000 });
      bar.increment(chunk.length);
    }
    while (storage.lake && storage.lake.writer.rowsWritten < records.length) await new Promise((r) => setTimeout(r, 100));
  } finally {
    bar.stop();
    await storage.close();
  }
  const seconds = (Date.now() - started) / 1000;
  const where = ownWriter ? 'written to the lake' : 'published; the running loglake writer stores them';
  process.stdout.write(`imported ${records.length} ${table} records into project "${project}" in ${seconds.toFixed(1)} s: ${where} (${storage.bus.describe()})\n`);
}
