// The row encoder is hand-written for speed; these hold its literals to the table declaration.
import { describe, expect, it } from 'vitest';
import type { RecordOf, Table } from '../../core/records.js';
import { columnsOf } from '../../core/tables.js';
import { encodeRow } from './encode.js';

const base = { id: 'r1', project_id: 'p1', environment: 'production', timestamp: '2026-06-15T12:00:00.000Z' };
const properties = { plan: 'pro', amount: 29.99, beta: true };

// Every column set (no nulls), so a column the encoder forgets shows as a missing key.
const FULL: { [T in Table]: RecordOf[T] } = {
  logs: {
    ...base, observed_timestamp: '2026-06-15T12:00:01.000Z', severity: 'error', severity_number: 17, message: 'm',
    service: 's', action: 'a', tags: ['t'], trace_id: 'tr', span_id: 'sp', trace_flags: 1, properties,
    resource: { 'host.name': 'h' }, receiver: 'test',
  },
  events: { ...base, observed_timestamp: '2026-06-15T12:00:01.000Z', event: 'signup', distinct_id: 'u1', properties },
  alert_events: { id: 'a1', project_id: 'p1', timestamp: base.timestamp, alert_id: 'al', alert_name: 'n', state: 'firing', value: 4, threshold: 3 },
};

describe('encodeRow', () => {
  it.each(Object.keys(FULL) as Table[])('writes exactly the declared %s columns, in file order', (table) => {
    const row = JSON.parse(encodeRow(table, FULL[table] as never)) as Record<string, unknown>;
    expect(Object.keys(row)).toEqual(columnsOf(table).map((c) => c.name));
    for (const value of Object.values(row)) expect(value).not.toBeNull();
  });

  it('splits properties into the typed maps', () => {
    const row = JSON.parse(encodeRow('events', FULL.events));
    expect([row.attrs_str, row.attrs_num, row.attrs_bool]).toEqual([{ plan: 'pro' }, { amount: 29.99 }, { beta: true }]);
  });
});
