import { z } from 'zod';
import { parseCanonical } from '../../core/canonical.js';
import type { RecordOf, Table } from '../../core/records.js';
import type { Bus } from '../bus/bus.js';
import { publishBatch } from '../bus/producer.js';
import { acknowledged, importBatchKey, importId, type ImportEntry, type ImportLedger } from './ledger.js';

/** A batch of an import: at most this many records, as the GoodLogs API takes. */
export const IMPORT_BATCH_RECORDS = 500;
/** …and at most this much JSON, under the 2 MB a request may carry. */
export const IMPORT_BATCH_BYTES = 1536 * 1024;

export interface ImportBatchResult {
  stored: number;
  rejected: number;
  /** Why records were rejected, by their index in the batch (at most 50). */
  errors: { index: number; message: string }[];
  /** The ledger had the batch already: nothing was published. */
  already: boolean;
}

/** What a record's problem says: the fields at fault. */
export function recordProblem(err: unknown): string {
  return err instanceof z.ZodError ? err.issues.map((x) => `${x.path.join('.') || 'record'}: ${x.message}`).join('; ') : String((err as Error)?.message ?? err);
}

/** The ledger entry a new import starts from. */
export function newImportEntry(digest: string, table: Table, project: string, batches: number): ImportEntry {
  return { id: importId(digest, table, project), digest, table, project, batches, acked: [], records: 0, rejected: 0, started_at: new Date().toISOString(), done_at: null };
}

/**
 * One batch of an import, wherever it runs (the import's own process on JetStream or with its own writer,
 * the service's import route on the embedded bus): every record checked with parseCanonical, the good
 * ones published under the batch's key (`import:<id>:<index>`), then the batch acknowledged in the ledger.
 * A batch the ledger has already is not published again.
 */
export async function importBatch(
  bus: Bus,
  ledger: ImportLedger,
  start: ImportEntry,
  index: number,
  raw: unknown[],
  /** A further check of each parsed record (the sender's key may not write everywhere): throws to refuse the whole batch. */
  check: (record: RecordOf[Table], index: number) => void = () => undefined,
): Promise<ImportBatchResult & { entry: ImportEntry }> {
  const current = (await ledger.get(start.id)) ?? start;
  if (current.acked.includes(index)) return { stored: 0, rejected: 0, errors: [], already: true, entry: current };
  const records: RecordOf[Table][] = [];
  const errors: ImportBatchResult['errors'] = [];
  raw.forEach((r, i) => {
    let record: RecordOf[Table];
    try {
      record = parseCanonical(start.table, r, start.project);
    } catch (err) {
      errors.push({ index: i, message: recordProblem(err) });
      return;
    }
    check(record, i);
    records.push(record);
  });
  if (records.length > 0) {
    await publishBatch(bus, { table: start.table, projectId: start.project, records: records as never, context: { receiver: 'import', requestId: importBatchKey(start.id, index) } }, { attempts: 3, timeoutMs: 60_000 });
  }
  const entry = acknowledged(current, index, records.length, errors.length);
  await ledger.put(entry);
  return { stored: records.length, rejected: errors.length, errors: errors.slice(0, 50), already: false, entry };
}
