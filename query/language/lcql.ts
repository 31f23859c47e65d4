// LCQL, the Logtrail dialect (spec section 7): whitespace-separated terms, all AND-ed; commas give OR
// within one facet. There are no parentheses and no boolean keywords.
import type { Expr, Query } from './ast.js';
import type { ExpectedKind } from './errors.js';
import { resolveField } from './fields.js';
import { isFieldToken, missingValue, Scanner, tokenError, type Token } from './lexer.js';
import { buildComparison, textTerm, type PredicateContext, type SurfaceOp, type ValueIn } from './predicates.js';
import { boundedInteger, type RequestParams } from './request-params.js';
import { logSearch } from './log-search.js';

export const LCQL_DEFAULT_PAGE_SIZE = 50;

const OPS: Partial<Record<string, SurfaceOp>> = {
  '=': 'eq', '!=': 'neq', '~': 'contains', '!~': 'not_contains',
  '<': 'lt', '>': 'gt', '<=': 'lte', '>=': 'gte', '@': 'at',
};
const SINGLE_VALUE = new Set<SurfaceOp>(['lt', 'gt', 'lte', 'gte', 'at']);
const BOOLEAN_WORDS = new Set(['AND', 'OR', 'NOT']);

export function parseLcql(text: string, params: RequestParams, now: Date): Query {
  const s = new Scanner(text, 'lcql');
  const ctx: PredicateContext = { source: 'logs', now, dialect: 'lcql' };
  function err(t: Token, message: string, expected: ExpectedKind[]): never {
    throw tokenError('lcql', t, message, expected);
  }
  const terms: Expr[] = [];

  const readValue = (after: string): ValueIn => {
    const v = s.value();
    if (!v) throw missingValue(s, after, ['value']);
    return { literal: v.literal, where: { start: v.start, end: v.end } };
  };

  const comparison = (name: string, start: number, end: number): Expr => {
    const opTok = s.next();
    const op = opTok.kind === 'op' ? OPS[opTok.text] : undefined;
    if (!op) {
      const hint = opTok.text === ':' ? " (LCQL uses '=')" : '';
      err(opTok, `Unsupported operator ${opTok.kind === 'eof' ? 'end of input' : `'${opTok.text}'`}${hint}`, ['operator']);
    }
    const values = [readValue(opTok.text)];
    if (SINGLE_VALUE.has(op) && s.peek().kind === ',') err(s.peek(), `'${opTok.text}' takes exactly one value`, ['field', 'end']);
    while (s.peek().kind === ',') {
      s.next();
      values.push(readValue(','));
    }
    return buildComparison(ctx, resolveField(name, 'logs'), { start, end }, op, values);
  };

  for (let t = s.next(); t.kind !== 'eof'; t = s.next()) {
    if (t.kind === 'string') {
      if (s.operatorFollows(t.end)) err(t, 'A quoted string cannot be a field (use back-quotes)', ['field']);
      terms.push(textTerm(ctx, t.text, { start: t.start, end: t.end }));
    } else if (t.kind === 'backquoted') {
      terms.push(comparison(t.text, t.start, t.end));
    } else if (t.kind === 'word') {
      if (s.operatorFollows(t.end)) {
        if (!isFieldToken(t.text)) err(t, `Invalid field name '${t.text}'`, ['field']);
        terms.push(comparison(t.text, t.start, t.end));
      } else if (BOOLEAN_WORDS.has(t.text)) {
        err(t, `LCQL has no '${t.text}': use field=a,b for alternatives and != or !~ for negation`, ['field', 'value']);
      } else if (t.text.toLowerCase() === 'null') {
        err(t, "'null' is only a value; quote it to search for the word", ['field', 'value']);
      } else {
        terms.push(textTerm(ctx, t.text, { start: t.start, end: t.end }));
      }
    } else {
      err(t, `Unexpected '${t.text}'`, ['field', 'value']);
    }
  }

  const filter = terms.length === 0 ? null : terms.length === 1 ? terms[0] : { op: 'and' as const, args: terms };
  const size = boundedInteger('lcql', 'pageSize', params.pageSize, 10, 100, LCQL_DEFAULT_PAGE_SIZE);
  return logSearch('lcql', filter, params, now, size);
}
