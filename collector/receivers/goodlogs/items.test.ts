// The hand-written item checks must pass exactly what the zod schemas pass, or an item would be mapped
// from a shape the schema refuses (or words a rejection the schema would not give).
import { describe, expect, it } from 'vitest';
import { eventItem, fitsEventItem, fitsLogItem, logItem } from './items.js';

const bag = { a: 1, b: { c: 'd' } };
const logs: unknown[] = [
  { severity: 'info' }, { severity: 9 }, { severity: null }, { severity: true }, {}, null, [], 'info', 7,
  { severity: 'info', message: null }, { severity: 'info', message: 5 }, { severity: 'info', service: {} },
  { severity: 'info', action: null, trace_id: null, span_id: 'x' }, { severity: 'info', span_id: 1 },
  { severity: 'info', tags: ['a', 'b'] }, { severity: 'info', tags: null }, { severity: 'info', tags: ['a', 1] }, { severity: 'info', tags: 'a' },
  { severity: 'info', id: 'x' }, { severity: 'info', id: null }, { severity: 'info', id: 5 },
  { severity: 'info', timestamp: 5 }, { severity: 'info', timestamp: '2026' }, { severity: 'info', timestamp: null }, { severity: 'info', observed_timestamp: {} },
  { severity: 'info', environment: 'staging' }, { severity: 'info', environment: null },
  { severity: 'info', properties: bag }, { severity: 'info', properties: null }, { severity: 'info', properties: [] }, { severity: 'info', properties: 'x' },
  { severity: 'info', resource: bag }, { severity: 'info', resource: [1] },
  ...['metadata', 'context', 'code_location', 'actor', 'target'].flatMap((k) => [{ severity: 'info', [k]: bag }, { severity: 'info', [k]: null }, { severity: 'info', [k]: 'x' }, { severity: 'info', [k]: [] }]),
  { severity: 'info', unknown: { anything: true } },
  // JSON's 1e400 parses to Infinity, which zod's numbers refuse.
  { severity: Infinity }, { severity: 'info', timestamp: Infinity }, { severity: 'info', observed_timestamp: -Infinity }, { severity: NaN },
];
const events: unknown[] = [
  { event: 'signup' }, { event: '' }, { event: 5 }, { event: null }, {}, null, [],
  { event: 'e', distinctId: 'u' }, { event: 'e', distinctId: 5 }, { event: 'e', distinctId: null }, { event: 'e', distinctId: true },
  { event: 'e', distinct_id: 'u' }, { event: 'e', distinct_id: {} },
  { event: 'e', properties: bag }, { event: 'e', properties: [] }, { event: 'e', id: null }, { event: 'e', timestamp: false }, { event: 'e', environment: 1 },
  { event: 'e', distinctId: Infinity }, { event: 'e', timestamp: Infinity },
];

describe('GoodLogs item checks', () => {
  it.each(logs.map((v) => [JSON.stringify(v), v]))('log item %s: the fast check agrees with the schema', (_, v) => {
    expect(fitsLogItem(v)).toBe(logItem.safeParse(v).success);
  });

  it.each(events.map((v) => [JSON.stringify(v), v]))('event item %s: the fast check agrees with the schema', (_, v) => {
    expect(fitsEventItem(v)).toBe(eventItem.safeParse(v).success);
  });
});
