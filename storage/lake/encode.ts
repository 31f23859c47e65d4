import type { AlertEventRecord, EventRecord, LogRecord, Properties, RecordOf, Table } from '../../core/records.js';
import { columnsOf, type StoredRow } from '../../core/tables.js';

type TypedMaps = Partial<Pick<StoredRow<'logs'>, 'attrs_str' | 'attrs_num' | 'attrs_bool'>>;

/**
 * Splits flat properties by JSON type. Whatever a pipeline left unflattened is stored as JSON text, as
 * arrays are; nulls are dropped (absent and null are the same thing to a query). A map with no key is left
 * out (undefined): the staged line omits it and the writer's read fills in the empty map.
 */
export function splitProperties(props: Properties): TypedMaps {
  const maps: TypedMaps = { attrs_str: undefined, attrs_num: undefined, attrs_bool: undefined };
  for (const key in props) {
    const v = props[key];
    if (v === null || v === undefined) continue;
    if (typeof v === 'string') (maps.attrs_str ??= {})[key] = v;
    else if (typeof v === 'number') {
      if (Number.isFinite(v)) (maps.attrs_num ??= {})[key] = v;
      else (maps.attrs_str ??= {})[key] = String(v);
    } else if (typeof v === 'boolean') (maps.attrs_bool ??= {})[key] = v;
    else if (typeof v === 'bigint') (maps.attrs_num ??= {})[key] = Number(v);
    else (maps.attrs_str ??= {})[key] = JSON.stringify(v);
  }
  return maps;
}

/*
 * The staged line leaves out what the writer's read restores (`parquet.ts`: a missing key is NULL, a
 * missing list or map is empty): nulls, `[]` and `{}` were a fifth of every line's bytes, paid again on the
 * bus, in the staging file and in DuckDB's JSON reader. JSON.stringify skips keys whose value is undefined.
 */
function omitNull<V>(v: V | null): V | undefined {
  return v === null ? undefined : v;
}

function omitEmpty<V extends object>(v: V): V | undefined {
  for (const _ in v) return v;
  return undefined;
}

/** How each staged column's value is taken from a record and its properties split by type; undefined is left out. */
type Values<R> = { readonly [column: string]: (r: R, maps: TypedMaps) => unknown };

type Stored = LogRecord | EventRecord;

// The columns logs and events share, first in both.
const SHARED_VALUES: Values<Stored> = {
  id: (r) => r.id,
  project_id: (r) => r.project_id,
  environment: (r) => r.environment,
  timestamp: (r) => r.timestamp,
  observed_timestamp: (r) => r.observed_timestamp,
};

const MAP_VALUES: Values<Stored> = {
  attrs_str: (_, maps) => maps.attrs_str,
  attrs_num: (_, maps) => maps.attrs_num,
  attrs_bool: (_, maps) => maps.attrs_bool,
};

// encode.test.ts holds these keys and their order to core/tables.ts.
const LOG_VALUES: Values<LogRecord> = {
  ...SHARED_VALUES,
  severity: (r) => r.severity,
  severity_number: (r) => r.severity_number,
  message: (r) => omitNull(r.message),
  service: (r) => omitNull(r.service),
  action: (r) => omitNull(r.action),
  tags: (r) => (r.tags.length === 0 ? undefined : r.tags),
  trace_id: (r) => omitNull(r.trace_id),
  span_id: (r) => omitNull(r.span_id),
  trace_flags: (r) => omitNull(r.trace_flags),
  ...MAP_VALUES,
  resource: (r) => omitEmpty(r.resource),
  receiver: (r) => r.receiver,
};

const EVENT_VALUES: Values<EventRecord> = {
  ...SHARED_VALUES,
  event: (r) => r.event,
  distinct_id: (r) => omitNull(r.distinct_id),
  ...MAP_VALUES,
};

// An alert event is already its stored row.
const ALERT_VALUES: Values<AlertEventRecord> = Object.fromEntries(
  columnsOf('alert_events').map(({ name }) => [name, (r: AlertEventRecord) => omitNull(r[name as keyof AlertEventRecord])]),
);

const VALUES: { [T in Table]: Values<RecordOf[T]> } = { logs: LOG_VALUES, events: EVENT_VALUES, alert_events: ALERT_VALUES };

const NO_PROPERTIES: TypedMaps = {};
const mapsOf = (record: object): TypedMaps => ('properties' in record ? splitProperties(record.properties as Properties) : NO_PROPERTIES);

/** One record as a line of the lake's staging NDJSON (the columns of `schema.ts`). */
export function encodeRow<T extends Table>(table: T, record: RecordOf[T]): string {
  const values = VALUES[table] as Values<RecordOf[T]>;
  const maps = mapsOf(record);
  const row: Record<string, unknown> = {};
  for (const name in values) row[name] = values[name](record, maps);
  return JSON.stringify(row);
}

/**
 * How a columnar payload begins: no row line does (a row's first key is a column name), so a writer
 * tells the two bus formats apart by these bytes alone, and a payload is still one JSON document.
 */
export const COLUMNS_MARK = '{"$columns":1,';
const MARK = Buffer.from(COLUMNS_MARK);

/** Whether a bus payload (or a dead letter's data) is columnar rather than rows as NDJSON. */
export function isColumnar(data: Uint8Array): boolean {
  return data.length >= MARK.length && MARK.equals(data.subarray(0, MARK.length));
}

/**
 * A columnar payload, parsed: `n` rows; `k` the columns whose value is the same in every row (once), `l`
 * the others as lists of `n` (null where a row has none). A column in neither is null (or empty) in
 * every row. The writer reads `k` and `l` with DuckDB and unnests the lists (`parquet.ts`).
 */
export interface Columns {
  $columns: 1;
  n: number;
  k: Record<string, unknown>;
  l: Record<string, unknown[]>;
}

/**
 * Records of one partition as one columnar payload, one line of JSON: the same values as their staged
 * rows (`encodeRow`), with each column's values listed together and a column that holds one value in every
 * row (project, environment, observed time, receiver) written once. One JSON.stringify for the lot costs
 * half what one per row did, and the payload is about half the bytes.
 */
export function encodeColumns<T extends Table>(table: T, records: readonly RecordOf[T][]): string {
  const values = VALUES[table] as Values<RecordOf[T]>;
  // Column by column from the records, with no row object between: building one per record cost more than the JSON.stringify of the lot.
  const maps = records.map(mapsOf);
  const k: Record<string, unknown> = {};
  const l: Record<string, unknown[]> = {};
  for (const name in values) {
    const value = values[name];
    const list = new Array<unknown>(records.length);
    let same = true;
    let first: unknown;
    for (let i = 0; i < records.length; i++) {
      const v = value(records[i], maps[i]) ?? undefined;
      list[i] = v;
      if (i === 0) first = v;
      else if (v !== first) same = false;
    }
    // The id is always listed, so that the lists say how many rows there are even when all else is the same.
    if (!same || name === 'id') l[name] = list;
    // Null in every row (or an empty list or map, which the row form leaves out too): left out.
    else if (first !== undefined) k[name] = first;
  }
  return `${COLUMNS_MARK}"n":${records.length},"k":${JSON.stringify(k)},"l":${JSON.stringify(l)}}\n`;
}

/** A columnar payload parsed back (the dead letters keep it as rows, which a person can read and mend). */
export function parseColumns(data: Uint8Array): Columns {
  return JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as Columns;
}

/** A columnar payload's rows as staged NDJSON lines, the same as `encodeRow` writes them. */
export function columnsToRows(table: Table, columns: Columns): string[] {
  const names = columnsOf(table).map((c) => c.name);
  const lines: string[] = [];
  for (let i = 0; i < columns.n; i++) {
    const row: Record<string, unknown> = {};
    for (const name of names) {
      const v = name in columns.k ? columns.k[name] : columns.l[name]?.[i];
      if (v !== null && v !== undefined) row[name] = v;
    }
    lines.push(JSON.stringify(row));
  }
  return lines;
}
