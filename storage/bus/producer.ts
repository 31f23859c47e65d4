import { v7 as uuidv7 } from 'uuid';
import type { Batch, RecordOf, Table } from '../../core/records.js';
import { encodeRow } from '../lake/encode.js';
import { hourOf } from '../lake/layout.js';
import { BusUnconfirmedError, type Bus } from './bus.js';

/** NATS refuses messages over its max_payload (1 MiB by default): stay well under it. */
const MAX_MESSAGE_BYTES = 768 * 1024;

interface Part {
  hour: string;
  lines: string[];
  bytes: number;
}

/** Rows of one batch as NDJSON, grouped by hour partition and cut to the message size: one bus message per part. */
function parts<T extends Table>(batch: Batch<T>): Part[] {
  const open = new Map<string, Part>();
  const done: Part[] = [];
  for (const record of batch.records as RecordOf[T][]) {
    const hour = hourOf(record.timestamp);
    const line = encodeRow(batch.table, record);
    const bytes = Buffer.byteLength(line) + 1;
    let part = open.get(hour);
    if (part && part.bytes + bytes > MAX_MESSAGE_BYTES) {
      done.push(part);
      part = undefined;
    }
    if (!part) open.set(hour, (part = { hour, lines: [], bytes: 0 }));
    part.lines.push(line);
    part.bytes += bytes;
  }
  return [...done, ...open.values()];
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
    parts(batch).map(({ hour, lines }, i) =>
      publish({
        table: batch.table,
        project: batch.projectId,
        hour,
        msgId: `${batchId}.${i}`,
        rows: lines.length,
        data: Buffer.from(`${lines.join('\n')}\n`),
      }),
    ),
  );
}
