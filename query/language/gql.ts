// GQL, the primary dialect (spec section 6): a `|` pipeline of filters, scope terms and stages.
//
// Fields can only be resolved once the source is known, and `from:` may come anywhere (even last), so
// the parser first builds closures over the surface syntax and resolves them against the final source.
import { TABLES } from '../../core/tables.js';
import type { AggFunc, Aggregate, Expr, FieldRef, PostStage, Query, SortDir, Source } from './ast.js';
import { errorAt, type ExpectedKind, type Where } from './errors.js';
import { canonicalName, fieldClass, hasNumericView, resolveField, sameField } from './fields.js';
import {
  describe as describeTok, isFieldToken, isNumeric, missingValue, Scanner, tokenError, type Token, type ValueToken,
} from './lexer.js';
import { buildComparison, textTerm, type PredicateContext, type SurfaceOp, type ValueIn } from './predicates.js';
import { checkOrder, resolveTimeRange } from './time-range.js';
import { parseDuration, parseTimestamp } from './time.js';

export const SOURCES: readonly Source[] = TABLES;
export const GQL_DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

const SCOPE_WORDS = new Set(['from', 'last', 'since', 'until']);
const AGG_WORDS = new Set(['count', 'count_distinct', 'sum', 'avg', 'min', 'max']);
const STAGE_WORDS = new Set(['where', 'top', 'sort', 'limit', 'fields', 'select', 'timeslice', 'bucket']);
const OTHER_RESERVED = new Set(['distinct', 'by', 'and', 'or', 'not', 'in', 'is', 'null', 'asc', 'desc']);
const PERCENTILE = /^p([1-9][0-9]?)$/;

export function isGqlReserved(word: string): boolean {
  const w = word.toLowerCase();
  return SCOPE_WORDS.has(w) || AGG_WORDS.has(w) || STAGE_WORDS.has(w) || OTHER_RESERVED.has(w) || PERCENTILE.test(w);
}

function isAggHead(word: string): boolean {
  const w = word.toLowerCase();
  return AGG_WORDS.has(w) || PERCENTILE.test(w);
}

type Build = (ctx: PredicateContext) => Expr;
type FieldTok = { text: string; start: number; end: number };
type Scope = 'from' | 'last' | 'since' | 'until';
type Located<T> = { value: T; start: number; end: number };

interface PendingAgg {
  func: AggFunc; p?: number; field: FieldTok | null; by: FieldTok[]; start: number; end: number; view?: 'patterns';
}

interface PendingSort { key: FieldTok; dir: SortDir }

const OPS: Record<string, SurfaceOp> = {
  ':': 'colon', '=': 'eq', '!=': 'neq', '~': 'contains', '!~': 'not_contains',
  '<': 'lt', '>': 'gt', '<=': 'lte', '>=': 'gte', '@': 'at',
};
const SINGLE_VALUE = new Set<SurfaceOp>(['lt', 'gt', 'lte', 'gte', 'at']);

export interface GqlOptions { source?: Source; now: Date }

export function parseGql(text: string, opts: GqlOptions): Query {
  return new GqlParser(text, opts).parse();
}

class GqlParser {
  private readonly s: Scanner;
  private readonly conjuncts: Build[] = [];
  private readonly scope: Partial<Record<Scope, Located<string>>> = {};
  private agg: PendingAgg | null = null;
  private timeslice: Located<number> & { text: string } | null = null;
  private fields: Located<FieldTok[]> | null = null;
  private readonly post: PostStage[] = [];
  private readonly sorts: PendingSort[] = [];
  /** First top/sort/limit, to enforce rule 6.2.4 when an aggregate stage comes later. */
  private firstPost: Token | null = null;
  private topTok: Token | null = null;

  constructor(private readonly text: string, private readonly opts: GqlOptions) {
    this.s = new Scanner(text, 'gql');
  }

  private err(tok: Token, message: string, expected: ExpectedKind[]): never {
    throw tokenError('gql', tok, message, expected);
  }

  private where(start: number, end: number): Where { return { start, end }; }

  parse(): Query {
    const s = this.s;
    if (s.peek().kind !== 'eof') {
      for (;;) {
        this.segment();
        const t = s.next();
        if (t.kind === 'eof') break;
        if (t.kind !== '|') this.err(t, `Unexpected ${describeTok(t)}; expected '|' or end of query`, ['|', 'end']);
      }
    }
    return this.finish();
  }

  private segment(): void {
    const t = this.s.peek();
    if (t.kind === 'eof' || t.kind === '|') this.err(t, 'Empty pipeline segment', ['stage', 'field']);
    if (t.kind !== 'word') { this.filterSegment(); return; }
    const w = t.text.toLowerCase();
    if (isAggHead(w)) this.aggStage();
    else if (w === 'patterns' && this.aloneInSegment()) this.patternsStage();
    else if (w === 'where') {
      this.s.next();
      const next = this.s.peek();
      if (next.kind === 'eof' || next.kind === '|') this.err(next, "'where' needs a filter expression", ['field', 'value']);
      this.filterSegment();
    } else if (w === 'top') this.topStage(t);
    else if (w === 'limit') this.limitStage(t);
    else if (w === 'sort') this.sortStage(t);
    else if (w === 'fields' || w === 'select') this.fieldsStage(t);
    else if (w === 'timeslice' || w === 'bucket') this.timesliceStage(t);
    else this.filterSegment();
  }

  // ---- filters -----------------------------------------------------------------------------------

  private filterSegment(): void {
    this.conjuncts.push(...this.orExpr(true).builds);
  }

  /**
   * Returns the conjuncts of a top-level expression (so scope terms can be split out) or a single
   * build. `top` allows scope terms as top-level conjuncts (rule 6.2.2).
   */
  private orExpr(top: boolean): { builds: Build[]; scopes: number } {
    const first = this.andExpr(top);
    const alternatives = [first];
    while (this.peekWord('or')) {
      const orTok = this.s.next();
      if (first.scopes > 0) this.err(orTok, "A scope term cannot be combined with 'or'", ['|', 'end']);
      alternatives.push(this.andExpr(false));
    }
    if (alternatives.length === 1) return first;
    const parts = alternatives.map((a) => conj(a.builds));
    return { builds: [(ctx) => ({ op: 'or', args: parts.map((p) => p(ctx)) })], scopes: 0 };
  }

  private andExpr(allowScope: boolean): { builds: Build[]; scopes: number } {
    const builds: Build[] = [];
    let scopes = 0;
    let required = true;
    for (;;) {
      const t = this.s.peek();
      if (t.kind === 'eof' || t.kind === '|' || t.kind === ')' || (t.kind === 'word' && t.text.toLowerCase() === 'or')) {
        if (required) this.err(t, `Expected a filter term, found ${describeTok(t)}`, ['field', 'value', '(']);
        break;
      }
      if (t.kind === 'word' && t.text.toLowerCase() === 'and') {
        if (required) this.err(t, "Unexpected 'and'", ['field', 'value', '(']);
        this.s.next();
        required = true;
        continue;
      }
      const u = this.unary(allowScope);
      if (u) builds.push(u); else scopes++;
      required = false;
    }
    return { builds, scopes };
  }

  /** Returns null for a scope term (which changes parser state instead of the filter). */
  private unary(allowScope: boolean): Build | null {
    const t = this.s.peek();
    if (t.kind === 'word') {
      const w = t.text.toLowerCase();
      if (w === 'not') {
        this.s.next();
        const arg = this.unary(false);
        if (!arg) this.err(t, "A scope term cannot be negated", ['field', 'value']);
        return (ctx) => ({ op: 'not', arg: arg(ctx) });
      }
      if (SCOPE_WORDS.has(w)) {
        if (!allowScope) this.err(t, `'${t.text}' is only allowed as a top-level term`, ['field', 'value']);
        this.scopeTerm();
        return null;
      }
    }
    if (t.kind === '(') {
      this.s.next();
      const inner = this.orExpr(false);
      const close = this.s.next();
      if (close.kind !== ')') this.err(close, `Expected ')', found ${describeTok(close)}`, [')']);
      return conj(inner.builds);
    }
    return this.primary();
  }

  private primary(): Build {
    const s = this.s;
    const t = s.next();
    if (t.kind === 'string') {
      if (s.operatorFollows(t.end)) this.err(t, 'A quoted string cannot be a field (use back-quotes)', ['field']);
      const where = this.where(t.start, t.end);
      return (ctx) => textTerm(ctx, t.text, where);
    }
    if (t.kind === 'backquoted') return this.comparison({ text: t.text, start: t.start, end: t.end });
    if (t.kind !== 'word') this.err(t, `Unexpected ${describeTok(t)}`, ['field', 'value', '(']);
    if (this.text[t.end] === '(') {
      if (isAggHead(t.text)) this.err(t, `'${t.text}' is a stage; separate it from the filter with '|'`, ['|']);
      this.err(t, `Unknown function '${t.text}'`, ['function']);
    }
    const isField = s.operatorFollows(t.end) || this.comparisonKeywordFollows();
    if (isGqlReserved(t.text)) {
      const hint = isAggHead(t.text) || STAGE_WORDS.has(t.text.toLowerCase()) ? " (missing '|'?)" : '';
      this.err(t, `Unexpected keyword '${t.text}'${hint}`, isField ? ['field'] : ['field', 'value']);
    }
    if (isField) {
      if (!isFieldToken(t.text)) this.err(t, `Invalid field name '${t.text}'`, ['field']);
      return this.comparison({ text: t.text, start: t.start, end: t.end });
    }
    const where = this.where(t.start, t.end);
    return (ctx) => textTerm(ctx, t.text, where);
  }

  /** `field in (…)`, `field not in (…)`, `field is [not] null` start with a keyword, not an operator. */
  private comparisonKeywordFollows(): boolean {
    const save = this.s.pos;
    try {
      const a = this.s.next();
      if (a.kind !== 'word') return false;
      const w = a.text.toLowerCase();
      if (w === 'in' || w === 'is') return true;
      if (w !== 'not') return false;
      const b = this.s.next();
      return b.kind === 'word' && b.text.toLowerCase() === 'in';
    } finally {
      this.s.pos = save;
    }
  }

  private comparison(field: FieldTok): Build {
    const s = this.s;
    const opTok = s.next();
    const fieldWhere = this.where(field.start, field.end);
    let op: SurfaceOp;
    let values: ValueIn[];
    if (opTok.kind === 'op') {
      op = OPS[opTok.text];
      values = SINGLE_VALUE.has(op) ? [this.requiredValue(opTok.text)] : this.valueGroup(opTok.text);
      if (SINGLE_VALUE.has(op) && s.peek().kind === ',') {
        this.err(s.peek(), `'${opTok.text}' takes exactly one value`, ['|', 'end']);
      }
    } else if (opTok.kind === 'word' && ['in', 'not'].includes(opTok.text.toLowerCase())) {
      if (opTok.text.toLowerCase() === 'not') s.next();
      op = opTok.text.toLowerCase() === 'not' ? 'neq' : 'eq';
      values = this.inList();
    } else if (opTok.kind === 'word' && opTok.text.toLowerCase() === 'is') {
      let next = s.next();
      const negated = next.kind === 'word' && next.text.toLowerCase() === 'not';
      if (negated) next = s.next();
      if (next.kind !== 'word' || next.text.toLowerCase() !== 'null') this.err(next, "Expected 'null'", ['keyword']);
      return (ctx) => {
        const ref = resolveField(field.text, ctx.source);
        return { op: negated ? 'is_not_null' : 'is_null', field: ref };
      };
    } else {
      this.err(opTok, `Expected an operator after '${field.text}'`, ['operator']);
    }
    return (ctx) => buildComparison(ctx, resolveField(field.text, ctx.source), fieldWhere, op, values);
  }

  private toValue(v: ValueToken): ValueIn {
    return { literal: v.literal, where: this.where(v.start, v.end) };
  }

  private requiredValue(after: string): ValueIn {
    const v = this.s.value();
    if (!v) throw missingValue(this.s, after, ['value']);
    return this.toValue(v);
  }

  private valueGroup(after: string): ValueIn[] {
    const values = [this.requiredValue(after)];
    while (this.s.peek().kind === ',') {
      this.s.next();
      values.push(this.requiredValue(','));
    }
    return values;
  }

  private inList(): ValueIn[] {
    const open = this.s.next();
    if (open.kind !== '(') this.err(open, "Expected '(' after 'in'", ['(']);
    const values = this.valueGroup('(');
    const close = this.s.next();
    if (close.kind !== ')') this.err(close, `Expected ')' or ',', found ${describeTok(close)}`, [')', ',']);
    return values;
  }

  private peekWord(word: string): boolean {
    const t = this.s.peek();
    return t.kind === 'word' && t.text.toLowerCase() === word;
  }

  // ---- scope terms --------------------------------------------------------------------------------

  private scopeTerm(): void {
    const s = this.s;
    const kw = s.next();
    const name = kw.text.toLowerCase() as Scope;
    const colon = s.peek();
    if (colon.kind === 'op' && colon.text === ':') s.next();
    const expected: ExpectedKind = name === 'from' ? 'source' : name === 'last' ? 'duration' : 'timestamp';
    const v = s.value();
    if (!v || v.literal.isNull) throw missingValue(s, kw.text, [expected]);
    const located = { value: v.literal.text, start: kw.start, end: v.end };
    if (this.scope[name]) this.err(kw, `'${name}' may appear only once`, ['|', 'end']);
    const valueTok: Token = { kind: 'word', text: v.literal.text, start: v.start, end: v.end };
    if (name === 'from' && !SOURCES.includes(v.literal.text.toLowerCase() as Source)) {
      this.err(valueTok, `Unknown source '${v.literal.text}'`, ['source']);
    }
    if (name === 'last' && parseDuration(v.literal.text) === null) {
      this.err(valueTok, `Invalid duration '${v.literal.text}'`, ['duration']);
    }
    if ((name === 'since' || name === 'until') && !parseTimestamp(v.literal.text, this.opts.now)) {
      this.err(valueTok, `Invalid timestamp '${v.literal.text}'`, ['timestamp']);
    }
    if ((name === 'last' && (this.scope.since || this.scope.until)) ||
        ((name === 'since' || name === 'until') && this.scope.last)) {
      this.err(kw, "'last' cannot be combined with 'since' or 'until'", ['|', 'end']);
    }
    this.scope[name] = located;
  }

  // ---- stages -------------------------------------------------------------------------------------

  private fieldTok(what: string): FieldTok {
    const t = this.s.next();
    if (t.kind === 'backquoted') return { text: t.text, start: t.start, end: t.end };
    if (t.kind === 'word' && isFieldToken(t.text) && !isGqlReserved(t.text)) {
      return { text: t.text, start: t.start, end: t.end };
    }
    this.err(t, `Expected a field ${what}, found ${describeTok(t)}`, ['field']);
  }

  private aggStage(): void {
    const s = this.s;
    const head = s.next();
    const w = head.text.toLowerCase();
    if (this.agg) this.err(head, 'Only one aggregate stage is allowed', ['|', 'end']);
    if (this.timeslice) this.err(head, "'timeslice' must come after the aggregate stage", ['|', 'end']);
    if (this.firstPost) {
      this.err(this.firstPost, `'${this.firstPost.text}' cannot come before the aggregate stage`, ['stage']);
    }
    let func: AggFunc;
    let field: FieldTok | null = null;
    let p: number | undefined;
    if (w === 'count') {
      func = 'count';
      const next = s.peek();
      if (next.kind === '(') {
        s.next();
        const star = s.peek();
        if (star.kind === 'word' && star.text === '*') s.next();
        const close = s.next();
        if (close.kind !== ')') this.err(close, "Expected ')' (count takes no field; use count_distinct)", [')']);
      } else if (next.kind === 'word' && next.text.toLowerCase() === 'distinct') {
        s.next();
        func = 'count_distinct';
        field = this.fieldTok(`after 'distinct'`);
      }
    } else {
      func = w === 'count_distinct' ? 'count_distinct' : PERCENTILE.test(w) ? 'percentile' : (w as AggFunc);
      if (func === 'percentile') p = Number(PERCENTILE.exec(w)![1]) / 100;
      if (s.peek().kind === '(') {
        s.next();
        field = this.fieldTok(`in ${w}(…)`);
        const close = s.next();
        if (close.kind !== ')') this.err(close, `Expected ')'`, [')']);
      } else {
        field = this.fieldTok(`after '${head.text}'`);
      }
    }
    const by: FieldTok[] = [];
    if (this.peekWord('by')) {
      s.next();
      by.push(this.fieldTok("after 'by'"));
      while (s.peek().kind === ',') {
        s.next();
        by.push(this.fieldTok("after ','"));
      }
    }
    for (let t = s.peek(); t.kind === 'word' && SCOPE_WORDS.has(t.text.toLowerCase()); t = s.peek()) {
      this.scopeTerm();
    }
    this.agg = { func, p, field, by, start: head.start, end: head.end };
    this.endOfStage();
  }

  /** Whether the word under the cursor is its segment's only token (`patterns` is a stage only alone). */
  private aloneInSegment(): boolean {
    const save = this.s.pos;
    try {
      this.s.next();
      const t = this.s.next();
      return t.kind === 'eof' || t.kind === '|';
    } finally {
      this.s.pos = save;
    }
  }

  /** `| patterns` (loglake): the logs' patterns, an aggregate stage of its own (a count by pattern_id). */
  private patternsStage(): void {
    const head = this.s.next();
    if (this.agg) this.err(head, 'Only one aggregate stage is allowed', ['|', 'end']);
    if (this.timeslice) this.err(head, "'timeslice' cannot be combined with 'patterns'", ['|', 'end']);
    if (this.firstPost) this.err(this.firstPost, `'${this.firstPost.text}' cannot come before the aggregate stage`, ['stage']);
    this.agg = { func: 'count', field: null, by: [{ text: 'pattern_id', start: head.start, end: head.end }], start: head.start, end: head.end, view: 'patterns' };
  }

  private endOfStage(): void {
    const t = this.s.peek();
    if (t.kind !== 'eof' && t.kind !== '|') this.err(t, `Unexpected ${describeTok(t)}; expected '|' or end of query`, ['|', 'end']);
  }

  private integer(after: Token): number {
    const v = this.s.value();
    if (!v) throw missingValue(this.s, after.text, ['integer']);
    const tok: Token = { kind: 'word', text: v.literal.text, start: v.start, end: v.end };
    if (v.literal.quoted || !isNumeric(v.literal.text)) {
      this.err(tok, `Expected an integer after '${after.text}'`, ['integer']);
    }
    const n = Number(v.literal.text);
    if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
      throw errorAt('VALIDATION_QUERY_CONSTRAINT', this.where(v.start, v.end),
        `'${after.text.toLowerCase()}' must be between 1 and ${MAX_LIMIT}`, { dialect: 'gql', found: v.literal.text }, ['integer']);
    }
    return n;
  }

  private markPost(t: Token): void {
    if (!this.firstPost) this.firstPost = t;
  }

  private topStage(t: Token): void {
    this.s.next();
    const n = this.integer(t);
    if (this.timeslice) this.err(t, "'top' cannot be combined with 'timeslice'", ['stage']);
    this.topTok ??= t;
    this.markPost(t);
    this.post.push({ type: 'top', n });
    this.endOfStage();
  }

  private limitStage(t: Token): void {
    this.s.next();
    const n = this.integer(t);
    this.markPost(t);
    this.post.push({ type: 'limit', n });
    this.endOfStage();
  }

  private sortStage(t: Token): void {
    const s = this.s;
    s.next();
    if (this.peekWord('by')) s.next();
    const keys: { key: string; dir: SortDir }[] = [];
    do {
      if (keys.length) s.next();
      const k = s.next();
      const ok = k.kind === 'backquoted' ||
        (k.kind === 'word' && isFieldToken(k.text) && (!isGqlReserved(k.text) || isAggHead(k.text)));
      if (!ok) this.err(k, `Expected a sort key, found ${describeTok(k)}`, ['field']);
      let dir: SortDir = 'asc';
      const d = s.peek();
      if (d.kind === 'word' && ['asc', 'desc'].includes(d.text.toLowerCase())) {
        s.next();
        dir = d.text.toLowerCase() as SortDir;
      }
      keys.push({ key: k.text, dir });
      this.sorts.push({ key: { text: k.text, start: k.start, end: k.end }, dir });
    } while (s.peek().kind === ',');
    this.markPost(t);
    this.post.push({ type: 'sort', keys });
    this.endOfStage();
  }

  private fieldsStage(t: Token): void {
    this.s.next();
    const list = [this.fieldTok(`after '${t.text}'`)];
    while (this.s.peek().kind === ',') {
      this.s.next();
      list.push(this.fieldTok("after ','"));
    }
    this.fields = { value: list, start: t.start, end: t.end };
    this.endOfStage();
  }

  private timesliceStage(t: Token): void {
    this.s.next();
    if (this.timeslice) this.err(t, `'${t.text}' may appear only once`, ['|', 'end']);
    const v = this.s.value();
    if (!v) throw missingValue(this.s, t.text, ['duration']);
    const seconds = parseDuration(v.literal.text);
    if (seconds === null) {
      this.err({ kind: 'word', text: v.literal.text, start: v.start, end: v.end }, `Invalid duration '${v.literal.text}'`, ['duration']);
    }
    if (this.topTok) this.err(t, "'timeslice' cannot be combined with 'top'", ['stage']);
    if (this.agg?.view) this.err(t, `'${t.text}' cannot be combined with 'patterns'`, ['stage']);
    if (!this.agg && this.firstPost) {
      this.err(this.firstPost, `'${this.firstPost.text}' cannot come before '${t.text}'`, ['stage']);
    }
    this.timeslice = { value: seconds, text: v.literal.text, start: t.start, end: t.end };
    this.endOfStage();
  }

  // ---- assembly -----------------------------------------------------------------------------------

  private finish(): Query {
    const { scope, opts } = this;
    const source = (scope.from?.value.toLowerCase() as Source | undefined) ?? opts.source ?? 'logs';
    const ctx: PredicateContext = { source, now: opts.now, dialect: 'gql' };
    const parts = this.conjuncts.map((b) => b(ctx));
    const filter = parts.length === 0 ? null : parts.length === 1 ? parts[0] : { op: 'and' as const, args: parts };

    const aggregating = this.agg !== null || this.timeslice !== null;
    if (aggregating && this.fields) {
      this.err({ kind: 'word', text: 'fields', start: this.fields.start, end: this.fields.end },
        `'fields' is only valid in search mode`, ['stage']);
    }
    const aggregate = this.agg ? this.resolveAgg(this.agg, source)
      : this.timeslice ? { func: 'count' as const, field: null, groupBy: [] } : null;
    if (aggregate) this.checkAggSortKeys(aggregate, source);
    else this.checkSearchSortKeys();

    const instant = (k: 'since' | 'until') => {
      const l = scope[k];
      return l ? parseTimestamp(l.value, opts.now)!.date : null;
    };
    let bounds = { from: instant('since'), to: instant('until') };
    if (scope.last) {
      const ms = parseDuration(scope.last.value)! * 1000;
      bounds = { from: new Date(opts.now.getTime() - ms), to: new Date(opts.now.getTime()) };
    }
    const span = scope.until ?? scope.since;
    if (span) checkOrder(bounds, this.where(span.start, span.end), 'gql');

    return {
      dialect: 'gql',
      source,
      filter,
      time: resolveTimeRange(bounds, filter, opts.now),
      aggregate,
      post: this.post,
      fields: this.fields ? this.fields.value.map((f) => resolveField(f.text, source)) : null,
      timeslice: this.timeslice ? { seconds: this.timeslice.value, text: this.timeslice.text } : null,
      page: { size: GQL_DEFAULT_LIMIT },
      order: 'latest',
    };
  }

  private resolveAgg(a: PendingAgg, source: Source): Aggregate {
    let field: FieldRef | null = null;
    if (a.field) {
      field = resolveField(a.field.text, source);
      if (a.func !== 'count_distinct' && !hasNumericView(field, source)) {
        throw errorAt('VALIDATION_QUERY_INVALID', { start: a.field.start, end: a.field.end },
          `${a.func === 'percentile' ? 'A percentile' : `'${a.func}'`} needs a numeric field; '${a.field.text}' is ${fieldClass(field, source)}`,
          { dialect: 'gql', found: a.field.text, field: canonicalName(field) }, ['field']);
      }
    }
    const out: Aggregate = { func: a.func, field, groupBy: a.by.map((f) => resolveField(f.text, source)) };
    if (a.p !== undefined) out.p = a.p;
    if (a.view) {
      if (source !== 'logs') throw errorAt('VALIDATION_QUERY_INVALID', { start: a.start, end: a.end }, "'patterns' reads logs only", { dialect: 'gql', found: 'patterns' }, ['stage']);
      out.view = a.view;
    }
    return out;
  }

  /** In search mode a sort key is a field, never an aggregate name. */
  private checkSearchSortKeys(): void {
    const bad = this.sorts.find((k) => isAggHead(k.key.text) && !this.text.slice(k.key.start, k.key.end).startsWith('`'));
    if (bad) {
      this.err({ kind: 'word', text: bad.key.text, start: bad.key.start, end: bad.key.end },
        `Cannot sort search results by '${bad.key.text}' without an aggregate stage`, ['field']);
    }
  }

  /** Rule 6.2.7: in aggregate mode a sort key is the value or one of the group keys. */
  private checkAggSortKeys(agg: Aggregate, source: Source): void {
    const funcName = this.agg ? this.text.slice(this.agg.start, this.agg.end).toLowerCase() : 'count';
    for (const { key } of this.sorts) {
      const k = key.text.toLowerCase();
      if (k === 'value' || k === 'count' || k === funcName || k === agg.func) continue;
      if (this.timeslice && k === 'time') continue;
      const ref = resolveField(key.text, source);
      if (agg.groupBy.some((g) => g.written === key.text || sameField(g, ref))) continue;
      this.err({ kind: 'word', text: key.text, start: key.start, end: key.end },
        `Cannot sort aggregate results by '${key.text}' (use value or a group-by field)`, ['field']);
    }
  }
}

function conj(builds: Build[]): Build {
  if (builds.length === 1) return builds[0];
  return (ctx) => ({ op: 'and', args: builds.map((b) => b(ctx)) });
}

