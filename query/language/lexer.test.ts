import { describe, expect, it } from 'vitest';
import { QueryError } from './errors.js';
import { isNumeric, quoteString, Scanner } from './lexer.js';
import { parseDuration, parseTimestamp } from './time.js';

function tokens(src: string) {
  const s = new Scanner(src, 'gql');
  const out = [];
  for (let t = s.next(); t.kind !== 'eof'; t = s.next()) out.push([t.kind, t.text, t.start, t.end]);
  return out;
}

function lexError(src: string): QueryError {
  try {
    tokens(src);
  } catch (e) {
    if (e instanceof QueryError) return e;
    throw e;
  }
  throw new Error(`no error for ${src}`);
}

describe('scanner', () => {
  it('separates operators with or without whitespace', () => {
    expect(tokens('level=error')).toEqual([['word', 'level', 0, 5], ['op', '=', 5, 6], ['word', 'error', 6, 11]]);
    expect(tokens('a != b <= c >= d !~ e')).toEqual([
      ['word', 'a', 0, 1], ['op', '!=', 2, 4], ['word', 'b', 5, 6], ['op', '<=', 7, 9], ['word', 'c', 10, 11],
      ['op', '>=', 12, 14], ['word', 'd', 15, 16], ['op', '!~', 17, 19], ['word', 'e', 20, 21],
    ]);
  });

  it('unescapes strings and keeps positions in UTF-16 code units', () => {
    const [t] = tokens(String.raw`"a\"b\\c\n\t\u00e9\'"`);
    expect(t).toEqual(['string', 'a"b\\c\n\té\'', 0, 21]);
    expect(tokens('😀 "x"')[1]).toEqual(['string', 'x', 3, 6]);
  });

  it('reads a value in value position, including @ . : and -', () => {
    const s = new Scanner('actor.email=alex@example.com,b | x', 'gql');
    s.next(); s.next();
    expect(s.value()).toMatchObject({ literal: { text: 'alex@example.com', quoted: false }, start: 12, end: 28 });
    expect(s.next().kind).toBe(',');
    expect(s.value()?.literal.text).toBe('b');
    expect(s.next().kind).toBe('|');
  });

  it('marks unquoted null and splits patterns on unescaped stars only', () => {
    const v = (src: string) => new Scanner(src, 'gql').value()!.literal;
    expect(v('NULL')).toEqual({ text: 'NULL', quoted: false, isNull: true });
    expect(v('"null"')).toEqual({ text: 'null', quoted: true });
    expect(v('pay*')).toEqual({ text: 'pay*', quoted: false, pattern: [{ lit: 'pay' }, { star: true }] });
    expect(v(String.raw`"a\*b*"`)).toEqual({ text: 'a*b*', quoted: true, pattern: [{ lit: 'a*b' }, { star: true }] });
    expect(v(String.raw`a\*b`)).toEqual({ text: 'a*b', quoted: false });
  });

  it('rejects ==, a lone !, unknown escapes and unterminated strings with positions', () => {
    expect(lexError('a == b')).toMatchObject({ type: 'VALIDATION_QUERY_SYNTAX', position: 2, end: 4 });
    expect(lexError('a ! b')).toMatchObject({ position: 2, end: 3 });
    expect(lexError(String.raw`"ab\x"`)).toMatchObject({ position: 3, end: 5, details: { found: "'\\x'" } });
    expect(lexError('x "abc')).toMatchObject({ position: 2, end: 6, details: { found: 'end of input' } });
    expect(lexError('`abc')).toMatchObject({ position: 0 });
  });
});

describe('literals', () => {
  it('recognises JSON numbers only', () => {
    for (const n of ['0', '-1', '503', '29.99', '1e3', '-1.5E-2']) expect(isNumeric(n)).toBe(true);
    for (const n of ['007', '1,000', '0x10', 'NaN', '1.', '.5', '+1', '']) expect(isNumeric(n)).toBe(false);
  });

  it('parses durations', () => {
    expect([parseDuration('90s'), parseDuration('15m'), parseDuration('24h'), parseDuration('2w')])
      .toEqual([90, 900, 86_400, 1_209_600]);
    for (const d of ['0h', '1.5h', '5y', '1M', '1h30m', 'h', '-1h']) expect(parseDuration(d)).toBeNull();
  });

  it('parses absolute and relative timestamps', () => {
    const now = new Date('2026-06-15T12:00:00Z');
    expect(parseTimestamp('2026-05-10', now)?.iso).toBe('2026-05-10T00:00:00.000Z');
    expect(parseTimestamp('2026-06-10T10:00', now)?.iso).toBe('2026-06-10T10:00:00.000Z');
    expect(parseTimestamp('2026-06-10T10:00:00+02:00', now)?.iso).toBe('2026-06-10T08:00:00.000Z');
    expect(parseTimestamp('2026-06-10T10:00:00.123456Z', now)?.iso).toBe('2026-06-10T10:00:00.123456Z');
    expect(parseTimestamp('-24h', now)?.iso).toBe('2026-06-14T12:00:00.000Z');
    expect(parseTimestamp('now-7d', now)?.iso).toBe('2026-06-08T12:00:00.000Z');
    expect(parseTimestamp('now', now)?.iso).toBe('2026-06-15T12:00:00.000Z');
    for (const t of ['2026-13-45', '2026-02-30', 'yesterday', '-3x', '2026-06-10T25:00', 'now+1h']) {
      expect(parseTimestamp(t, now)).toBeNull();
    }
  });
});

describe('quoteString', () => {
  it('is read back as exactly one value holding the text, its stars still wildcards', () => {
    for (const text of ['plain', 'say "hi"', 'back\\slash\\', 'a\\*b', "it's", 'x" OR y="z', 'tab\tand\nline', 'pay*', '']) {
      const s = new Scanner(`${quoteString(text)} rest`, 'lcql');
      const v = s.value()!;
      expect(v.literal).toMatchObject({ text, quoted: true });
      expect(s.next()).toMatchObject({ kind: 'word', text: 'rest' });
    }
    expect(new Scanner(quoteString('pay*ment'), 'lcql').value()!.literal.pattern).toEqual([{ lit: 'pay' }, { star: true }, { lit: 'ment' }]);
  });
});
