// Builds the AST of one comparison from its surface form; shared by every dialect so that the same
// predicate means the same thing everywhere (spec 10.2). Class-dependent static rules live here too.
import { severityRank } from '../../core/severity.js';
import type { CmpOp, Dialect, Expr, FieldRef, Literal, Source } from './ast.js';
import { errorAt, type ExpectedKind, type Where } from './errors.js';
import { fieldClass, isFullTextField } from './fields.js';
import { parseTimestamp } from './time.js';

/** `colon` is `:` (eq that turns into glob/exists with an unquoted `*`); `at` is `@`. */
export type SurfaceOp =
  | 'colon' | 'eq' | 'neq' | 'contains' | 'not_contains' | 'lt' | 'gt' | 'lte' | 'gte' | 'at';

export interface ValueIn { literal: Literal; where: Where }

export interface PredicateContext { source: Source; now: Date; dialect: Dialect }

const RANGE_OPS = new Set<SurfaceOp>(['lt', 'gt', 'lte', 'gte']);

/** Section 10.6 tokenisation; must match the SQL macro `ftstok`. */
export function textTokens(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

export function textTerm(ctx: PredicateContext, text: string, where: Where): Expr {
  const tokens = textTokens(text);
  if (tokens.length === 0) {
    throw errorAt('VALIDATION_QUERY_SYNTAX', where, 'Full-text term has no letters or digits',
      { dialect: ctx.dialect, found: text }, ['value']);
  }
  return { op: 'text', tokens, written: text };
}

function fail(ctx: PredicateContext, where: Where, message: string, found: string, expected: ExpectedKind[] = []): never {
  throw errorAt('VALIDATION_QUERY_SYNTAX', where, message, { dialect: ctx.dialect, found }, expected);
}

/** Time-class literals must be timestamps (10.5); they are normalised to ISO so the AST needs no `now`. */
function normaliseTime(ctx: PredicateContext, v: ValueIn): Literal {
  const instant = v.literal.isNull ? null : parseTimestamp(v.literal.text, ctx.now);
  if (!instant) {
    fail(ctx, v.where, `Expected a timestamp, found '${v.literal.text}'`, v.literal.text, ['timestamp']);
  }
  return { text: instant.iso, quoted: v.literal.quoted };
}

const isWildcardOnly = (l: Literal): boolean =>
  !l.quoted && l.pattern !== undefined && l.pattern.length === 1 && 'star' in l.pattern[0];

function anyOf(parts: Expr[]): Expr {
  return parts.length === 1 ? parts[0] : { op: 'or', args: parts };
}

export function buildComparison(
  ctx: PredicateContext, field: FieldRef, fieldWhere: Where, op: SurfaceOp, values: ValueIn[],
): Expr {
  const cls = fieldClass(field, ctx.source);
  if (op === 'at') {
    if (!isFullTextField(field, ctx.source)) {
      fail(ctx, fieldWhere, `'@' is only valid on a full-text field, not '${field.written}'`, field.written, ['field']);
    }
    const v = values[0];
    if (v.literal.isNull) fail(ctx, v.where, "'@' needs a text value, not null", 'null', ['value']);
    return textTerm(ctx, v.literal.text, v.where);
  }
  if (RANGE_OPS.has(op)) {
    const v = values[0];
    if (values.length !== 1) fail(ctx, values[1].where, 'A range comparison takes exactly one value', ',', ['end']);
    if (v.literal.isNull) fail(ctx, v.where, 'A range comparison needs a value, not null', 'null', ['value']);
    if (cls === 'tags') fail(ctx, fieldWhere, 'Tags cannot be compared with a range operator', field.written);
    if (cls === 'severity' && severityRank(v.literal.text) === 0) {
      fail(ctx, v.where, `Unknown severity '${v.literal.text}'`, v.literal.text, ['value']);
    }
    const literal = cls === 'time' ? normaliseTime(ctx, v) : v.literal;
    return { op: 'cmp', field, cmp: op as CmpOp, values: [literal] };
  }
  if (cls === 'time' && (op === 'contains' || op === 'not_contains')) {
    fail(ctx, fieldWhere, `'~' and '!~' are not valid on '${field.written}'`, field.written, ['operator']);
  }
  const nulls = values.filter((v) => v.literal.isNull);
  const nonNull = values.filter((v) => !v.literal.isNull)
    .map((v) => (cls === 'time' ? normaliseTime(ctx, v) : v.literal));
  const negated = op === 'neq' || op === 'not_contains';
  const positive: CmpOp = op === 'contains' || op === 'not_contains' ? 'contains' : 'eq';

  if (!negated) {
    const parts: Expr[] = [];
    if (op === 'colon') {
      const exists = nonNull.some(isWildcardOnly);
      const globs = nonNull.filter((l) => !l.quoted && l.pattern && !isWildcardOnly(l));
      const eqs = nonNull.filter((l) => l.quoted || !l.pattern);
      if (eqs.length) parts.push({ op: 'cmp', field, cmp: 'eq', values: eqs });
      if (globs.length) parts.push({ op: 'cmp', field, cmp: 'glob', values: globs });
      if (exists) parts.push({ op: 'cmp', field, cmp: 'exists', values: [] });
    } else if (nonNull.length) {
      parts.push({ op: 'cmp', field, cmp: positive, values: nonNull });
    }
    if (nulls.length) parts.push({ op: 'is_null', field });
    return anyOf(parts);
  }
  // neq / not_contains are exactly NOT of the positive group, so a null in the group means "present".
  const parts: Expr[] = [];
  if (nonNull.length) parts.push({ op: 'cmp', field, cmp: op as CmpOp, values: nonNull });
  if (nulls.length) parts.push({ op: 'is_not_null', field });
  return parts.length === 1 ? parts[0] : { op: 'and', args: parts };
}
