// Expr -> SQL predicate (spec 17.3). Predicates may be SQL-NULL where that cannot change the result
// (a WHERE treats NULL as false, and so do AND/OR above it); every NOT is `IS NOT TRUE`, which keeps
// the two-valued semantics of 10.2 without wrapping each comparison in coalesce().
import { normalizeSeverity, severityRank } from '../../core/severity.js';
import type { Expr, FieldRef, Literal, PatternPart, Source } from './ast.js';
import { derivedSql, fieldClass, hasProperties } from './fields.js';
import { isBooleanText, isNumeric } from './lexer.js';
import type { Params } from './params.js';

export interface SqlContext { source: Source; params: Params }

type Cmp = Extract<Expr, { op: 'cmp' }>;

/** The three typed lookups of one property key (each key is in at most one map). */
export function propertySql(key: string, p: Params): { s: string; n: string; b: string } {
  const k = p.add(key);
  return { s: `attrs_str[${k}]`, n: `attrs_num[${k}]`, b: `attrs_bool[${k}]` };
}

export function resourceSql(key: string, p: Params): string {
  return `resource[${p.add(key)}]`;
}

/** Column names come from the resolver's whitelist, never from user text; a derived column is its expression. */
export function columnSql(field: Extract<FieldRef, { kind: 'column' }>, source: Source): string {
  return derivedSql(field.name, source) ?? field.name;
}

export function presentSql(field: FieldRef, c: SqlContext): string {
  return `NOT ${absentSql(field, c)}`;
}

function absentSql(field: FieldRef, c: SqlContext): string {
  if (field.kind === 'resource') return `(${resourceSql(field.key, c.params)} IS NULL)`;
  if (field.kind === 'property') {
    if (!hasProperties(c.source)) return 'TRUE';
    const { s, n, b } = propertySql(field.key, c.params);
    return `(${s} IS NULL AND ${n} IS NULL AND ${b} IS NULL)`;
  }
  if (field.name === 'tags') return '(tags IS NULL OR len(tags) = 0)';
  return `(${field.name} IS NULL)`;
}

const or = (parts: string[]): string => (parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`);
const not = (sql: string): string => `((${sql}) IS NOT TRUE)`;

function equalsAny(subject: string, values: string[], c: SqlContext): string {
  if (values.length === 1) return `${subject} = ${c.params.add(values[0])}`;
  return `${subject} IN (${values.map((v) => c.params.add(v)).join(', ')})`;
}

/**
 * Case-insensitive whole-value equality on a text column, in a form DuckDB can prune row groups with. For
 * ASCII text every value whose lower case is `v` lies between upper(v) and v in code-point order, so that
 * range on the raw column is added (files are sorted by service: min/max statistics then skip most of
 * them). A `k` rules it out: the Kelvin sign (U+212A) lower-cases to it and sorts after `z`.
 */
function equalsIgnoringCase(col: string, values: string[], c: SqlContext): string {
  const lowered = values.map((t) => t.toLowerCase());
  const exact = equalsAny(`lower(${col})`, lowered, c);
  if (!lowered.every((v) => /^\p{ASCII}*$/u.test(v) && !v.includes('k'))) return exact;
  const ranges = lowered.map((v) => `${col} BETWEEN ${c.params.add(v.toUpperCase())} AND ${c.params.add(v)}`);
  return `(${or(ranges)}) AND ${exact}`;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/**
 * `*` patterns (10.4). Common shapes use plain string functions, which DuckDB runs faster than LIKE;
 * ESCAPE is added only when a literal part needs it because it disables DuckDB's LIKE fast paths.
 */
function patternSql(subject: string, parts: PatternPart[], anchored: boolean, lower: boolean, c: SqlContext): string {
  const lit = (s: string) => (lower ? s.toLowerCase() : s);
  let body = parts;
  if (!anchored) {
    while (body.length && 'star' in body[0]) body = body.slice(1);
    while (body.length && 'star' in body[body.length - 1]) body = body.slice(0, -1);
    if (body.length === 0) return `${subject} IS NOT NULL`;
    if (body.length === 1) return `contains(${subject}, ${c.params.add(lit((body[0] as { lit: string }).lit))})`;
  } else {
    const shape = parts.map((x) => ('star' in x ? '*' : 'l')).join('');
    const texts = parts.filter((x): x is { lit: string } => 'lit' in x).map((x) => lit(x.lit));
    if (shape === '*') return `${subject} IS NOT NULL`;
    if (shape === 'l') return `${subject} = ${c.params.add(texts[0])}`;
    if (shape === 'l*') return `starts_with(${subject}, ${c.params.add(texts[0])})`;
    if (shape === '*l') return `ends_with(${subject}, ${c.params.add(texts[0])})`;
    if (shape === '*l*') return `contains(${subject}, ${c.params.add(texts[0])})`;
  }
  let needsEscape = false;
  const pattern = body.map((x) => {
    if ('star' in x) return '%';
    const escaped = escapeLike(lit(x.lit));
    if (escaped !== lit(x.lit)) needsEscape = true;
    return escaped;
  }).join('');
  const wrapped = anchored ? pattern : `%${pattern}%`;
  return `${subject} LIKE ${c.params.add(wrapped)}${needsEscape ? ` ESCAPE '\\'` : ''}`;
}

const partsOf = (l: Literal): PatternPart[] => l.pattern ?? [{ lit: l.text }];

function matchSql(subject: string, e: Cmp, lower: boolean, c: SqlContext): string {
  const anchored = e.cmp === 'glob';
  return or(e.values.map((v) => patternSql(subject, partsOf(v), anchored, lower, c)));
}

const RANGE_SQL = { lt: '<', gt: '>', lte: '<=', gte: '>=' } as const;
type RangeOp = keyof typeof RANGE_SQL;
const isRange = (op: string): op is RangeOp => op in RANGE_SQL;

/** A literal naming no level stays as written (lower-cased) and so matches nothing. */
function normaliseEnum(field: FieldRef, text: string): string {
  const level = field.kind === 'column' && field.name === 'severity' ? normalizeSeverity(text) : null;
  return level ?? text.toLowerCase();
}

/** The positive comparison; neq and not_contains are compiled as NOT of it (10.2). */
function positiveSql(e: Cmp, c: SqlContext): string {
  const { field } = e;
  const texts = e.values.map((v) => v.text);
  if (e.cmp === 'exists') return presentSql(field, c);
  if (field.kind === 'property') return propertyCmpSql(e, c);
  if (field.kind === 'resource') {
    const r = resourceSql(field.key, c.params);
    if (e.cmp === 'contains') return matchSql(`lower(${r})`, e, true, c);
    if (e.cmp === 'glob') return matchSql(r, e, false, c);
    if (isRange(e.cmp)) return `${r} ${RANGE_SQL[e.cmp]} ${c.params.add(texts[0])}`;
    return equalsAny(r, texts, c);
  }
  const col = columnSql(field, c.source);
  switch (fieldClass(field, c.source)) {
    case 'text':
      if (e.cmp === 'contains' || e.cmp === 'glob') return matchSql(`lower(${col})`, e, true, c);
      if (isRange(e.cmp)) return `${col} ${RANGE_SQL[e.cmp]} ${c.params.add(texts[0])}`;
      return equalsIgnoringCase(col, texts, c);
    case 'severity':
      if (isRange(e.cmp)) {
        return `sevrank(${col}) ${RANGE_SQL[e.cmp]} ${c.params.add(severityRank(texts[0]))}`;
      }
    // falls through: equality and patterns treat severity like any enum
    case 'enum':
      if (e.cmp === 'contains') return matchSql(`lower(${col})`, e, true, c);
      if (e.cmp === 'glob') return matchSql(col, e, true, c);
      if (isRange(e.cmp)) return `${col} ${RANGE_SQL[e.cmp]} ${c.params.add(normaliseEnum(field, texts[0]))}`;
      return equalsAny(col, texts.map((t) => normaliseEnum(field, t)), c);
    case 'identifier':
      if (e.cmp === 'contains') return matchSql(`lower(${col})`, e, true, c);
      if (e.cmp === 'glob') return matchSql(col, e, false, c);
      if (isRange(e.cmp)) return `${col} ${RANGE_SQL[e.cmp]} ${c.params.add(texts[0])}`;
      return equalsAny(col, texts, c);
    case 'number': {
      if (e.cmp === 'contains' || e.cmp === 'glob') {
        return matchSql(`vtext(CAST(NULL AS VARCHAR), CAST(${col} AS DOUBLE), CAST(NULL AS BOOLEAN))`, e, e.cmp === 'contains', c);
      }
      // A non-numeric literal never equals a number (10.1).
      const nums = texts.filter(isNumeric).map(Number);
      if (nums.length === 0) return 'FALSE';
      if (isRange(e.cmp)) return `${col} ${RANGE_SQL[e.cmp]} ${c.params.add(nums[0])}`;
      return or(nums.map((n) => `${col} = ${c.params.add(n)}`));
    }
    case 'time':
      if (isRange(e.cmp)) return `${col} ${RANGE_SQL[e.cmp]} ${c.params.timestamp(texts[0])}`;
      return or(texts.map((t) => `${col} = ${c.params.timestamp(t)}`));
    case 'tags':
      if (e.cmp === 'contains' || e.cmp === 'glob') {
        const inner = e.cmp === 'contains' ? matchSql('lower(t)', e, true, c) : matchSql('t', e, false, c);
        return `len(list_filter(tags, t -> ${inner})) > 0`;
      }
      if (texts.length === 1) return `list_contains(tags, ${c.params.add(texts[0])})`;
      return `list_has_any(tags, [${texts.map((t) => c.params.add(t)).join(', ')}])`;
    default:
      throw new Error(`unreachable field class for ${field.written}`);
  }
}

/** Whether a pattern can match `text` (JS mirror of patternSql). */
function patternMatches(parts: PatternPart[], anchored: boolean, lower: boolean, text: string): boolean {
  const body = parts.map((x) => ('star' in x ? '.*' : (lower ? x.lit.toLowerCase() : x.lit).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(anchored ? `^${body}$` : body, 's').test(text);
}

/**
 * Text form of a property for ~ and globs. Numbers print as [0-9.e+-] and booleans as true/false, so a
 * pattern that cannot match those forms only needs the string map, one lookup like a hand-written scan.
 */
function textFormSql(e: Cmp, t: { s: string; n: string; b: string }): string {
  const anchored = e.cmp === 'glob';
  const lower = e.cmp === 'contains';
  const lits = e.values.flatMap((v) => partsOf(v).flatMap((x) => ('lit' in x ? [x.lit] : [])));
  const numeric = lits.every((l) => /^[0-9.e+-]*$/.test(lower ? l.toLowerCase() : l));
  const boolean = e.values.some((v) => ['true', 'false'].some((w) => patternMatches(partsOf(v), anchored, lower, w)));
  if (!numeric && !boolean) return t.s;
  return `vtext(${t.s}, ${numeric ? t.n : 'CAST(NULL AS DOUBLE)'}, ${boolean ? t.b : 'CAST(NULL AS BOOLEAN)'})`;
}

/** The property value model of 10.3: loose across number/string, exact for strings. */
function propertyCmpSql(e: Cmp, c: SqlContext): string {
  if (!hasProperties(c.source)) return 'FALSE';
  const t = propertySql((e.field as { key: string }).key, c.params);
  const { s, n, b } = t;
  const texts = e.values.map((v) => v.text);
  if (e.cmp === 'contains') return matchSql(`lower(${textFormSql(e, t)})`, e, true, c);
  if (e.cmp === 'glob') return matchSql(textFormSql(e, t), e, false, c);
  if (isRange(e.cmp)) {
    const t = texts[0];
    return isNumeric(t)
      ? `vnum(${s}, ${n}) ${RANGE_SQL[e.cmp]} ${c.params.add(Number(t))}`
      : `${s} ${RANGE_SQL[e.cmp]} ${c.params.add(t)}`;
  }
  // A numeric literal's own text needs no string test: num(v) = num(L) already covers v = L.
  const parts: string[] = [];
  const strings = texts.filter((t) => !isNumeric(t));
  if (strings.length) parts.push(equalsAny(s, strings, c));
  const nums = texts.filter(isNumeric).map(Number);
  if (nums.length) parts.push(`vnum(${s}, ${n}) IN (${nums.map((x) => c.params.add(x)).join(', ')})`);
  const bools = [...new Set(texts.filter(isBooleanText).map((t) => t.toLowerCase() === 'true'))];
  if (bools.length) parts.push(`${b} IN (${bools.map((x) => c.params.add(x)).join(', ')})`);
  return or(parts);
}

/** Full text (10.6). The substring pre-check is implied by token equality and lets DuckDB skip the
 * costly tokenisation on most rows. */
function textSql(tokens: string[], c: SqlContext): string {
  const docs = c.source === 'logs' ? ['message', 'action'] : c.source === 'events' ? ['event'] : ['alert_name'];
  const checks = tokens.map((t) => {
    const ref = c.params.add(t);
    return or(docs.map((d) => `contains(lower(${d}), ${ref})`));
  });
  const doc = c.source === 'logs' ? `coalesce(action, '') || ' ' || coalesce(message, '')` : docs[0];
  const list = tokens.map((t) => c.params.add(t)).join(', ');
  return `(${checks.join(' AND ')} AND list_has_all(ftstok(${doc}), [${list}]))`;
}

export function compileFilter(e: Expr, c: SqlContext): string {
  switch (e.op) {
    case 'and': return `(${e.args.map((a) => compileFilter(a, c)).join(' AND ')})`;
    case 'or': return `(${e.args.map((a) => compileFilter(a, c)).join(' OR ')})`;
    case 'not': return not(compileFilter(e.arg, c));
    case 'is_null': return absentSql(e.field, c);
    case 'is_not_null': return presentSql(e.field, c);
    case 'text': return textSql(e.tokens, c);
    case 'cmp': {
      if (e.cmp === 'neq') return not(positiveSql({ ...e, cmp: 'eq' }, c));
      if (e.cmp === 'not_contains') return not(positiveSql({ ...e, cmp: 'contains' }, c));
      return positiveSql(e, c);
    }
  }
}
