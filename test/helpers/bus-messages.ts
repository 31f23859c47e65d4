import { randomUUID } from 'node:crypto';
import type { Config } from '../../config/schema.js';
import { parseCanonical } from '../../core/canonical.js';
import type { OutgoingMessage } from '../../storage/bus/bus.js';
import { selectBus } from '../../storage/bus/select.js';
import type { LogRecord, Table } from '../../core/records.js';
import { columnsToRows, encodeColumns, encodeRow, isColumnar, parseColumns } from '../../storage/lake/encode.js';
import { hourOf } from '../../storage/lake/layout.js';

/** Every row here has this timestamp, so every message lands in one partition: this hour's of project "default". */
export const timestamp = new Date().toISOString();

/** A logs bus message of one row per text (the row's `message`), in staging form. */
export function logsMessage(msgId: string, messages: string[], transform = (line: string) => line): OutgoingMessage {
  const lines = messages.map((message) => transform(encodeRow('logs', parseCanonical('logs', { id: randomUUID(), timestamp, message, severity: 'info' }, 'default'))));
  return { table: 'logs', project: 'default', hour: hourOf(timestamp), msgId, rows: lines.length, data: Buffer.from(`${lines.join('\n')}\n`) };
}

/** The same as `logsMessage`, in the columnar bus format the producer publishes; `alter` may change a record first. */
export function columnarMessage(msgId: string, messages: string[], alter = (record: LogRecord) => record): OutgoingMessage {
  const records = messages.map((message) => alter(parseCanonical('logs', { id: randomUUID(), timestamp, message, severity: 'info' }, 'default')));
  return { table: 'logs', project: 'default', hour: hourOf(timestamp), msgId, rows: records.length, data: Buffer.from(encodeColumns('logs', records)) };
}

/** The staged rows a bus payload of either format holds, parsed. */
export function payloadRows(table: Table, data: Uint8Array): Record<string, unknown>[] {
  const lines = isColumnar(data) ? columnsToRows(table, parseColumns(data)) : Buffer.from(data).toString().split('\n').filter((l) => l.trim() !== '');
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** What makes DuckDB's read_json refuse a row of the logs table's columns, and how to mend it. */
export const BAD_TIMESTAMP = '"timestamp":"yesterday"';
export const mend = (data: string) => data.replaceAll(BAD_TIMESTAMP, `"timestamp":"${timestamp}"`);

/** A message of two rows, "<msgId> fine" and "<msgId> bad", whose second row's timestamp is not one. */
export const unreadable = (msgId: string) =>
  logsMessage(msgId, [`${msgId} fine`, `${msgId} bad`], (line) => (line.includes(' bad"') ? line.replace(`"timestamp":"${timestamp}"`, BAD_TIMESTAMP) : line));

/** `unreadable`, columnar: its second row's timestamp is not one. */
export const unreadableColumnar = (msgId: string) =>
  columnarMessage(msgId, [`${msgId} fine`, `${msgId} bad`], (r) => (r.message!.endsWith(' bad') ? { ...r, timestamp: 'yesterday' } : r));

/** Publishes straight onto the embedded bus with no writer running, so that a writer started next finds them all at once. */
export async function publishAhead(config: Config, messages: OutgoingMessage[]): Promise<void> {
  const bus = selectBus(config);
  await bus.start();
  try {
    for (const m of messages) await bus.publish(m);
  } finally {
    await bus.close();
  }
}
