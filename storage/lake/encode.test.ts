// The row encoder is hand-written for speed; these hold its literals to the table declaration.
import { describe, expect, it } from 'vitest';
import type { RecordOf, Table } from '../../core/records.js';
import { columnsOf } from '../../core/tables.js';
import { columnsToRows, encodeColumns, encodeRow, isColumnar, parseColumns } from './encode.js';

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

describe('encodeColumns', () => {
  const logs = (n: number) => Array.from({ length: n }, (_, i) => ({ ...FULL.logs, id: `r${i}`, message: i % 2 ? null : `m${i}`, tags: i % 3 ? [] : ['t'], trace_id: null }));

  it.each(Object.keys(FULL) as Table[])('holds the same %s rows as encodeRow, one line, marked', (table) => {
    const records = [FULL[table], { ...FULL[table], id: 'r2' }] as never[];
    const data = Buffer.from(encodeColumns(table, records));
    expect(isColumnar(data)).toBe(true);
    expect(data.toString().indexOf('\n')).toBe(data.length - 1);
    expect(columnsToRows(table, parseColumns(data))).toEqual(records.map((r) => encodeRow(table, r)));
  });

  it('writes a column the same in every row once, lists the others and the id, and leaves out what no row has', () => {
    const records = logs(6);
    const columns = parseColumns(Buffer.from(encodeColumns('logs', records)));
    expect(columns.n).toBe(6);
    expect(columns.k).toMatchObject({ project_id: 'p1', environment: 'production', observed_timestamp: FULL.logs.observed_timestamp, receiver: 'test' });
    // The typed maps are made afresh for each row, so they are listed even when alike (compared by identity, not value).
    expect(Object.keys(columns.l).sort()).toEqual(['attrs_bool', 'attrs_num', 'attrs_str', 'id', 'message', 'tags']);
    expect(columns.l.message).toEqual(['m0', null, 'm2', null, 'm4', null]);
    expect(columns.l.tags).toEqual([['t'], null, null, ['t'], null, null]);
    expect('trace_id' in columns.k || 'trace_id' in columns.l).toBe(false);
    expect(columnsToRows('logs', columns)).toEqual(records.map((r) => encodeRow('logs', r)));
    // One row: everything is "the same", but the id is still a list, which says how many rows there are.
    expect(parseColumns(Buffer.from(encodeColumns('logs', logs(1)))).l.id).toEqual(['r0']);
  });

  it('tells NDJSON rows from a columnar payload', () => {
    expect(isColumnar(Buffer.from(`${encodeRow('logs', FULL.logs)}\n`))).toBe(false);
    expect(isColumnar(Buffer.from(''))).toBe(false);
  });
});
