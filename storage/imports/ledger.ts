import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import type { Config } from '../../config/schema.js';
import type { Table } from '../../core/records.js';
import { busKindOf } from '../bus/select.js';
import { bucketName } from '../kv/names.js';

/**
 * The import ledger: what `loglake import` has made durable of each file, so that importing the same file
 * again stores nothing twice however long after. The bus's msgId window only covers retries (minutes);
 * the ledger covers the rest. One entry per (file content, table, project); a batch is acknowledged in it
 * only after the bus confirmed its messages, so a crash between the two re-sends that batch with the same
 * message ids, which the bus de-duplicates within its window.
 *
 * Where it lives follows the bus: on JetStream a KV bucket `<stream>-imports` (lower case) (any process reaches it); on
 * the embedded bus one JSON file an import under `<data_dir>/imports/`, kept by whichever process owns the
 * data directory (the running service, which the import reaches over HTTP, or the import itself when no
 * service runs).
 */
export interface ImportEntry {
  /** `importId(digest, table, project)`. */
  id: string;
  /** sha256 of the file's bytes. */
  digest: string;
  table: Table;
  project: string;
  /** How many batches the file makes. */
  batches: number;
  /** Indexes of the batches whose records are durable on the bus. */
  acked: number[];
  /** Records stored and records rejected, over the acknowledged batches. */
  records: number;
  rejected: number;
  started_at: string;
  /** When the last batch was acknowledged; null while some are not. */
  done_at: string | null;
}

export interface ImportLedger {
  get(id: string): Promise<ImportEntry | null>;
  put(entry: ImportEntry): Promise<void>;
  close(): Promise<void>;
  describe(): string;
}

/** An import's key: the same file into the same table of the same project is the same import. */
export function importId(digest: string, table: Table, project: string): string {
  return createHash('sha256').update(`${digest}\0${table}\0${project}`).digest('hex').slice(0, 40);
}

/** The message-id prefix of one batch: its retries, and a re-run's, publish the same ids. */
export function importBatchKey(id: string, index: number): string {
  return `import:${id}:${index}`;
}

/**
 * A record's id when the file gives none: a UUID (version 8, RFC 9562's custom form) from the file's digest
 * and the record's position, so a re-run gives it the same id.
 */
export function importRecordId(digest: string, position: number): string {
  const h = createHash('sha256').update(`${digest}:${position}`).digest();
  h[6] = 0x80 | (h[6] & 0x0f);
  h[8] = 0x80 | (h[8] & 0x3f);
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** The entry with batch `index` acknowledged (once: acknowledging it again changes nothing). */
export function acknowledged(entry: ImportEntry, index: number, stored: number, rejected: number, now = new Date()): ImportEntry {
  if (entry.acked.includes(index)) return entry;
  const acked = [...entry.acked, index].sort((a, b) => a - b);
  return {
    ...entry,
    acked,
    records: entry.records + stored,
    rejected: entry.rejected + rejected,
    done_at: acked.length >= entry.batches ? now.toISOString() : null,
  };
}

const ID = /^[0-9a-f]{40}$/;

/** One JSON file an import, replaced atomically on each acknowledgement. */
export class FileImportLedger implements ImportLedger {
  constructor(private readonly dir: string) {}

  private path(id: string): string {
    if (!ID.test(id)) throw new Error(`not an import id: ${id}`);
    return join(this.dir, `${id}.json`);
  }

  async get(id: string): Promise<ImportEntry | null> {
    try {
      return JSON.parse(readFileSync(this.path(id), 'utf8')) as ImportEntry;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async put(entry: ImportEntry): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const path = this.path(entry.id);
    writeFileSync(`${path}.tmp`, `${JSON.stringify(entry)}\n`);
    renameSync(`${path}.tmp`, path);
  }

  async close(): Promise<void> {}

  describe(): string {
    return `import ledger in ${this.dir}`;
  }
}

/** A JetStream KV bucket, created if missing; connects on first use. */
export class KvImportLedger implements ImportLedger {
  private opened: Promise<{ nc: NatsConnection; kv: KV }> | null = null;

  constructor(private readonly url: string, readonly bucket: string) {}

  private open() {
    this.opened ??= (async () => {
      const nc = await connect({ servers: this.url.split(',').map((s) => s.trim()).filter(Boolean), name: 'loglake-imports' });
      try {
        return { nc, kv: await new Kvm(nc).create(this.bucket, { history: 1 }) };
      } catch (err) {
        await nc.close();
        throw err;
      }
    })();
    this.opened.catch(() => {
      this.opened = null;
    });
    return this.opened;
  }

  async get(id: string): Promise<ImportEntry | null> {
    const { kv } = await this.open();
    const entry = await kv.get(id);
    return entry && entry.operation === 'PUT' ? (entry.json() as ImportEntry) : null;
  }

  async put(entry: ImportEntry): Promise<void> {
    const { kv } = await this.open();
    await kv.put(entry.id, JSON.stringify(entry));
  }

  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = null;
    if (opened) await (await opened.catch(() => null))?.nc.drain();
  }

  describe(): string {
    return `import ledger in KV bucket ${this.bucket} at ${this.url}`;
  }
}

/** The KV bucket of a JetStream bus's imports: named after its stream, so two deployments on one NATS keep apart. */
export function importBucket(config: Config): string {
  return bucketName(config.storage.bus.stream, 'imports');
}

/** The ledger where this config's bus keeps it. */
export function openImportLedger(config: Config, dataDir: string): ImportLedger {
  if (busKindOf(config) === 'jetstream') return new KvImportLedger(config.storage.bus.nats_url ?? '127.0.0.1:4222', importBucket(config));
  return new FileImportLedger(join(dataDir, 'imports'));
}
