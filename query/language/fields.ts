// Field resolution (spec 2.2) and the class of every column (spec 10.1), per source.
import { columnsOf, hasPropertyMaps, hasResource, TABLE_SPECS, type ColumnClass, type QuerySpec } from '../../core/tables.js';
import type { Expr, FieldRef, Query, Source } from './ast.js';
import { PATTERN_ID_SQL, PATTERN_SQL, PATTERNED_LOGS } from '../patterns/lookup.js';

export type FieldClass = ColumnClass | 'property' | 'resource';

/** The source's query columns (those the declaration gives a class), in the order its rows present them. */
function queryColumns(source: Source): Record<string, QuerySpec> {
  const specs = new Map(columnsOf(source).map((c) => [c.name, c.query]));
  const out: Record<string, QuerySpec> = {};
  for (const name of TABLE_SPECS[source].row) {
    const query = specs.get(name);
    if (query) out[name] = query;
  }
  return out;
}

export const COLUMNS: Record<Source, Record<string, QuerySpec>> = {
  logs: queryColumns('logs'), events: queryColumns('events'), alert_events: queryColumns('alert_events'),
};

/** Lower-cased name or alias -> canonical column, per source (rule 3 is case-insensitive). */
const LOOKUP: Record<Source, Map<string, string>> = {
  logs: buildLookup(COLUMNS.logs), events: buildLookup(COLUMNS.events), alert_events: buildLookup(COLUMNS.alert_events),
};

function buildLookup(cols: Record<string, QuerySpec>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, def] of Object.entries(cols)) {
    map.set(name, name);
    for (const alias of def.aliases ?? []) map.set(alias.toLowerCase(), name);
  }
  return map;
}

/**
 * Fields computed from stored columns: filterable and groupable like a column (`count by pattern`), never part
 * of a row. `pattern` is the template of the message's mined pattern and `pattern_id` its id
 * (query/patterns/lookup.ts); a property of either name is `properties.pattern`.
 */
const DERIVED: Partial<Record<Source, Record<string, { cls: ColumnClass; sql: string }>>> = {
  logs: { pattern: { cls: 'text', sql: PATTERN_SQL }, pattern_id: { cls: 'identifier', sql: PATTERN_ID_SQL } },
};

/** The source's derived fields with their classes. */
export function derivedFields(source: Source): [name: string, cls: ColumnClass][] {
  return Object.entries(DERIVED[source] ?? {}).map(([name, d]) => [name, d.cls]);
}

/** Whether a field is a row's pattern. */
export function isPatternField(field: FieldRef): boolean {
  return field.kind === 'column' && (field.name === 'pattern' || field.name === 'pattern_id');
}

/** Whether a field of the filter passes `test`. */
export function filterHas(e: Expr | null, test: (field: FieldRef) => boolean): boolean {
  if (!e) return false;
  switch (e.op) {
    case 'and':
    case 'or':
      return e.args.some((a) => filterHas(a, test));
    case 'not':
      return filterHas(e.arg, test);
    case 'text':
      return false;
    default:
      return test(e.field);
  }
}

/** Whether the query reads a row's pattern (`pattern`, `pattern_id`, `| patterns`), anywhere. */
export function readsPatterns(q: Query): boolean {
  const sortKeys = q.post.flatMap((s) => (s.type === 'sort' ? s.keys.map((k) => resolveField(k.key, q.source)) : []));
  const fields = [...(q.aggregate?.groupBy ?? []), ...(q.aggregate?.field ? [q.aggregate.field] : []), ...(q.fields ?? []), ...sortKeys];
  return q.source === 'logs' && (filterHas(q.filter, isPatternField) || fields.some(isPatternField));
}

/** The relation a query's SQL reads: its source, or the logs with their patterns (query/patterns/lookup.ts). */
export function relationOf(q: Query): string {
  return readsPatterns(q) ? PATTERNED_LOGS : q.source;
}

/** The SQL of a derived column, or null for a stored one. */
export function derivedSql(name: string, source: Source): string | null {
  return DERIVED[source]?.[name]?.sql ?? null;
}

const PROPERTY_PREFIXES = ['properties.', 'attributes.', 'attrs.'];

/**
 * Property names that are columns: PostHog-style clients address the event's person as
 * `properties.distinct_id` (or `$distinct_id`), while ingest keeps it in the `distinct_id` column.
 */
const PROPERTY_COLUMNS: Partial<Record<Source, ReadonlySet<string>>> = {
  events: new Set(['distinct_id', '$distinct_id', 'distinctid']),
};

/** Section 2.2, in order. `written` is the field text after back-quote unescaping. */
export function resolveField(written: string, source: Source): FieldRef {
  for (const prefix of PROPERTY_PREFIXES) {
    if (written.startsWith(prefix) && written.length > prefix.length) {
      const key = written.slice(prefix.length);
      if (PROPERTY_COLUMNS[source]?.has(key.toLowerCase())) return { kind: 'column', name: LOOKUP[source].get(key.toLowerCase())!, written };
      return { kind: 'property', key, written };
    }
  }
  if (hasResource(source) && written.startsWith('resource.') && written.length > 'resource.'.length) {
    return { kind: 'resource', key: written.slice('resource.'.length), written };
  }
  const column = LOOKUP[source].get(written.toLowerCase());
  if (column) return { kind: 'column', name: column, written };
  if (DERIVED[source]?.[written.toLowerCase()]) return { kind: 'column', name: written.toLowerCase(), written };
  return { kind: 'property', key: written, written };
}

export function fieldClass(field: FieldRef, source: Source): FieldClass {
  if (field.kind !== 'column') return field.kind;
  return (COLUMNS[source][field.name] ?? DERIVED[source]![field.name]).cls;
}

/**
 * Whether sum/avg/min/max/pNN can read a number from the field: properties and resource attributes
 * may hold numbers, a column only when its class is number (`p95(message)` has no answer to give).
 */
export function hasNumericView(field: FieldRef, source: Source): boolean {
  return field.kind !== 'column' || fieldClass(field, source) === 'number';
}

/** Rule 6.2.10: the left side of `@` must be one of the source's full-text fields. */
export function isFullTextField(field: FieldRef, source: Source): boolean {
  return field.kind === 'column' && COLUMNS[source][field.name]?.fullText === true;
}

/** A source without property maps (alert_events): such fields resolve to nothing (spec 2.1). */
export function hasProperties(source: Source): boolean {
  return hasPropertyMaps(source);
}

/** Name used in echoes (`query.filters`, section 14.1). */
export function canonicalName(field: FieldRef): string {
  if (field.kind === 'column') return field.name;
  return field.kind === 'property' ? `properties.${field.key}` : `resource.${field.key}`;
}

export function sameField(a: FieldRef, b: FieldRef): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind === 'column' ? a.name === (b as typeof a).name : a.key === (b as typeof a).key;
}
