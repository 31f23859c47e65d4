// The hand-read shape must give the general reading's answer for every text, or a timestamp would be
// stored (or refused) differently depending on which path read it.
import { describe, expect, it } from 'vitest';
import { parseAnyInstant, parseInstant } from './time.js';

const listed = [
  '2025-08-16T10:00:00Z', '2025-08-16T10:00:00.123Z', '2025-08-16T10:00:00.1Z', '2025-08-16T10:00:00.12Z', '2025-08-16T10:00:00.1239Z',
  '2025-08-16T10:00:00.123456789123Z', '2025-08-16T10:00:00.Z', '2025-08-16T10:00:00.12aZ', '2025-08-16T10:00:00,123Z',
  '2024-02-29T00:00:00Z', '2023-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2000-02-29T00:00:00Z', '0000-02-29T00:00:00Z', '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z', '2025-04-31T00:00:00Z', '2025-12-31T23:59:59Z', '2025-00-10T00:00:00Z', '2025-13-10T00:00:00Z', '2025-01-00T00:00:00Z',
  '2025-01-01T24:00:00Z', '2025-01-01T23:60:00Z', '2025-01-01T23:59:60Z', '2025-01-01t10:00:00z', '2025-01-01 10:00:00Z', '2025-01-01T10:00:00+02:00',
  '2025-01-01T10:00:00.5+0200', '2025-01-01T10:00Z', '2025-01-01T10:00:00', '2025-01-01', '+02025-01-01T10:00:00Z', '2025-1-01T10:00:00Z',
  '２０２５-01-01T10:00:00Z', '2025-01-01T10:00:00ZZ', '', 'Z', 'x'.repeat(24),
];

/** Texts of the hand-read shape with digits anywhere in range and out of it. */
function generated(count: number): string[] {
  let seed = 12;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const two = (max: number) => String(next(max)).padStart(2, '0');
  return Array.from({ length: count }, () => {
    const fraction = next(3) === 0 ? '' : `.${String(next(10 ** 9)).padStart(9, '0').slice(0, 1 + next(9))}`;
    return `${String(next(10000)).padStart(4, '0')}-${two(14)}-${two(33)}T${two(26)}:${two(62)}:${two(62)}${fraction}Z`;
  });
}

describe('parseInstant', () => {
  it.each(listed)('%j: the general reading\'s answer', (text) => {
    expect(parseInstant(text)).toBe(parseAnyInstant(text));
  });

  it('gives the general reading\'s answer on 20,000 generated texts of the canonical shape', () => {
    const texts = generated(20_000);
    expect(texts.filter((t) => parseInstant(t) !== parseAnyInstant(t))).toEqual([]);
    // Both kinds are in the sample: real dates and ones that do not exist.
    expect(texts.some((t) => parseAnyInstant(t) === null) && texts.some((t) => parseAnyInstant(t) !== null)).toBe(true);
  });
});
