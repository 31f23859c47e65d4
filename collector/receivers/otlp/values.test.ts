import { describe, expect, it } from 'vitest';
import { fromKeyValues, microsOf } from './values.js';

describe('OTLP values', () => {
  it('turns unsigned nanoseconds into the same whole microseconds as BigInt does, in every form', () => {
    const samples = [0n, 999n, 1000n, 1_764_700_000_123_456_789n, 1_764_700_000_123_456_999n, 4_294_967_295n, 4_294_967_296n, 9_000_000_000_000_000_000n];
    for (let i = 0; i < 1000; i++) samples.push(BigInt(Math.floor(Math.random() * 2 ** 30)) * 4_294_967_296n + BigInt(Math.floor(Math.random() * 2 ** 32)));
    for (const nanos of samples) {
      const long = { high: Number(nanos >> 32n) | 0, low: Number(nanos & 0xffffffffn) | 0 };
      expect(microsOf(long)).toBe(Number(nanos / 1000n));
      expect(microsOf(nanos.toString())).toBe(Number(nanos / 1000n));
    }
    expect(microsOf(null)).toBe(0);
  });

  it('keeps a __proto__ attribute as a plain key, and the later of two duplicates', () => {
    const out = fromKeyValues([{ key: '__proto__', value: { value: 'stringValue', stringValue: 'x' } }, { key: 'a', value: { value: 'boolValue', boolValue: true } }, { key: 'a', value: { value: 'stringValue', stringValue: 'b' } }]);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'a']);
    expect(out.a).toBe('b');
    expect(JSON.stringify(out)).toBe('{"__proto__":"x","a":"b"}');
  });
});
