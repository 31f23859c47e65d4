// The hand-written log check must pass exactly what the zod schema passes (with the same instant), or a
// log would be stored from a shape the schema refuses, or refused with other words than the schema's.
import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../../core/time.js';
import type { ApiKey } from '../../../storage/meta/store.js';
import { logtrailConfig } from './config.js';
import { checkLog, createLogRequest, fastInstant } from './items.js';

const base = { action: 'a', level: 'info', clientTimestamp: '2025-08-16T10:00:00Z' };
const bag = { a: 1, b: { c: ['d', null] }, 'ключ': '値' };
const logs: Record<string, unknown>[] = [
  base, {}, { ...base, extra: { anything: [1] } }, { ...base, environment: 'staging' },
  { level: 'info', clientTimestamp: base.clientTimestamp }, { ...base, action: null }, { ...base, action: 5 }, { ...base, action: '' }, { ...base, action: '😀' },
  ...['trace', 'debug', 'warn', 'error', 'fatal', 'INFO', 'warning', '', null, 3, ['info']].map((level) => ({ ...base, level })),
  ...['2025-08-16T10:00:00.123Z', '2025-08-16t10:00:00z', '2025-08-16 10:00:00+02:00', '2025-08-16T10:00:00.5-01:30', '2025-08-16T10:00Z', '2025-08-16T10:00:00',
    '2025-08-16', '2023-02-29T00:00:00Z', '2025-01-01T24:00:00Z', '', null, 1755338400000, {}].map((clientTimestamp) => ({ ...base, clientTimestamp })),
  { action: 'a', level: 'info' },
  ...[undefined, 'm', '', null, 1, ['m'], { m: 1 }].map((message) => ({ ...base, message })),
  ...[[], ['a', 'b'], ['a', 1], [null], 'a', null, {}, [['a']]].map((tags) => ({ ...base, tags })),
  ...['actor', 'target', 'context', 'metadata'].flatMap((k) =>
    [bag, {}, null, [], ['a'], 'x', 3, true, JSON.parse('{"__proto__": {"x": 1}, "y": 2}')].map((v) => ({ ...base, [k]: v }))),
];

/** A record holding its own `"__proto__"` passes the schema, which copies it without that key: left to the schema. */
const ownProto = (v: Record<string, unknown>) => Object.values(v).some((x) => x !== null && typeof x === 'object' && Object.hasOwn(x, '__proto__'));

describe('Logtrail fast log check', () => {
  it.each(logs.map((v) => [JSON.stringify(v), v]))('%s: agrees with the schema', (_, v) => {
    const parsed = createLogRequest.safeParse(v);
    expect(fastInstant(v) !== null).toBe(parsed.success && !ownProto(v));
    if (fastInstant(v) !== null) expect(fastInstant(v)).toBe(parseInstant(v.clientTimestamp as string));
  });
});

describe('checkLog', () => {
  const key = { project_id: 'p', environments: null } as unknown as ApiKey;
  const ctx = (max_log_bytes = 64 * 1024) => ({ key, now: '2026-01-01T00:00:00.000Z', config: logtrailConfig.parse({ max_log_bytes }) });

  it('maps a record the schema copies (an own "__proto__") as the schema gives it', () => {
    const raw = JSON.parse('{"action": "a", "level": "info", "clientTimestamp": "2025-08-16T10:00:00Z", "actor": {"__proto__": {"x": 1}, "id": "u"}}');
    const check = checkLog(raw, null, ctx());
    expect(check.ok && JSON.stringify(check.record.properties)).toBe('{"actor":{"id":"u"}}');
  });

  it('refuses a log over the byte limit with its exact size, whichever check passes it', () => {
    const log = { ...base, message: '\u0001é'.repeat(40) };
    const exact = Buffer.byteLength(JSON.stringify(log));
    for (const limit of [exact - 1, exact, exact + 1, 6 * exact]) {
      const check = checkLog(log, 3, ctx(limit));
      if (limit >= exact) expect(check.ok).toBe(true);
      else expect(check).toEqual({ ok: false, warnings: [], problems: [{ code: 'VALIDATION_FAILED', field: 'log', message: `is ${exact} bytes; the limit is ${limit}`, log_index: 3 }] });
    }
  });

  it('lists the size, environment and schema problems of one log in that order', () => {
    const log = { ...base, level: 'loud', environment: 'moon', message: 'x'.repeat(100), note: 1 };
    const check = checkLog(log, 0, ctx(50));
    expect(check.ok).toBe(false);
    expect(!check.ok && check.problems.map((p) => p.field)).toEqual(['log', 'environment', 'level']);
    expect(check.warnings).toEqual(['log 0: field "note" is not part of a log and is ignored']);
  });
});
