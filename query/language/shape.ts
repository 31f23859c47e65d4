// DuckDB rows -> the response bodies of section 14, per dialect.
import type { FieldRef, Query, Source } from './ast.js';
import { encodeCursor, type Cursor } from './cursor.js';
import { echoQuery, type QueryEcho } from './echo.js';
import { hasResource } from '../../core/tables.js';
import { COLUMNS, fieldClass, hasProperties } from './fields.js';
import { AGG, searchPlan } from './pipeline.js';
import { mapEntries, toBool, toCursorTs, toIso, toList, toNumber, toText, typedValue } from './values.js';

type Raw = Record<string, unknown>;
type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
export type Row = Record<string, Json>;

export interface SearchData { mode: 'search'; table: Source; results: Row[]; has_more: boolean; next_cursor?: Cursor }
export interface AggregateData { mode: 'aggregate'; table: Source; results: Row[]; total_groups: number }
export interface GqlBody { query: QueryEcho; data: SearchData | AggregateData }
export interface KqlBody { results: Row[]; has_more: boolean; next_cursor: string | null }
export interface StructuredBody { results: Row[]; hasMore: boolean; nextCursor: string | null }

function properties(raw: Raw): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of mapEntries(raw.attrs_str)) out[k] = toText(v);
  for (const [k, v] of mapEntries(raw.attrs_num)) out[k] = toNumber(v);
  for (const [k, v] of mapEntries(raw.attrs_bool)) out[k] = toBool(v);
  return out;
}

function resource(raw: Raw): Record<string, Json> {
  return Object.fromEntries(mapEntries(raw.resource).map(([k, v]) => [k, toText(v)]));
}

/** A column value as JSON, by the column's class. */
function columnValue(name: string, v: unknown, source: Source): Json {
  switch (fieldClass({ kind: 'column', name, written: name }, source)) {
    case 'time': return toIso(v);
    case 'number': return toNumber(v);
    case 'tags': return (toList(v) ?? []).map((t) => toText(t));
    default: return toText(v);
  }
}

function fieldValue(raw: Raw, field: FieldRef, source: Source): Json {
  if (field.kind === 'column') return columnValue(field.name, raw[field.name], source);
  if (field.kind === 'resource') return toText(mapEntries(raw.resource).find(([k]) => k === field.key)?.[1]);
  if (!hasProperties(source)) return null;
  return properties(raw)[field.key] ?? null;
}

function columns(raw: Raw, names: string[], source: Source): Row {
  return Object.fromEntries(names.map((n) => [n, columnValue(n, raw[n], source)]));
}

/** Section 14.1 row shapes, or the `fields` projection of 12.4. */
export function searchRow(raw: Raw, q: Query): Row {
  if (q.fields) {
    const row: Row = { id: toText(raw.id), timestamp: toIso(raw.timestamp) };
    for (const f of q.fields) row[f.written] = fieldValue(raw, f, q.source);
    return row;
  }
  const row = columns(raw, Object.keys(COLUMNS[q.source]), q.source);
  if (hasProperties(q.source)) row.properties = properties(raw);
  if (hasResource(q.source)) row.resource = resource(raw);
  return row;
}

const NESTED_PREFIXES = ['actor', 'target', 'context', 'metadata'] as const;

/** Undoes ingest's prefix flattening (section 3.2) for the Logtrail LogEntry shape. */
function nest(flat: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [path, value] of Object.entries(flat)) {
    const parts = path.split('.');
    let node = out;
    let i = 0;
    for (; i < parts.length - 1; i++) {
      const next = node[parts[i]];
      if (next === undefined) node = node[parts[i]] = {};
      else if (next !== null && typeof next === 'object' && !Array.isArray(next)) node = next;
      else break;
    }
    node[parts.slice(i).join('.')] = value;
  }
  return out;
}

/** Logtrail's LogEntry (section 14.2). */
export function logEntry(raw: Raw): Row {
  const props = properties(raw);
  const entry: Row = {
    id: toText(raw.id),
    environment: toText(raw.environment),
    level: toText(raw.severity),
    action: toText(raw.action),
    message: toText(raw.message),
    tags: (toList(raw.tags) ?? []).map((t) => toText(t)),
  };
  for (const prefix of NESTED_PREFIXES) {
    const flat = Object.fromEntries(Object.entries(props)
      .filter(([k]) => k.startsWith(`${prefix}.`)).map(([k, v]) => [k.slice(prefix.length + 1), v]));
    entry[prefix] = nest(flat);
  }
  entry.client_timestamp = toIso(raw.timestamp);
  entry.server_timestamp = toIso(raw.observed_timestamp);
  return entry;
}

/**
 * PostHog's log row (seed 001) plus `id`, the row key every search surface shares. PostHog's columns are
 * not nullable and its attribute maps hold strings, so absent values read as PostHog's own defaults (zero
 * trace/span ids, empty body) and attributes as their text form; the service, when the resource does not
 * name it, is the OTel `service.name` resource attribute, where PostHog keeps it.
 */
export function posthogRow(raw: Raw): Row {
  const id = toText(raw.id);
  const severity = toText(raw.severity);
  const attributes = Object.fromEntries(Object.entries(properties(raw)).map(([k, v]) => [k, String(v)]));
  const resourceAttributes = resource(raw);
  const service = toText(raw.service);
  if (service !== null && !('service.name' in resourceAttributes)) resourceAttributes['service.name'] = service;
  return {
    id,
    uuid: id,
    timestamp: toIso(raw.timestamp),
    observed_timestamp: toIso(raw.observed_timestamp),
    body: toText(raw.message) ?? '',
    severity_text: severity,
    severity_number: toNumber(raw.severity_number),
    level: severity,
    trace_id: toText(raw.trace_id) ?? '00000000000000000000000000000000',
    span_id: toText(raw.span_id) ?? '0000000000000000',
    trace_flags: toNumber(raw.trace_flags) ?? 0,
    attributes,
    resource_attributes: resourceAttributes,
    event_name: toText(raw.action) ?? '',
  };
}

export interface SearchPage { rows: Raw[]; hasMore: boolean; nextCursor: Cursor | null }

/** Trims the look-ahead row (or reads `_total`) into has_more and the keyset cursor (12.2, 12.3). */
export function searchPage(q: Query, raw: Raw[]): SearchPage {
  const plan = searchPlan(q);
  const hasMore = plan.extraRow ? raw.length > plan.returned : raw.length > 0 && (toNumber(raw[0][AGG.total]) ?? 0) > plan.returned;
  const rows = raw.slice(0, plan.returned);
  const last = rows[rows.length - 1];
  const nextCursor = hasMore && last ? { ts: toCursorTs(last.timestamp) ?? '', id: String(last.id) } : null;
  return { rows, hasMore, nextCursor };
}

function groupValue(raw: Raw, field: FieldRef, i: number, source: Source): Json {
  if (field.kind === 'property' && hasProperties(source)) {
    return typedValue(raw[AGG.typedKey(i, 's')], raw[AGG.typedKey(i, 'n')], raw[AGG.typedKey(i, 'b')]);
  }
  const v = raw[AGG.key(i)];
  return field.kind === 'column' ? columnValue(field.name, v, source) : toText(v);
}

export function aggregateData(q: Query, raw: Raw[]): AggregateData {
  const agg = q.aggregate!;
  const grouped = agg.groupBy.length > 0 || q.timeslice !== null;
  const results = raw.map((r) => {
    if (agg.view === 'patterns') {
      return { pattern_id: toText(r[AGG.key(0)]), template: toText(r[AGG.template]), count: toNumber(r[AGG.value]), first_seen: toIso(r[AGG.firstSeen]), last_seen: toIso(r[AGG.lastSeen]), sample: toText(r[AGG.sample]) };
    }
    const row: Row = {};
    if (q.timeslice) row.time = toIso(r[AGG.time]);
    agg.groupBy.forEach((f, i) => { row[f.written] = groupValue(r, f, i, q.source); });
    row.value = toNumber(r[AGG.value]);
    return row;
  });
  const total = grouped ? (raw.length ? toNumber(raw[0][AGG.groups]) ?? 0 : 0) : 1;
  return { mode: 'aggregate', table: q.source, results, total_groups: total };
}

export function gqlBody(q: Query, raw: Raw[]): GqlBody {
  if (q.aggregate) return { query: echoQuery(q), data: aggregateData(q, raw) };
  const page = searchPage(q, raw);
  const data: SearchData = {
    mode: 'search', table: q.source, results: page.rows.map((r) => searchRow(r, q)), has_more: page.hasMore,
  };
  if (page.nextCursor) data.next_cursor = page.nextCursor;
  return { query: echoQuery(q), data };
}

/** LogTrace pages with an opaque cursor (a `cursor` request member), as the PostHog surface does. */
export function kqlBody(q: Query, raw: Raw[]): KqlBody {
  const page = searchPage(q, raw);
  return {
    results: page.rows.map((r) => searchRow(r, q)),
    has_more: page.hasMore,
    next_cursor: page.nextCursor ? encodeCursor(page.nextCursor) : null,
  };
}

export function structuredBody(q: Query, raw: Raw[]): StructuredBody {
  const page = searchPage(q, raw);
  return {
    results: page.rows.map(posthogRow),
    hasMore: page.hasMore,
    nextCursor: page.nextCursor ? encodeCursor(page.nextCursor) : null,
  };
}

/** Logtrail answers the bare LogEntry array and puts paging into headers. */
export function lcqlBody(q: Query, raw: Raw[]): { body: Row[]; headers: Record<string, string> } {
  const page = searchPage(q, raw);
  const headers: Record<string, string> = { 'X-Has-More': String(page.hasMore) };
  if (page.nextCursor) {
    headers['X-Next-Cursor-TS'] = page.nextCursor.ts;
    headers['X-Next-Cursor-ID'] = page.nextCursor.id;
  }
  return { body: page.rows.map(logEntry), headers };
}
