/**
 * The canonical records: what every receiver produces, what the bus carries and what the lake stores.
 * Everything converts to and from these once.
 */
import type { Severity, StoredRow, Table } from './tables.js';

export { SEVERITIES, TABLES, type Severity, type Table } from './tables.js';

/** OTel severity number for the canonical level (the lowest number of its range). */
export const SEVERITY_NUMBER: Record<Severity, number> = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };

export const ENVIRONMENTS = ['production', 'staging', 'development'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** A stored property value. JSON null is never stored: absent and null are the same thing. */
export type PropertyValue = string | number | boolean;

/**
 * Properties as receivers hand them over: possibly nested, possibly holding arrays or nulls.
 * The flatten processor turns them into flat `PropertyValue`s; the lake encoder copes with leftovers.
 */
export type Properties = Record<string, unknown>;

/** ISO 8601 instant in UTC, `Z`-suffixed, millisecond or microsecond precision. */
export type Instant = string;

/** Records carry one property bag; the lake encoder splits it into the typed maps. */
type WithProperties<R> = Omit<R, 'attrs_str' | 'attrs_num' | 'attrs_bool'> & { properties: Properties };

export type LogRecord = WithProperties<StoredRow<'logs'>> & {
  /**
   * True when the receiver found no level it could read and used its default (`info`): only then may the
   * severity processor take one from a property. Lives in the pipeline only; the lake does not store it.
   */
  severity_defaulted?: boolean;
};

export type EventRecord = WithProperties<StoredRow<'events'>>;

export type AlertEventRecord = StoredRow<'alert_events'>;

export interface RecordOf {
  logs: LogRecord;
  events: EventRecord;
  alert_events: AlertEventRecord;
}

/** Where a batch came from: what enrichment processors may use. */
export interface BatchContext {
  receiver: string;
  /** The client address as the socket saw it. */
  remoteAddress?: string;
  /** Raw request headers (lower-case names), when the transport has any. */
  headers?: Record<string, string | string[] | undefined>;
  /**
   * Names the request the batch came from, the same on every retry of it: the bus message ids derive from
   * it, so a retried request is stored once. Absent, each batch gets fresh ids.
   */
  requestId?: string;
}

/** A batch of one table's records for one project: the unit that flows through a pipeline. */
export interface Batch<T extends Table = Table> {
  table: T;
  projectId: string;
  records: RecordOf[T][];
  context: BatchContext;
}
