import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.js';
import { columnarMessage, logsMessage, unreadableColumnar } from '../../test/helpers/bus-messages.js';
import { waitFor } from '../../test/helpers/ports.js';
import { parquetColumns } from '../../storage/lake/schema.js';
import { openStorage } from '../../storage/storage.js';
import type { BusMessage } from '../../storage/bus/bus.js';
import type { PendingRows } from '../../storage/writer/pending.js';
import { QueryEngine } from './engine.js';
import { PendingTables, type PendingSnapshot } from './pending.js';

const scope = { project: 'default', environments: null };
const always = { from: null, to: null };
// The table's own columns: read_parquet also derives `date` and `hour` from a file's hive-style path, which no query reads.
const columns = parquetColumns('logs').map(([name]) => `"${name}"`).join(', ');

describe("the writer's pending rows in queries of its process", () => {
  it('reads rows before their file is written with the types and values the file then holds, and never a message DuckDB refuses', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'loglake-pending-'));
    // No flush until the writer stops: until then every row read is a pending one.
    const config = configSchema.parse({ storage: { data_dir: dataDir, bus: { kind: 'embedded' }, writer: { flush_interval_ms: 600_000 } } });
    const storage = await openStorage(config, pino({ level: 'silent' }), { writer: true });
    const writer = storage.lake!.writer;
    const engine = new QueryEngine(storage.index!, { timeoutMs: 10_000, maxConcurrent: 2, memoryLimit: '256MB' }, writer.pending);
    await engine.start();
    const read = () => engine.withRelations(scope, ['logs'], always, async (rel) => ({
      types: await rel.all(`SELECT column_name, column_type FROM (DESCRIBE SELECT ${columns} FROM logs)`),
      rows: await rel.all(`SELECT ${columns} FROM logs ORDER BY message`),
      // Statements that name few columns read only those of the staging files (query/engine/columns.ts).
      narrow: await rel.all("SELECT message, service, tags, attrs_num['amount'] AS amount, resource FROM logs WHERE severity_number > 0 ORDER BY message"),
      counted: await rel.all('SELECT * FROM (SELECT service, count(*)::INTEGER AS n FROM logs GROUP BY service) ORDER BY ALL'),
    }));
    try {
      const rich = columnarMessage('columnar', ['a columnar row', 'another columnar row'], (r) => ({
        ...r, service: 'billing', tags: ['x', 'y'], trace_id: 'abc', trace_flags: 1, properties: { amount: 20.5, ok: true, who: 'me', nested: { a: 1 } }, resource: { host: 'h1' },
      }));
      for (const m of [rich, logsMessage('rows', ['an NDJSON row'])]) await storage.bus.publish(m);
      await waitFor('three rows pending', async () => (await read()).rows.length === 3);
      // Read from their staging files.
      const before = await read();
      expect(writer.rowsWritten).toBe(0);
      expect(before.rows.map((r) => r.message)).toEqual(['a columnar row', 'an NDJSON row', 'another columnar row']);
      expect(before.rows[0]).toMatchObject({ service: 'billing', tags: ['x', 'y'], trace_flags: 1, pattern_id: null });
      expect(before.narrow).toEqual(before.rows.map((r) => ({ message: r.message, service: r.service, tags: r.tags, amount: r.message === 'an NDJSON row' ? null : 20.5, resource: r.resource })));
      expect(before.counted).toEqual([{ service: 'billing', n: 2 }, { service: null, n: 1 }]);
      // A staging file DuckDB refuses: the query reads them all converted instead, the refused one as none.
      await storage.bus.publish(unreadableColumnar('bad'));
      await waitFor('the bad message held', async () => (await writer.status()).bufferedMessages === 3);
      expect(await read()).toEqual(before);

      await writer.stop();
      expect(writer.rowsWritten).toBe(3);
      const after = await read();
      expect(after.types).toEqual(before.types);
      expect(after.rows).toEqual(before.rows);
      expect(after.narrow).toEqual(before.narrow);
      expect(after.counted).toEqual(before.counted);
    } finally {
      await engine.close();
      await storage.close();
    }
  });

  it('answers without pending rows where no writer runs beside the engine', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'loglake-pending-none-'));
    const config = configSchema.parse({ storage: { data_dir: dataDir, bus: { kind: 'embedded' }, writer: { flush_interval_ms: 600_000 } } });
    const storage = await openStorage(config, pino({ level: 'silent' }), { writer: true });
    const engine = new QueryEngine(storage.index!, { timeoutMs: 10_000, maxConcurrent: 2, memoryLimit: '256MB' });
    await engine.start();
    try {
      await storage.bus.publish(columnarMessage('one', ['held by the writer']));
      await waitFor('the message held', async () => (await storage.lake!.writer.status()).bufferedMessages === 1);
      const count = await engine.withRelations(scope, ['logs'], always, (rel) => rel.all('SELECT count(*)::INTEGER AS n FROM logs'));
      expect(count).toEqual([{ n: 0 }]);
    } finally {
      await engine.close();
      await storage.close();
    }
  });

  it('reads a message from its staging file or its table, never both, and keeps what a running query reads until it is done', async () => {
    const messages = [1, 2, 3, 4].map((seq): BusMessage => ({ ...columnarMessage(`m${seq}`, [`row ${seq}a`, `row ${seq}b`]), seq, ack: async () => undefined }));
    const live = new Set([1, 2]);
    const rows: PendingRows = { pending: () => messages.filter((m) => live.has(m.seq)), isPending: (m) => live.has(m.seq) };
    const db = await DuckDBInstance.create(':memory:');
    const tables = PendingTables.create(db, rows);
    const conn = await db.connect();
    const rowsOf = async (s: PendingSnapshot) => (await conn.runAndReadAll(`SELECT message FROM (${tables.relation(s)}) ORDER BY message`)).getRowObjectsJS().map((r) => r.message);
    const next = async (convert = false) => {
      const s = tables.snapshot('default', 'logs', null, null);
      await tables.prepare(s, convert);
      return s;
    };
    try {
      // Read from staging files: nothing converted yet.
      const first = await next();
      expect(tables.readsFiles(first)).toBe(true);
      expect(await rowsOf(first)).toEqual(['row 1a', 'row 1b', 'row 2a', 'row 2b']);
      // Message 3 arrives and a query converts them all; then message 1 is in a file of the lake.
      live.add(3);
      const second = await next(true);
      expect(tables.readsFiles(second)).toBe(false);
      live.delete(1);
      expect(await rowsOf(second)).toEqual(['row 1a', 'row 1b', 'row 2a', 'row 2b', 'row 3a', 'row 3b']);
      // The first query still reads its staging files, though its messages are converted now (once, not twice).
      const third = await next();
      expect(await rowsOf(first)).toEqual(['row 1a', 'row 1b', 'row 2a', 'row 2b']);
      expect(await rowsOf(third)).toEqual(['row 2a', 'row 2b', 'row 3a', 'row 3b']);
      // Once no query holds message 1, the next conversion deletes its rows.
      for (const s of [first, second, third]) tables.release(s);
      live.add(4);
      tables.release(await next(true));
      const left = async () => (await conn.runAndReadAll('SELECT DISTINCT seq FROM _pending_logs ORDER BY seq')).getRowObjectsJS().map((r) => Number(r.seq));
      await waitFor("message 1's rows deleted", async () => (await left())[0] === 2);
      expect(await left()).toEqual([2, 3, 4]);
    } finally {
      conn.closeSync();
      await tables.close();
      db.closeSync();
    }
  });
});
