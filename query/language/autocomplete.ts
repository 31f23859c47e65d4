// GQL autocomplete (spec section 16): the context at the cursor of a possibly incomplete query and the
// suggestions for it. It reads schema statistics only and never runs the query.
import { SEVERITIES } from '../../core/tables.js';
import type { Source } from './ast.js';
import { echoQuery, type FilterEcho } from './echo.js';
import { QueryError, type QueryErrorBody } from './errors.js';
import { COLUMNS, derivedFields, resolveField } from './fields.js';
import { isGqlReserved, parseGql, SOURCES } from './gql.js';
import { isFieldToken, Scanner } from './lexer.js';

export interface FieldInfo { key: string; type: string; volume: number }
export interface ValueInfo { value: string | number | boolean; count: number }

/** Discovered schema of a project, e.g. from the storage layer's field statistics. */
export interface SchemaProvider {
  fields(source: Source): FieldInfo[] | Promise<FieldInfo[]>;
  values(source: Source, field: string): ValueInfo[] | Promise<ValueInfo[]>;
}

export type ContextKind = 'field' | 'operator' | 'value' | 'keyword' | 'stage' | 'source' | 'duration' | 'timestamp';

export interface CompletionContext {
  kind: ContextKind;
  /** Also valid here (a segment may start with a stage or a filter; a term may be followed by a field). */
  alsoFields: boolean;
  prefix: string;
  replace: { start: number; end: number };
  field?: string;
  source: Source;
}

export interface Suggestion { text: string; description: string; kind: ContextKind }

export interface AutocompleteResult {
  suggestions: Suggestion[];
  valid: boolean;
  parsed: { source: Source; filters: FilterEcho[] };
  error?: QueryErrorBody;
  context: CompletionContext;
}

type Tok = { kind: 'word' | 'string' | 'backquoted' | 'op' | '(' | ')' | ',' | '|'; text: string; start: number; end: number; value: boolean };

const SCOPE_VALUE: Record<string, ContextKind> = { from: 'source', last: 'duration', since: 'timestamp', until: 'timestamp' };
const VALUE_AFTER: Record<string, ContextKind> = { ...SCOPE_VALUE, timeslice: 'duration', bucket: 'duration' };
const FIELD_LIST_WORDS = new Set(['by', 'fields', 'select', 'sort', 'where', 'and', 'or', 'not', 'distinct',
  'count_distinct', 'sum', 'avg', 'min', 'max']);
const STAGES = ['where', 'count', 'count by', 'count_distinct', 'sum', 'avg', 'min', 'max', 'p50', 'p95', 'p99',
  'top', 'sort', 'limit', 'fields', 'timeslice', 'patterns', 'from:', 'last', 'since', 'until'];
const OPERATORS: [string, string][] = [[':', 'equals (glob with *)'], ['=', 'equals'], ['!=', 'not equal'],
  ['~', 'contains'], ['!~', 'does not contain'], ['>', 'greater than'], ['>=', 'at least'], ['<', 'less than'],
  ['<=', 'at most'], ['@', 'full-text words'], ['in', 'one of (…)'], ['is', 'is [not] null']];
const DURATIONS = ['15m', '1h', '6h', '24h', '7d', '30d'];
const ENUM_VALUES: Record<string, readonly string[]> = {
  severity: SEVERITIES, environment: ['production', 'staging', 'development'],
  state: ['firing', 'resolved', 'pending', 'no_data'],
};

/** Tokens of a prefix, tolerating what a complete parse would reject (open strings, missing values). */
function tolerantTokens(text: string): Tok[] {
  const s = new Scanner(text, 'gql');
  const out: Tok[] = [];
  let valueNext = false;
  for (;;) {
    s.skipWs();
    const start = s.pos;
    if (start >= text.length) return out;
    try {
      // `from:`/`last:`: the colon after a scope keyword is an operator, not the start of the value.
      const scopeColon = text[start] === ':' && out.length > 0 && out[out.length - 1].text.toLowerCase() in SCOPE_VALUE;
      const v = valueNext && !scopeColon ? s.value() : null;
      if (v) {
        out.push({ kind: v.literal.quoted ? 'string' : 'word', text: v.literal.text, start, end: v.end, value: true });
        valueNext = false;
        continue;
      }
      const t = s.next();
      if (t.kind === 'eof') return out;
      out.push({ kind: t.kind, text: t.text, start: t.start, end: t.end, value: false });
      const prev = out[out.length - 2];
      valueNext = t.kind === 'op' || scopeColon || (t.kind === ',' && prev?.value === true) ||
        (t.kind === 'word' && t.text.toLowerCase() in VALUE_AFTER) ||
        (t.kind === 'word' && ['top', 'limit'].includes(t.text.toLowerCase()));
    } catch {
      const quote = text[start];
      out.push({ kind: quote === '`' ? 'backquoted' : 'string', text: text.slice(start + 1), start, end: text.length, value: valueNext });
      return out;
    }
  }
}

function detectSource(tokens: Tok[], fallback: Source): Source {
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].kind !== 'word' || tokens[i].text.toLowerCase() !== 'from') continue;
    const next = tokens[i + 1]?.kind === 'op' ? tokens[i + 2] : tokens[i + 1];
    const name = next?.text.toLowerCase() as Source | undefined;
    if (name && SOURCES.includes(name)) return name;
  }
  return fallback;
}

/** Section 16's context rules, applied to the tokens before the cursor. */
function completionContext(q: string, cursor: number, src: Source, knownFields: Set<string>): CompletionContext {
  const head = q.slice(0, cursor);
  const all = tolerantTokens(head);
  const last = all[all.length - 1];
  const partial = last && last.end === head.length && ['word', 'string', 'backquoted'].includes(last.kind) ? last : null;
  const before = partial ? all.slice(0, -1) : all;
  const segStart = before.map((t) => t.kind).lastIndexOf('|') + 1;
  const seg = before.slice(segStart);
  const prev = seg[seg.length - 1];
  const replace = partial ? { start: partial.start, end: cursor } : { start: cursor, end: cursor };
  const ctx = (kind: ContextKind, alsoFields = false, field?: string): CompletionContext => ({
    kind, alsoFields, prefix: partial?.text ?? '', replace, source: src, ...(field ? { field } : {}),
  });

  if (!prev) return ctx('stage', true);
  const w = prev.kind === 'word' && !prev.value ? prev.text.toLowerCase() : '';
  if (prev.kind === 'op') {
    const owner = seg[seg.length - 2];
    const scope = owner && SCOPE_VALUE[owner.text.toLowerCase()];
    if (scope) return ctx(scope);
    return ctx('value', false, owner ? resolveField(owner.text, src).written : undefined);
  }
  if (w in VALUE_AFTER) return ctx(VALUE_AFTER[w]);
  if (prev.kind === ',') {
    const group = [...seg].reverse().find((t) => t.kind === 'op' || (t.kind === 'word' && !t.value && FIELD_LIST_WORDS.has(t.text.toLowerCase())));
    if (group?.kind === 'op') {
      const owner = seg[seg.indexOf(group) - 1];
      return ctx('value', false, owner ? resolveField(owner.text, src).written : undefined);
    }
    return ctx('field');
  }
  if (FIELD_LIST_WORDS.has(w) || prev.kind === '(') return ctx('field');
  if (w === 'count') return ctx('keyword');
  if ((prev.kind === 'word' && !prev.value && !isGqlReserved(prev.text)) || prev.kind === 'backquoted') {
    // A bare word is a field only if it names one; otherwise it is a free-text term.
    const known = prev.kind === 'backquoted' || resolveField(prev.text, src).kind !== 'property' || knownFields.has(prev.text);
    if (known && partial === null) return ctx('operator');
  }
  return ctx('keyword', true);
}

const startsWith = (text: string, prefix: string) => text.toLowerCase().startsWith(prefix.toLowerCase());

function quoteIfNeeded(v: string): string {
  return /^[^\s"'`(),|]+$/.test(v) && v.toLowerCase() !== 'null' ? v : JSON.stringify(v);
}

function fieldSuggestions(source: Source, discovered: FieldInfo[], prefix: string): Suggestion[] {
  const out: Suggestion[] = [];
  for (const [name, def] of Object.entries(COLUMNS[source])) {
    for (const text of [name, ...(def.aliases ?? [])]) {
      if (startsWith(text, prefix)) out.push({ text, description: text === name ? `${def.cls} column` : `alias of ${name}`, kind: 'field' });
    }
  }
  for (const [name, cls] of derivedFields(source)) {
    if (startsWith(name, prefix)) out.push({ text: name, description: `${cls}, from the message's pattern`, kind: 'field' });
  }
  const known = new Set(out.map((s) => s.text));
  for (const f of [...discovered].sort((a, b) => b.volume - a.volume)) {
    if (known.has(f.key) || !startsWith(f.key, prefix)) continue;
    const text = isFieldToken(f.key) && !isGqlReserved(f.key) ? f.key : `\`${f.key.replace(/[`\\]/g, '\\$&')}\``;
    out.push({ text, description: `${f.type} property, ${f.volume} rows`, kind: 'field' });
  }
  return out;
}

async function valueSuggestions(ctx: CompletionContext, schema: SchemaProvider): Promise<Suggestion[]> {
  if (!ctx.field) return [];
  const ref = resolveField(ctx.field, ctx.source);
  const canonical = ref.kind === 'column' ? ENUM_VALUES[ref.name] : undefined;
  const values = [...await schema.values(ctx.source, ctx.field)].sort((a, b) => b.count - a.count);
  if (canonical) {
    const counts = new Map(values.map((v) => [String(v.value), v.count]));
    return canonical.filter((v) => startsWith(v, ctx.prefix))
      .map((v) => ({ text: v, description: volume(counts.get(v) ?? 0, ctx.source), kind: 'value' }));
  }
  return values.filter((v) => startsWith(String(v.value), ctx.prefix))
    .map((v) => ({ text: quoteIfNeeded(String(v.value)), description: volume(v.count, ctx.source), kind: 'value' }));
}

/** The seed's wording: `12,345 logs` over the value window. */
function volume(count: number, source: Source): string {
  const noun = source === 'logs' ? 'logs' : source === 'events' ? 'events' : 'alert events';
  return `${count.toLocaleString('en-US')} ${count === 1 ? noun.replace(/s$/, '') : noun}`;
}

function fixed(list: string[], kind: ContextKind, prefix: string, describe: (t: string) => string): Suggestion[] {
  return list.filter((t) => startsWith(t, prefix)).map((text) => ({ text, description: describe(text), kind }));
}

async function suggestionsFor(ctx: CompletionContext, schema: SchemaProvider, discovered: FieldInfo[]): Promise<Suggestion[]> {
  const fields = ctx.alsoFields || ctx.kind === 'field' ? fieldSuggestions(ctx.source, discovered, ctx.prefix) : [];
  switch (ctx.kind) {
    case 'stage': return [...fixed(STAGES, 'stage', ctx.prefix, () => 'pipeline stage'), ...fields];
    case 'keyword': return [...fixed(['and', 'or', 'not', '|', 'by'], 'keyword', ctx.prefix, () => 'keyword'), ...fields];
    case 'field': return fields;
    case 'operator': return OPERATORS.filter(([t]) => startsWith(t, ctx.prefix)).map(([text, description]) => ({ text, description, kind: 'operator' }));
    case 'value': return valueSuggestions(ctx, schema);
    case 'source': return fixed([...SOURCES], 'source', ctx.prefix, (t) => `query ${t}`);
    case 'duration': return fixed(DURATIONS, 'duration', ctx.prefix, () => 'duration');
    case 'timestamp': return fixed(['-1h', '-24h', '-7d', 'now'], 'timestamp', ctx.prefix, () => 'relative time');
  }
}

/** Partial-mode parse of GQL at `cursor` (default: end of `q`) with suggestions from `schema`. */
export async function autocomplete(
  q: string, cursor: number | undefined, source: Source | undefined, schema: SchemaProvider, now: Date = new Date(),
): Promise<AutocompleteResult> {
  const at = Math.max(0, Math.min(cursor ?? q.length, q.length));
  const src = detectSource(tolerantTokens(q), source ?? 'logs');
  const discovered = await schema.fields(src);
  const context = completionContext(q, at, src, new Set(discovered.map((f) => f.key)));
  const suggestions = await suggestionsFor(context, schema, discovered);
  try {
    const query = parseGql(q, { source, now });
    return { suggestions, valid: true, parsed: { source: query.source, filters: echoQuery(query).filters }, context };
  } catch (e) {
    if (!(e instanceof QueryError)) throw e;
    return { suggestions, valid: false, parsed: { source: context.source, filters: [] }, error: e.toJSON(), context };
  }
}
