import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCanonical } from '../../core/canonical.js';
import type { LogRecord } from '../../core/records.js';
import { columnsToRows, encodeRow, isColumnar, parseColumns } from '../lake/encode.js';
import { hourOf } from '../lake/layout.js';
import type { Bus, OutgoingMessage } from './bus.js';
import { publishBatch } from './producer.js';

const published: OutgoingMessage[] = [];
const bus = { publish: async (m: OutgoingMessage) => void published.push(m) } as Bus;

describe('publishBatch', () => {
  it('publishes one columnar message per hour, cut under 768 KiB, holding every row once in order', async () => {
    const hours = ['2026-06-15T10:59:59.000Z', '2026-06-15T11:00:00.000Z'];
    // 2,400 rows of ~1 KiB in two hours: each hour's payload is over the cut.
    const records = Array.from({ length: 2400 }, (_, i) =>
      parseCanonical('logs', { id: randomUUID(), timestamp: hours[i % 2], severity: 'info', message: `${i} ${'x'.repeat(1000)}` }, 'p1', 'test'),
    );
    published.length = 0;
    await publishBatch(bus, { table: 'logs', projectId: 'p1', records, context: { receiver: 'test', requestId: 'req' } }, { attempts: 1, timeoutMs: 5000 });
    expect(published.length).toBeGreaterThanOrEqual(4);
    expect(new Set(published.map((m) => m.msgId)).size).toBe(published.length);
    for (const m of published) {
      expect(isColumnar(m.data)).toBe(true);
      expect(m.data.length).toBeLessThanOrEqual(768 * 1024);
      expect(parseColumns(m.data).n).toBe(m.rows);
    }
    for (const hour of hours.map(hourOf)) {
      const lines = published.filter((m) => m.hour === hour).flatMap((m) => columnsToRows('logs', parseColumns(m.data)));
      expect(lines).toEqual((records as LogRecord[]).filter((r) => hourOf(r.timestamp) === hour).map((r) => encodeRow('logs', r)));
    }
  });

  it('publishes a record over the cut alone, as the row format did', async () => {
    const record = parseCanonical('logs', { id: randomUUID(), timestamp: '2026-06-15T10:00:00.000Z', severity: 'info', message: 'y'.repeat(800 * 1024) }, 'p1', 'test');
    published.length = 0;
    await publishBatch(bus, { table: 'logs', projectId: 'p1', records: [record, { ...record, id: randomUUID() }], context: { receiver: 'test' } }, { attempts: 1, timeoutMs: 5000 });
    expect(published.map((m) => m.rows)).toEqual([1, 1]);
  });
});
