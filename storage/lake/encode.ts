import type { AlertEventRecord, EventRecord, LogRecord, Properties, RecordOf, Table } from '../../core/records.js';
import type { StoredRow } from '../../core/tables.js';

type TypedMaps = Pick<StoredRow<'logs'>, 'attrs_str' | 'attrs_num' | 'attrs_bool'>;

/**
 * Splits flat properties by JSON type. Whatever a pipeline left unflattened is stored as JSON text, as
 * arrays are; nulls are dropped (absent and null are the same thing to a query).
 */
export function splitProperties(props: Properties): TypedMaps {
  const maps: TypedMaps = { attrs_str: {}, attrs_num: {}, attrs_bool: {} };
  for (const key in props) {
    const v = props[key];
    if (v === null || v === undefined) continue;
    if (typeof v === 'string') maps.attrs_str[key] = v;
    else if (typeof v === 'number') {
      if (Number.isFinite(v)) maps.attrs_num[key] = v;
      else maps.attrs_str[key] = String(v);
    } else if (typeof v === 'boolean') maps.attrs_bool[key] = v;
    else if (typeof v === 'bigint') maps.attrs_num[key] = Number(v);
    else maps.attrs_str[key] = JSON.stringify(v);
  }
  return maps;
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
    message: r.message,
    service: r.service,
    action: r.action,
    tags: r.tags,
    trace_id: r.trace_id,
    span_id: r.span_id,
    trace_flags: r.trace_flags,
    attrs_str: maps.attrs_str,
    attrs_num: maps.attrs_num,
    attrs_bool: maps.attrs_bool,
    resource: r.resource,
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
    distinct_id: r.distinct_id,
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
