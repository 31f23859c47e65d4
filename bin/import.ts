import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { pino } from 'pino';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { TABLES, type Table } from '../core/records.js';
import { busKindOf } from '../storage/bus/select.js';
import { importBatch, newImportEntry, IMPORT_BATCH_BYTES, IMPORT_BATCH_RECORDS, type ImportBatchResult } from '../storage/imports/batch.js';
import { importRecordId, openImportLedger, type ImportEntry } from '../storage/imports/ledger.js';
import { openStorage } from '../storage/storage.js';

export const IMPORT_USAGE = `  loglake import FILE [--table logs|events|alert_events] [--project ID] [--url URL] [--key KEY]
                                load canonical records (JSON array, NDJSON or a dataset object) into a running
                                loglake: through JetStream when the config names it, else through the service's
                                HTTP API (--url, default http://127.0.0.1:<http.port>; --key or LOGLAKE_KEY, a secret
                                GoodLogs key, default the bootstrap key in <data_dir>/bootstrap.json). With the
                                embedded bus and no service running it writes the lake itself. Importing the same
                                file again stores nothing twice: batches the import ledger has are skipped.
`;

/** A JSON array, NDJSON, or a dataset object holding the table's array (`{"logs": [...], ...}`). */
function readRecords(path: string, text: string, table: Table): unknown[] {
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

/** A record the file gives no id gets one from the file's digest and its position: the same on every run. */
function withIds(records: unknown[], digest: string): unknown[] {
  return records.map((r, i) => (r !== null && typeof r === 'object' && !Array.isArray(r) && (r as { id?: unknown }).id === undefined ? { ...r, id: importRecordId(digest, i) } : r));
}

interface Planned {
  index: number;
  /** Position of the batch's first record in the file. */
  start: number;
  records: unknown[];
}

/** Batches of at most 500 records and 1.5 MiB of JSON, cut the same way on every run of the same file. */
function planBatches(records: unknown[]): Planned[] {
  const batches: Planned[] = [];
  let current: Planned | null = null;
  let bytes = 0;
  records.forEach((record, i) => {
    const size = Buffer.byteLength(JSON.stringify(record) ?? 'null') + 1;
    if (!current || current.records.length >= IMPORT_BATCH_RECORDS || (bytes + size > IMPORT_BATCH_BYTES && current.records.length > 0)) {
      current = { index: batches.length, start: i, records: [] };
      batches.push(current);
      bytes = 0;
    }
    current.records.push(record);
    bytes += size;
  });
  return batches;
}

/** Where the batches go: the bus (JetStream, or the import's own writer) or a running service's HTTP API. */
interface Target {
  via: string;
  entry(start: ImportEntry): Promise<ImportEntry | null>;
  send(start: ImportEntry, batch: Planned): Promise<ImportBatchResult>;
  /** Waits until what was sent is stored where that is this process's job, and lets go. */
  close(stored: number): Promise<void>;
}

/** Through the bus; with `writer`, this process writes the lake too (the embedded bus, no service running). */
async function busTarget(config: Config, writer: boolean): Promise<Target> {
  const storage = await openStorage(config, pino({ level: 'warn' }), { writer });
  const ledger = openImportLedger(config, storage.dataDir);
  return {
    via: writer ? `written to the lake by this process (${storage.bus.describe()}; no service was running)` : `published to ${storage.bus.describe()}; the running writer stores them`,
    entry: (start) => ledger.get(start.id),
    send: (start, batch) => importBatch(storage.bus, ledger, start, batch.index, batch.records),
    async close(stored) {
      try {
        while (storage.lake && storage.lake.writer.rowsWritten < stored) await new Promise((r) => setTimeout(r, 100));
      } finally {
        await ledger.close();
        await storage.close();
      }
    },
  };
}

const RETRIES = 5;

interface Answer {
  status: number;
  body: unknown;
}

/** A JSON call to the service; 429, 503 and lost connections are retried (a batch's retry is stored once). */
async function call(url: string, key: string, method: string, body?: unknown): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const answer: Answer = { status: res.status, body: await res.json().catch(() => null) };
      if ((res.status !== 429 && res.status !== 503) || attempt >= RETRIES) return answer;
    } catch (err) {
      if (attempt >= RETRIES) throw new Error(`${method} ${url}: ${(err as Error).message}`, { cause: err });
    }
    await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
  }
}

/** The service's refusal, said without a stack (the CLI prints a ConfigError's message alone). */
function failed(what: string, answer: Answer): Error {
  const message = (answer.body as { error?: { message?: string } } | null)?.error?.message;
  return new ConfigError(`loglake import: ${what}: HTTP ${answer.status}: ${message ?? JSON.stringify(answer.body)}`);
}

/** Through a running service's import routes (`collector/import/plugin.ts`): it publishes and keeps the ledger. */
function httpTarget(base: string, key: string, project: string): Target {
  const route = (digest: string) => `${base}/v1/imports/${digest}`;
  return {
    via: `through the running service at ${base}`,
    async entry(start) {
      const answer = await call(`${route(start.digest)}?table=${start.table}&project=${encodeURIComponent(project)}`, key, 'GET');
      if (answer.status === 404) return null;
      if (answer.status !== 200) throw failed('reading the import ledger', answer);
      return answer.body as ImportEntry;
    },
    async send(start, batch) {
      const answer = await call(`${route(start.digest)}/batches`, key, 'POST', { table: start.table, project, batches: start.batches, index: batch.index, records: batch.records });
      if (answer.status !== 200) throw failed(`batch ${batch.index} (records ${batch.start}–${batch.start + batch.records.length - 1})`, answer);
      return answer.body as ImportBatchResult;
    },
    close: async () => undefined,
  };
}

/** Whether anything answers HTTP at `base`. */
async function answers(base: string): Promise<boolean> {
  try {
    await fetch(`${base}/v1/health`, { signal: AbortSignal.timeout(3000) });
    return true;
  } catch {
    return false;
  }
}

/** The key the import sends: `--key`, LOGLAKE_KEY, or the bootstrap secret key of the data directory. */
function importKey(config: Config, given: string | undefined): string {
  const key = given ?? process.env.LOGLAKE_KEY;
  if (key) return key;
  const path = join(resolve(config.storage.data_dir), 'bootstrap.json');
  const boot = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { keys?: { goodlogs_secret?: string } }) : null;
  if (boot?.keys?.goodlogs_secret) return boot.keys.goodlogs_secret;
  throw new ConfigError(`loglake import: no key to send with: pass --key (a secret GoodLogs key with ingest:write for the project), set LOGLAKE_KEY, or run where ${path} is`);
}

/**
 * `loglake import FILE …`, into a running loglake whatever its bus (see IMPORT_USAGE): JetStream when
 * the config names it (the import publishes and keeps the ledger in KV itself); else the service's HTTP
 * API; else, with nothing answering at the default address, its own writer on the embedded bus (which
 * refuses if a service holds it after all). Idempotent by the import ledger (storage/imports/ledger.ts):
 * records without ids get ids from the file's digest and their position, batches are cut the same way
 * every run and published as `import:<id>:<batch>`, and batches the ledger has acknowledged are skipped.
 */
export async function runImport(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { table: { type: 'string' }, project: { type: 'string' }, url: { type: 'string' }, key: { type: 'string' } },
  });
  const file = positionals[0];
  if (!file) throw new ConfigError(`usage:\n${IMPORT_USAGE}`);
  const table = z.enum(TABLES).parse(values.table ?? 'logs');
  const project = values.project ?? 'default';
  const bytes = readFileSync(file);
  const digest = createHash('sha256').update(bytes).digest('hex');
  const planned = planBatches(withIds(readRecords(file, bytes.toString('utf8'), table), digest));
  const total = planned.reduce((n, b) => n + b.records.length, 0);
  const config = loadConfig();

  let target: Target;
  if (busKindOf(config) === 'jetstream') target = await busTarget(config, false);
  else {
    const base = (values.url ?? `http://127.0.0.1:${config.http.port}`).replace(/\/+$/, '');
    if (await answers(base)) target = httpTarget(base, importKey(config, values.key), project);
    else if (values.url) throw new ConfigError(`loglake import: nothing answers at ${base}: is loglake running there?`);
    else {
      target = await busTarget(config, true).catch((err: Error) => {
        throw /is in use/.test(err.message) ? new ConfigError(`loglake import: a loglake holds ${config.storage.data_dir} but does not answer at ${base}: pass --url`) : err;
      });
    }
  }

  const start = newImportEntry(digest, table, project, planned.length);
  const started = Date.now();
  const bar = new SingleBar({ format: `importing ${table} [{bar}] {percentage}% {value}/{total} records | {rejected} rejected, {skipped} skipped`, stream: process.stderr }, Presets.shades_classic);
  let stored = 0;
  let rejected = 0;
  let skipped = 0;
  const problems: string[] = [];
  try {
    const acked = new Set((await target.entry(start))?.acked ?? []);
    bar.start(total, 0, { rejected, skipped });
    for (const batch of planned) {
      const result = acked.has(batch.index) ? null : await target.send(start, batch);
      if (!result || result.already) skipped += batch.records.length;
      else {
        stored += result.stored;
        rejected += result.rejected;
        for (const e of result.errors) if (problems.length < 10) problems.push(`record ${batch.start + e.index}: ${e.message}`);
      }
      bar.increment(batch.records.length, { rejected, skipped });
    }
  } finally {
    bar.stop();
    await target.close(stored);
  }
  const seconds = (Date.now() - started) / 1000;
  for (const p of problems) process.stderr.write(`rejected ${p}\n`);
  if (rejected > problems.length) process.stderr.write(`… and ${rejected - problems.length} more rejected\n`);
  const already = stored === 0 && rejected === 0 && skipped > 0 ? 'already imported: 0 new records; ' : '';
  process.stdout.write(`${already}${table} from ${file} into project "${project}": ${stored} records stored, ${rejected} rejected, ${skipped} skipped (already imported), ${seconds.toFixed(1)} s; ${target.via}\n`);
}
