// The hand-written record check must pass exactly what the zod schema passes, or a record would be
// mapped from a shape the schema refuses, or refused with other words than the schema's.
import { describe, expect, it } from 'vitest';
import type { ApiKey } from '../../../storage/meta/store.js';
import { logtraceConfig } from './config.js';
import { fitsLogRecord, logRecord, toLogRecord } from './items.js';

const base = { level: 'info', message: 'm' };
const bag = { a: 1, b: { c: ['d', null] }, 'ключ': '値' };
const proto = () => JSON.parse('{"__proto__": {"x": 1}, "y": 2}');
const records: Record<string, unknown>[] = [
  base, {}, { ...base, host: 'h', nested: { deep: [1, { x: null }] }, list: [1, 'a'], none: null }, { ...base, environment: 'staging' },
  ...['INFO', 'warning', '', 9, 0, -3.5, JSON.parse('1e400'), null, true, {}, ['info']].map((level) => ({ ...base, level })),
  { message: 'm' }, ...['', '😀', null, 1, ['m'], {}].map((message) => ({ ...base, message })), { level: 'info' },
  ...['timestamp', '@timestamp'].flatMap((k) => ['2025-08-16T10:00:00Z', 'not a time', '', null, 1755338400000, {}].map((v) => ({ ...base, [k]: v }))),
  ...['service', 'trace_id', 'span_id', 'action'].flatMap((k) => ['s', '', null, 1, false, ['s'], {}].map((v) => ({ ...base, [k]: v }))),
  ...[[], ['a', 'b'], ['a', 1], [null], 'a', null, {}, [['a']]].map((tags) => ({ ...base, tags })),
  ...['attributes', 'properties'].flatMap((k) => [bag, {}, null, [], ['a'], 'x', 3, true, proto()].map((v) => ({ ...base, [k]: v }))),
  ...[{ 'service.name': 's', pid: 42, up: true }, {}, null, { n: JSON.parse('1e400') }, { n: null }, { n: {} }, { n: ['a'] }, [], 'x', proto()].map((resource) => ({ ...base, resource })),
  { ...proto(), ...base }, Object.assign(JSON.parse('{"__proto__": 1}'), base),
];

/** An own `"__proto__"` key passes the schema, which copies the record without it: left to the schema. */
const ownProto = (v: Record<string, unknown>) => [v, v.attributes, v.properties, v.resource].some((x) => x !== null && typeof x === 'object' && Object.hasOwn(x, '__proto__'));

describe('LogTrace fast record check', () => {
  it.each(records.map((v) => [JSON.stringify(v), v]))('%s: agrees with the schema', (_, v) => {
    expect(fitsLogRecord(v)).toBe(logRecord.safeParse(v).success && !ownProto(v));
  });
});

describe('toLogRecord', () => {
  const key = { project_id: 'p', environments: null } as unknown as ApiKey;
  const ctx = (max_record_bytes = 64 * 1024) => ({ key, environment: 'production', now: '2026-01-01T00:00:00.000Z', config: logtraceConfig.parse({ max_record_bytes }) });

  it('keeps the sent fields, then attributes, then properties, in that order, the later winning', () => {
    const check = toLogRecord({ z: 1, level: 'info', a: 1, message: 'm', attributes: { a: 2, y: 1 }, properties: { y: 2, b: 1 }, environment: 'staging' }, ctx());
    expect(check.ok && JSON.stringify(check.record.properties)).toBe('{"z":1,"a":2,"y":2,"b":1}');
    expect(check.ok && check.record.environment).toBe('staging');
  });

  it('maps a record the schema copies (an own "__proto__") as the schema gives it', () => {
    const check = toLogRecord(JSON.parse('{"level": "info", "message": "m", "__proto__": {"x": 1}, "attributes": {"__proto__": 1, "a": 1}, "resource": {"__proto__": 1, "pid": 2}}'), ctx());
    expect(check.ok && [JSON.stringify(check.record.properties), JSON.stringify(check.record.resource)]).toEqual(['{"a":1}', '{"pid":"2"}']);
  });

  it('refuses a record over the byte limit with its exact size, whichever check passes it', () => {
    const raw = { ...base, message: '\u0001é'.repeat(40) };
    const exact = Buffer.byteLength(JSON.stringify(raw));
    for (const limit of [exact - 1, exact, exact + 1, 6 * exact]) {
      const check = toLogRecord(raw, ctx(limit));
      if (limit >= exact) expect(check.ok).toBe(true);
      else expect(check).toEqual({ ok: false, message: `record: ${exact} bytes; the limit is ${limit}` });
    }
  });

  it('words a refusal as the schema does', () => {
    expect(toLogRecord({ level: 'info' }, ctx())).toEqual({ ok: false, message: 'message: is required' });
    expect(toLogRecord({ ...base, level: JSON.parse('1e400') }, ctx())).toEqual({ ok: false, message: expect.stringMatching(/^level: /) });
    expect(toLogRecord({ ...base, level: 'loud' }, ctx())).toEqual({ ok: false, message: 'level: must be one of trace, debug, info, warn, error, fatal (got "loud")' });
  });
});
