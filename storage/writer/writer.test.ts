import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../../config/schema.js';
import { parseCanonical } from '../../core/canonical.js';
import { lakeValues } from '../../test/helpers/lake.js';
import type { OutgoingMessage } from '../bus/bus.js';
import { selectBus } from '../bus/select.js';
import { DeadLetters } from '../dead-letters/dead-letters.js';
import { encodeRow } from '../lake/encode.js';
import { hourOf } from '../lake/layout.js';
import { openStorage } from '../storage.js';

const timestamp = new Date().toISOString();

const rowsOf = (messages: string[]) => messages.map((message) => encodeRow('logs', parseCanonical('logs', { id: randomUUID(), timestamp, message, severity: 'info' }, 'default')));

/** One bus message of these rows in this hour's partition of project "default". */
function message(msgId: string, lines: string[]): OutgoingMessage {
  return { table: 'logs', project: 'default', hour: hourOf(timestamp), msgId, rows: lines.length, data: Buffer.from(`${lines.join('\n')}\n`) };
}

const logs = (msgId: string, messages: string[]) => message(msgId, rowsOf(messages));

/** A message whose second row DuckDB's read_json cannot take as the logs table's columns. */
const unreadable = (msgId: string) => message(msgId, [...rowsOf([`${msgId} fine`]), ...rowsOf([`${msgId} bad`]).map((l) => l.replace(`"timestamp":"${timestamp}"`, '"timestamp":"yesterday"'))]);

async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; !(await check()); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Publishes straight onto the embedded bus with no writer running, so that the writer finds them all at once. */
async function publishAhead(config: Config, messages: OutgoingMessage[]): Promise<void> {
  const bus = selectBus(config);
  await bus.start();
  try {
    for (const m of messages) await bus.publish(m);
  } finally {
    await bus.close();
  }
}

describe('the writer and a message DuckDB cannot read', () => {
  it('stores every good message of the partition once, dead-letters only the bad ones, and keeps going', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'loglake-writer-dead-'));
    const config = configSchema.parse({ storage: { data_dir: dataDir, bus: { kind: 'embedded' }, writer: { flush_interval_ms: 200 } } });
    const bad = [unreadable('bad-1'), unreadable('bad-2')];
    expect(bad[0].data.toString()).toContain('"timestamp":"yesterday"');
    const good = Array.from({ length: 6 }, (_, i) => logs(`good-${i}`, [`good ${i}a`, `good ${i}b`]));
    // One partition, one flush: the bad messages sit among the good ones.
    await publishAhead(config, [good[0], good[1], bad[0], good[2], good[3], good[4], bad[1], good[5]]);

    const storage = await openStorage(config, pino({ level: 'silent' }), { writer: true });
    const writer = storage.lake!.writer;
    const dead = new DeadLetters(join(dataDir, 'dead-letter'));
    const stored = async () => (await lakeValues(dataDir, 'default', 'logs', 'message')).ids;
    try {
      await until('the good rows in the lake', async () => writer.rowsWritten >= 12);
      await until('both bad messages in the dead letters', async () => (await dead.list()).length === 2);
      const letters = await dead.list();
      expect(letters.map((l) => l.msgId).sort()).toEqual(['bad-1', 'bad-2']);
      expect(letters[0]).toMatchObject({ table: 'logs', project: 'default', hour: hourOf(timestamp), rows: 2 });
      expect(letters[0].reasons[0]).toMatch(/invalid timestamp/);
      expect((await dead.read(letters[0].id))!.data.equals(Buffer.from(bad.find((b) => b.msgId === letters[0].msgId)!.data))).toBe(true);

      await storage.bus.publish(logs('after', ['after the bad ones']));
      await until('a later message stored', async () => (await stored()).get('after the bad ones') === 1);
      const ids = await stored();
      for (let i = 0; i < 6; i++) for (const half of 'ab') expect(ids.get(`good ${i}${half}`)).toBe(1);
      expect([...ids.keys()].some((m) => m.startsWith('bad-'))).toBe(false);
      expect(ids.size).toBe(13);
      await until('every message acked', async () => (await writer.status()).ackPending === 0);
      expect(await writer.status()).toMatchObject({ flushError: null, bufferedMessages: 0 });
    } finally {
      await storage.close();
    }

    // Acked, every one: a restarted writer is handed nothing again.
    const again = await openStorage(config, pino({ level: 'silent' }), { writer: true });
    try {
      await new Promise((r) => setTimeout(r, 500));
      expect(await again.lake!.writer.status()).toMatchObject({ undelivered: 0, ackPending: 0 });
      expect(again.lake!.writer.rowsWritten).toBe(0);
    } finally {
      await again.close();
    }
    expect((await stored()).size).toBe(13);
    expect(await dead.list()).toHaveLength(2);
  });
});
