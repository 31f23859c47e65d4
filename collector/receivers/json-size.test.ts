// The bound may overestimate (then the caller measures exactly), never underestimate: a record over the
// limit would be let through.
import { describe, expect, it } from 'vitest';
import { jsonBytesAtMost } from './json-size.js';

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));
const worst = [
  'plain', '', '"\\', '\u0000\u0001\u001f', '\ud800', '\udfff\ud800', '😀', 'é', '\u2028', 'é'.repeat(100), '\u0007'.repeat(50),
  0, -0, 1e21, -1.2345678901234567e-308, -0.0000012345678901234567, -123456789012345680000, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, NaN,
  true, false, null, [], {}, [null, 1, 'a'], { a: 1 }, { '\u0001': '\ud800' }, { 'ключ': ['値', { deep: [[['x']]] }] },
  { action: 'a', level: 'info', clientTimestamp: '2025-08-16T10:00:00Z', tags: ['x'], actor: { id: 'u_1' }, metadata: { n: 1.5, ok: true, none: null } },
];

describe('jsonBytesAtMost', () => {
  it.each(worst.map((v) => [JSON.stringify(v), v]))('%s: never under the exact size', (_, v) => {
    const exact = bytes(v);
    for (let limit = 0; limit <= exact + 1; limit++) if (jsonBytesAtMost(v, limit)) expect(exact).toBeLessThanOrEqual(limit);
    // Within 6 bytes a UTF-16 unit and 25 a number, with room for the punctuation.
    expect(jsonBytesAtMost(v, 25 + 8 * JSON.stringify(v).length)).toBe(true);
  });

  it('leaves what JSON.parse never makes, and deep nesting, to the exact measure', () => {
    expect(jsonBytesAtMost({ at: new Date() }, 1e6)).toBe(false);
    expect(jsonBytesAtMost({ gone: undefined }, 1e6)).toBe(false);
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(jsonBytesAtMost(deep, 1e6)).toBe(false);
  });

  it('answers for a log far under or over the limit', () => {
    const log = { message: 'x'.repeat(1000), nested: { list: Array.from({ length: 100 }, (_, i) => i) } };
    expect(jsonBytesAtMost(log, 64 * 1024)).toBe(true);
    expect(jsonBytesAtMost(log, 500)).toBe(false);
  });
});
