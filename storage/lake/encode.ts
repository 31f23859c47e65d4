import type { AlertEventRecord, EventRecord, LogRecord, Properties, RecordOf, Table } from '../../core/records.js';
import type { StoredRow } from '../../core/tables.js';

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

// Maps are assigned, not spread, into these literals: spreading into a many-keyed literal sends V8 down a slow path.
// encode.test.ts holds their keys and order to core/tables.ts.
function logRow(r: LogRecord): unknown {
  const maps = splitProperties(r.properties);
  return {
    id: r.id,
    project_id: r.project_id,
    environment: r.environment,
    timestamp: r.timestamp,
    observed_timestamp: r.observed_timestamp,
    severity: r.severity,
    severity_number: r.severity_number,
    message: omitNull(r.message),
    service: omitNull(r.service),
    action: omitNull(r.action),
    tags: r.tags.length === 0 ? undefined : r.tags,
    trace_id: omitNull(r.trace_id),
    span_id: omitNull(r.span_id),
    trace_flags: omitNull(r.trace_flags),
    attrs_str: maps.attrs_str,
    attrs_num: maps.attrs_num,
    attrs_bool: maps.attrs_bool,
    resource: omitEmpty(r.resource),
    receiver: r.receiver,
  };
}

function eventRow(r: EventRecord): unknown {
  const maps = splitProperties(r.properties);
  return {
    id: r.id,
    project_id: r.project_id,
    environment: r.environment,
    timestamp: r.timestamp,
    observed_timestamp: r.observed_timestamp,
    event: r.event,
    distinct_id: omitNull(r.distinct_id),
    attrs_str: maps.attrs_str,
    attrs_num: maps.attrs_num,
    attrs_bool: maps.attrs_bool,
  };
}

function alertRow(r: AlertEventRecord): unknown {
  return r;
}

const ROW: { [T in Table]: (r: RecordOf[T]) => unknown } = { logs: logRow, events: eventRow, alert_events: alertRow };

/** One record as a line of the lake's staging NDJSON (the columns of `schema.ts`). */
export function encodeRow<T extends Table>(table: T, record: RecordOf[T]): string {
  return JSON.stringify((ROW[table] as (r: RecordOf[T]) => unknown)(record));
}
