import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.js';
import { DuckDBInstance } from '@duckdb/node-api';
import { BAD_TIMESTAMP, columnarMessage, logsMessage as logs, mend, publishAhead, timestamp, unreadable, unreadableColumnar } from '../../test/helpers/bus-messages.js';
import { lakeValues } from '../../test/helpers/lake.js';
import { waitFor } from '../../test/helpers/ports.js';
import { DeadLetters, rowsOf } from '../dead-letters/dead-letters.js';
import { isColumnar } from '../lake/encode.js';
import { hourOf } from '../lake/layout.js';
import { openStorage } from '../storage.js';

describe('the writer and a message DuckDB cannot read', () => {
  it('stores every good message of the partition once, dead-letters only the bad ones, and keeps going', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'loglake-writer-dead-'));
    const config = configSchema.parse({ storage: { data_dir: dataDir, bus: { kind: 'embedded' }, writer: { flush_interval_ms: 200 } } });
    const bad = [unreadable('bad-1'), unreadable('bad-2')];
    const good = Array.from({ length: 6 }, (_, i) => logs(`good-${i}`, [`good ${i}a`, `good ${i}b`]));
    // One partition, one flush: the bad messages sit among the good ones.
    await publishAhead(config, [good[0], good[1], bad[0], good[2], good[3], good[4], bad[1], good[5]]);

    const storage = await openStorage(config, pino({ level: 'silent' }), { writer: true });
    const writer = storage.lake!.writer;
    const dead = new DeadLetters(join(dataDir, 'dead-letter'));
    const stored = async () => (await lakeValues(dataDir, 'default', 'logs', 'message')).ids;
    try {
      await waitFor('the good rows in the lake', async () => writer.rowsWritten >= 12);
      await waitFor('both bad messages in the dead letters', async () => (await dead.list()).length === 2);
      const letters = await dead.list();
      expect(letters.map((l) => l.msgId).sort()).toEqual(['bad-1', 'bad-2']);
      expect(letters[0]).toMatchObject({ table: 'logs', project: 'default', hour: hourOf(timestamp), rows: 2 });
      expect(letters[0].reasons[0]).toMatch(/invalid timestamp/);
      expect((await dead.read(letters[0].id))!.data.equals(Buffer.from(bad.find((b) => b.msgId === letters[0].msgId)!.data))).toBe(true);

      await storage.bus.publish(logs('after', ['after the bad ones']));
      await waitFor('a later message stored', async () => (await stored()).get('after the bad ones') === 1);
      const ids = await stored();
      for (let i = 0; i < 6; i++) for (const half of 'ab') expect(ids.get(`good ${i}${half}`)).toBe(1);
      expect([...ids.keys()].some((m) => m.startsWith('bad-'))).toBe(false);
      expect(ids.size).toBe(13);
      await waitFor('every message acked', async () => (await writer.status()).ackPending === 0);
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

  it('writes NDJSON rows (the older bus format) and columnar payloads of one flush alike, and finds a bad columnar message by halves', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'loglake-writer-formats-'));
    const config = configSchema.parse({ storage: { data_dir: dataDir, bus: { kind: 'embedded' }, writer: { flush_interval_ms: 200 } } });
    const texts = (i: number) => [`text ${i}a`, `text ${i}b`, `text ${i}c`];
    const old = Array.from({ length: 3 }, (_, i) => logs(`rows-${i}`, texts(i)));
    const columnar = Array.from({ length: 3 }, (_, i) => columnarMessage(`columns-${i}`, texts(i)));
    expect(columnar.every((m) => isColumnar(m.data)) && !old.some((m) => isColumnar(m.data))).toBe(true);
    // One partition, one flush: the formats interleaved, a bad columnar message among them.
    await publishAhead(config, [old[0], columnar[0], old[1], unreadableColumnar('bad-columns'), columnar[1], old[2], columnar[2]]);

    const storage = await openStorage(config, pino({ level: 'silent' }), { writer: true });
    const dead = new DeadLetters(join(dataDir, 'dead-letter'));
    try {
      await waitFor('the good rows in the lake', async () => storage.lake!.writer.rowsWritten >= 18);
      await waitFor('the bad message in the dead letters', async () => (await dead.list()).length === 1);
      // Kept as the rows it holds, one a line, to be read and mended like any other.
      const [letter] = await dead.list();
      expect(letter).toMatchObject({ msgId: 'bad-columns', rows: 2, hour: hourOf(timestamp) });
      expect(letter.reasons[0]).toMatch(/invalid timestamp/);
      const kept = (await dead.read(letter.id))!.data;
      expect(isColumnar(kept)).toBe(false);
      const lines = kept.toString('utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain(BAD_TIMESTAMP);
      // What `loglake dead-letters replay` publishes once it is mended.
      const data = Buffer.from(mend(kept.toString('utf8')));
      await storage.bus.publish({ table: 'logs', project: 'default', hour: letter.hour, msgId: 'replayed', rows: rowsOf(data), data });
      await waitFor('the replayed rows', async () => storage.lake!.writer.rowsWritten >= 20);
    } finally {
      await storage.close();
    }

    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      // Every column but the id (each message's own) and the observed time (when its record was made).
      const read = await conn.runAndReadAll(`SELECT * EXCLUDE (id, observed_timestamp) FROM read_parquet('${join(dataDir, 'lake', 'default', 'logs')}/**/*.parquet') ORDER BY message`);
      const rows = read.getRowsJson().map((r) => JSON.stringify(r));
      expect(rows).toHaveLength(20);
      // After the two replayed rows, each text once from a message of each format, the rows the same.
      for (let i = 2; i < 20; i += 2) expect(rows[i + 1]).toBe(rows[i]);
      const messages = (await conn.runAndReadAll(`SELECT message FROM read_parquet('${join(dataDir, 'lake', 'default', 'logs')}/**/*.parquet') ORDER BY message`)).getRows().map(([m]) => m);
      expect(messages.slice(0, 2)).toEqual(['bad-columns bad', 'bad-columns fine']);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});
