// KQL-style filters, the LogTrace dialect (spec section 8): `field:value`, ranges, and/or/not with
// parentheses. Juxtaposition is AND (unlike Lucene), to match the other dialects.
import type { Expr, Query } from './ast.js';
import type { ExpectedKind } from './errors.js';
import { resolveField } from './fields.js';
import { describe, isFieldToken, missingValue, Scanner, tokenError, type Token } from './lexer.js';
import { buildComparison, textTerm, type PredicateContext, type SurfaceOp, type ValueIn } from './predicates.js';
import { boundedInteger, type RequestParams } from './request-params.js';
import { logSearch } from './log-search.js';

export const KQL_DEFAULT_LIMIT = 100;

const RANGE_OPS: Partial<Record<string, SurfaceOp>> = { '<': 'lt', '>': 'gt', '<=': 'lte', '>=': 'gte' };
const KEYWORDS = new Set(['and', 'or', 'not']);

export function parseKql(text: string, params: RequestParams, now: Date): Query {
  const s = new Scanner(text, 'kql');
  const ctx: PredicateContext = { source: 'logs', now, dialect: 'kql' };

  function err(t: Token, message: string, expected: ExpectedKind[]): never {
    throw tokenError('kql', t, message, expected);
  }
  const isKeyword = (t: Token, kw?: string): boolean =>
    t.kind === 'word' && (kw ? t.text.toLowerCase() === kw : KEYWORDS.has(t.text.toLowerCase()));

  function orExpr(): Expr {
    const args = [andExpr()];
    while (isKeyword(s.peek(), 'or')) {
      s.next();
      args.push(andExpr());
    }
    return args.length === 1 ? args[0] : { op: 'or', args };
  }

  function andExpr(): Expr {
    const args = [notExpr()];
    for (;;) {
      const t = s.peek();
      if (t.kind === 'eof' || t.kind === ')' || isKeyword(t, 'or')) break;
      if (isKeyword(t, 'and')) s.next();
      args.push(notExpr());
    }
    return args.length === 1 ? args[0] : { op: 'and', args };
  }

  function notExpr(): Expr {
    if (isKeyword(s.peek(), 'not')) {
      s.next();
      return { op: 'not', arg: notExpr() };
    }
    return primary();
  }

  function primary(): Expr {
    const t = s.next();
    if (t.kind === '(') {
      const inner = orExpr();
      const close = s.next();
      if (close.kind !== ')') err(close, `Expected ')', found ${describe(close)}`, [')']);
      return inner;
    }
    if (t.kind === 'string') {
      if (s.operatorFollows(t.end)) err(t, 'A quoted string cannot be a field (use back-quotes)', ['field']);
      return textTerm(ctx, t.text, { start: t.start, end: t.end });
    }
    if (t.kind === 'backquoted') return comparison(t);
    if (t.kind === 'word' && !isKeyword(t)) {
      if (s.operatorFollows(t.end)) {
        if (!isFieldToken(t.text)) err(t, `Invalid field name '${t.text}'`, ['field']);
        return comparison(t);
      }
      return textTerm(ctx, t.text, { start: t.start, end: t.end });
    }
    err(t, `Expected a filter term, found ${describe(t)}`, ['field', 'value', '(']);
  }

  function readValue(after: string): ValueIn {
    const v = s.value();
    if (!v) throw missingValue(s, after, ['value']);
    return { literal: v.literal, where: { start: v.start, end: v.end } };
  }

  /** `field:(a or b)`: a parenthesised value group separated by `or`. */
  function valueGroup(): ValueIn[] {
    s.next();
    const values = [readValue('(')];
    for (;;) {
      const t = s.next();
      if (t.kind === ')') return values;
      if (!isKeyword(t, 'or')) err(t, `Expected 'or' or ')', found ${describe(t)}`, ['keyword', ')']);
      values.push(readValue(t.text));
    }
  }

  function comparison(f: Token): Expr {
    const opTok = s.next();
    const field = resolveField(f.text, 'logs');
    const fieldWhere = { start: f.start, end: f.end };
    if (opTok.kind === 'op' && opTok.text === ':') {
      s.skipWs();
      const values = s.peek().kind === '(' ? valueGroup() : [readValue(':')];
      return buildComparison(ctx, field, fieldWhere, 'colon', values);
    }
    const range = opTok.kind === 'op' ? RANGE_OPS[opTok.text] : undefined;
    if (!range) err(opTok, `Unsupported operator ${describe(opTok)} (KQL uses ':' and < > <= >=)`, ['operator']);
    return buildComparison(ctx, field, fieldWhere, range, [readValue(opTok.text)]);
  }

  let filter: Expr | null = null;
  if (s.peek().kind !== 'eof') {
    filter = orExpr();
    const rest = s.next();
    if (rest.kind !== 'eof') err(rest, `Unexpected ${describe(rest)}`, ['end']);
  }
  const size = boundedInteger('kql', 'limit', params.limit, 1, 1000, KQL_DEFAULT_LIMIT);
  return logSearch('kql', filter, params, now, size);
}
