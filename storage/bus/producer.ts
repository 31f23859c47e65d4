import { v7 as uuidv7 } from 'uuid';
import type { Batch, RecordOf, Table } from '../../core/records.js';
import { encodeColumns } from '../lake/encode.js';
import { hourOf } from '../lake/layout.js';
import { BusUnconfirmedError, type Bus } from './bus.js';

/** NATS refuses messages over its max_payload (1 MiB by default): stay well under it. */
const MAX_MESSAGE_BYTES = 768 * 1024;

interface Part {
  hour: string;
  rows: number;
  data: Buffer;
}

/** Records of one hour as columnar payloads, each under the message size: halved (in as many pieces as the size says) until they fit. */
function encodeHour<T extends Table>(table: T, hour: string, records: RecordOf[T][], out: Part[]): void {
  const data = Buffer.from(encodeColumns(table, records));
  if (data.length <= MAX_MESSAGE_BYTES || records.length === 1) {
    out.push({ hour, rows: records.length, data });
    return;
  }
  const pieces = Math.min(records.length, Math.ceil((data.length * 1.1) / MAX_MESSAGE_BYTES));
  const size = Math.ceil(records.length / pieces);
  for (let i = 0; i < records.length; i += size) encodeHour(table, hour, records.slice(i, i + size), out);
}

/** Rows of one batch as columnar payloads (`encode.ts`), grouped by hour partition and cut to the message size: one bus message per part. */
function parts<T extends Table>(batch: Batch<T>): Part[] {
  const byHour = new Map<string, RecordOf[T][]>();
  for (const record of batch.records as RecordOf[T][]) {
    const hour = hourOf(record.timestamp);
    const records = byHour.get(hour);
    if (records) records.push(record);
    else byHour.set(hour, [record]);
  }
  const out: Part[] = [];
  for (const [hour, records] of byHour) encodeHour(batch.table, hour, records, out);
  return out;
}

export interface PublishOptions {
  /** Publish attempts per message, each with the same de-duplication id. */
  attempts: number;
  /** Time budget for the whole batch: past it the batch is reported unconfirmed. */
  timeoutMs: number;
}

/** `work`, or a BusUnconfirmedError once `ms` have passed; a late rejection is not left unhandled. */
function withinBudget<T>(work: Promise<T>, ms: number, budgetMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BusUnconfirmedError(`the bus did not confirm within ${budgetMs} ms`)), Math.max(0, ms));
  });
  work.catch(() => undefined);
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/**
 * Publishes a batch as one message per part, each retried with the same de-duplication id; resolves once
 * every part is durable on the bus. Any publish failure is a BusUnconfirmedError: a publish that timed
 * out or lost its connection may still have been stored, so nobody may claim it was not.
 */
export async function publishBatch(bus: Bus, batch: Batch, opts: PublishOptions): Promise<void> {
  // A request's own id makes its retries (the client's, and ours below) publish the same message ids.
  const batchId = batch.context.requestId ?? uuidv7();
  const deadline = Date.now() + opts.timeoutMs;
  const publish = async (message: Parameters<Bus['publish']>[0]) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await withinBudget(bus.publish(message), deadline - Date.now(), opts.timeoutMs);
      } catch (err) {
        const backoff = 50 * 2 ** attempt;
        if (attempt >= opts.attempts || Date.now() + backoff >= deadline) {
          throw err instanceof BusUnconfirmedError ? err : new BusUnconfirmedError(`the bus did not confirm: ${(err as Error).message}`, { cause: err });
        }
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
  };
  await Promise.all(
    parts(batch).map((part, i) =>
      publish({
        table: batch.table,
        project: batch.projectId,
        hour: part.hour,
        msgId: `${batchId}.${i}`,
        rows: part.rows,
        data: part.data,
      }),
    ),
  );
}
