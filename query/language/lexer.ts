// Lexical rules of spec section 5, shared by gql, lcql and kql. The scanner is driven by the parser
// because the same characters lex differently in value position (after an operator) and elsewhere.
import type { Dialect, Literal, PatternPart } from './ast.js';
import { at, errorAt, syntaxError, type ExpectedKind, type QueryError } from './errors.js';

export type OpText = ':' | '=' | '!=' | '~' | '!~' | '@' | '<' | '>' | '<=' | '>=';

export type Token =
  | { kind: 'word'; text: string; start: number; end: number }
  | { kind: 'string'; text: string; pattern?: PatternPart[]; start: number; end: number }
  | { kind: 'backquoted'; text: string; start: number; end: number }
  | { kind: 'op'; text: OpText; start: number; end: number }
  | { kind: '(' | ')' | ',' | '|' | 'eof'; text: string; start: number; end: number };

export interface ValueToken { literal: Literal; start: number; end: number }

const WS = /[ \t\r\n]/;
const WORD_STOP = new Set([...' \t\r\n"\'`(),|:=!<>~@']);
const VALUE_STOP = new Set([...' \t\r\n"\'`(),|']);
const FIELD_TOKEN = /^[A-Za-z_$][A-Za-z0-9_$.-]*$/;
const JSON_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

export function isFieldToken(text: string): boolean {
  return FIELD_TOKEN.test(text);
}

export function isNumeric(text: string): boolean {
  return JSON_NUMBER.test(text);
}

export function isBooleanText(text: string): boolean {
  const lower = text.toLowerCase();
  return lower === 'true' || lower === 'false';
}

/**
 * `text` as one double-quoted value, the inverse of reading one: a value built from user input cannot
 * end the string or start another term. Its `*` stay wildcards where the operator takes patterns (10.4).
 */
export function quoteString(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Splits on unescaped '*' while building the unescaped text (section 10.4). */
class PatternBuilder {
  text = '';
  private parts: PatternPart[] = [];
  private current = '';
  private starred = false;

  literal(s: string): void { this.text += s; this.current += s; }

  star(): void {
    this.text += '*';
    if (this.current) this.parts.push({ lit: this.current });
    this.current = '';
    this.parts.push({ star: true });
    this.starred = true;
  }

  pattern(): PatternPart[] | undefined {
    if (!this.starred) return undefined;
    return this.current ? [...this.parts, { lit: this.current }] : this.parts;
  }
}

export function describe(tok: Token): string {
  if (tok.kind === 'eof') return 'end of input';
  if (tok.kind === 'string') return `string "${tok.text}"`;
  return `'${tok.text}'`;
}

export class Scanner {
  pos = 0;

  constructor(readonly src: string, readonly dialect: Dialect) {}

  private fail(message: string, position: number, end: number, found: string): never {
    throw syntaxError(at(message, position), {
      position, end, expected: [], details: { dialect: this.dialect, found },
    });
  }

  skipWs(): void {
    while (this.pos < this.src.length && WS.test(this.src[this.pos])) this.pos++;
  }

  /** Token at the current position without consuming it. */
  peek(): Token {
    const save = this.pos;
    try { return this.next(); } finally { this.pos = save; }
  }

  next(): Token {
    this.skipWs();
    const start = this.pos;
    const src = this.src;
    if (start >= src.length) return { kind: 'eof', text: '', start, end: start };
    const c = src[start];
    if (c === '"' || c === "'") {
      const b = this.quoted(c);
      return { kind: 'string', text: b.text, pattern: b.pattern(), start, end: this.pos };
    }
    if (c === '`') {
      const b = this.quoted('`');
      return { kind: 'backquoted', text: b.text, start, end: this.pos };
    }
    if (c === '(' || c === ')' || c === ',' || c === '|') {
      this.pos++;
      return { kind: c, text: c, start, end: this.pos };
    }
    const op = this.operatorAt(start);
    if (op) {
      this.pos = start + op.length;
      return { kind: 'op', text: op, start, end: this.pos };
    }
    let end = start;
    while (end < src.length && !WORD_STOP.has(src[end])) end++;
    this.pos = end;
    return { kind: 'word', text: src.slice(start, end), start, end };
  }

  /** The operator starting exactly at `i`, or null. Rejects `==` and a lone `!` (section 5). */
  private operatorAt(i: number): OpText | null {
    const c = this.src[i];
    const d = this.src[i + 1];
    if (c === '!') {
      if (d === '=' || d === '~') return `!${d}` as OpText;
      this.fail("Unexpected '!' (use != or !~)", i, i + 1, "'!'");
    }
    if (c === '<' || c === '>') return (d === '=' ? `${c}=` : c) as OpText;
    if (c === '=') {
      if (d === '=') this.fail("'==' is not an operator (use = or :)", i, i + 2, "'=='");
      return '=';
    }
    if (c === ':' || c === '~' || c === '@') return c;
    return null;
  }

  /** True when, after optional whitespace from `i`, an operator starts (used to tell fields from free text). */
  operatorFollows(i: number): boolean {
    while (i < this.src.length && WS.test(this.src[i])) i++;
    const c = this.src[i];
    return c === ':' || c === '=' || c === '~' || c === '@' || c === '<' || c === '>' ||
      (c === '!' && (this.src[i + 1] === '=' || this.src[i + 1] === '~'));
  }

  /**
   * Value position (right after an operator or a scope keyword): a quoted string or the longest run of
   * characters that are not whitespace, quotes, parentheses, ',' or '|'. Null when no value starts here.
   */
  value(): ValueToken | null {
    this.skipWs();
    const start = this.pos;
    const src = this.src;
    if (start >= src.length) return null;
    const c = src[start];
    if (c === '"' || c === "'") {
      const b = this.quoted(c);
      const literal: Literal = { text: b.text, quoted: true };
      const pattern = b.pattern();
      if (pattern) literal.pattern = pattern;
      return { literal, start, end: this.pos };
    }
    if (c === '`') this.fail('A back-quoted field is not a value', start, start + 1, "'`'");
    if (VALUE_STOP.has(c)) return null;
    const b = new PatternBuilder();
    let i = start;
    while (i < src.length && !VALUE_STOP.has(src[i])) {
      if (src[i] === '\\' && src[i + 1] === '*') { b.literal('*'); i += 2; continue; }
      if (src[i] === '*') b.star(); else b.literal(src[i]);
      i++;
    }
    this.pos = i;
    const literal: Literal = { text: b.text, quoted: false };
    if (b.text.toLowerCase() === 'null') literal.isNull = true;
    const pattern = b.pattern();
    if (pattern) literal.pattern = pattern;
    return { literal, start, end: i };
  }

  /** Reads a quoted string or back-quoted field starting at `this.pos` (which holds the quote). */
  private quoted(quote: string): PatternBuilder {
    const src = this.src;
    const start = this.pos;
    const b = new PatternBuilder();
    let i = start + 1;
    for (;;) {
      if (i >= src.length) {
        const what = quote === '`' ? 'back-quoted field' : 'string';
        this.fail(`Unterminated ${what} starting`, start, src.length, 'end of input');
      }
      const c = src[i];
      if (c === quote) { this.pos = i + 1; return b; }
      if (c === '*' && quote !== '`') { b.star(); i++; continue; }
      if (c !== '\\') { b.literal(c); i++; continue; }
      const e = src[i + 1];
      if (e === '\\' || e === '"' || e === "'" || (e === '`' && quote === '`')) b.literal(e);
      else if (e === '*') b.literal('*');
      else if (e === 'n') b.literal('\n');
      else if (e === 't') b.literal('\t');
      else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
        b.literal(String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16)));
        i += 6;
        continue;
      } else {
        const bad = e === undefined ? '\\' : `\\${e}`;
        this.fail(`Unknown escape '${bad}'`, i, Math.min(i + 2, src.length), `'${bad}'`);
      }
      i += 2;
    }
  }
}

/** A syntax error pointing at `tok`, with the section 15 `found` detail. */
export function tokenError(dialect: Dialect, tok: Token, message: string, expected: ExpectedKind[]): QueryError {
  return errorAt('VALIDATION_QUERY_SYNTAX', { start: tok.start, end: tok.end }, message,
    { dialect, found: describe(tok) }, expected);
}

/** A missing value right after `after` (an operator or keyword). */
export function missingValue(s: Scanner, after: string, expected: ExpectedKind[]): QueryError {
  s.skipWs();
  const tok = s.peek();
  return tokenError(s.dialect, { ...tok, end: tok.kind === 'eof' ? tok.start : tok.end },
    `Expected ${expected[0] === 'value' ? 'a value' : `a ${expected[0]}`} after '${after}'`, expected);
}
