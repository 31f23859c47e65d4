import { newRecordId } from '../../../core/ids.js';
import { ENVIRONMENTS, type LogRecord } from '../../../core/records.js';
import { normalizeSeverity, severityFromNumber, severityNumber } from '../../../core/severity.js';
import { isoFromMicros } from '../../../core/time.js';
import type { ApiKey } from '../../../storage/meta/store.js';
import { allowsEnvironment, defaultEnvironment } from '../../../server/key-grants.js';
import type { ExportLogsRequest, Int64, LogRecordMessage } from './proto.js';
import { fromAnyValue, fromKeyValues, microsOf, stringifyValues } from './values.js';

/** Where a request's records go: the project, and the key that may limit their environments (null: auth is off). */
export interface Target {
  projectId: string;
  key: ApiKey | null;
}

export interface Mapped {
  records: LogRecord[];
  rejected: number;
  /** Distinct reasons for the rejected records, the first few. */
  reasons: string[];
}

const MAX_REASONS = 5;

/** The fields every record of one resource and scope shares. */
type Shared = Pick<LogRecord, 'project_id' | 'environment' | 'resource' | 'service'> & { scope: Record<string, string>; now: string };

/**
 * `deployment.environment.name` (current semantic conventions) or `deployment.environment` (older), when
 * it names a loglake environment; else the default, or the key's own when it may not write the default.
 */
function environmentOf(resource: Record<string, string>, key: ApiKey | null, fallback: string): { environment: string } | { error: string } {
  const named = (resource['deployment.environment.name'] ?? resource['deployment.environment'])?.trim().toLowerCase();
  const known = named !== undefined && (ENVIRONMENTS as readonly string[]).includes(named);
  if (!key) return { environment: known ? named : fallback };
  const environment = known ? named : defaultEnvironment(key, fallback);
  if (!allowsEnvironment(key, environment)) return { error: `environment ${environment}: this API key may only write ${key.environments!.join(', ')}` };
  return { environment };
}

/** Lowercase hex; an empty or all-zero id means "no trace context" (null). */
function hexId(bytes: Uint8Array | null | undefined, size: number, field: string): string | null | { error: string } {
  if (!bytes || bytes.length === 0) return null;
  if (bytes.length !== size) return { error: `${field}: must be ${size} bytes, got ${bytes.length}` };
  if (bytes.every((b) => b === 0)) return null;
  // A view of the decoded body's bytes, not a copy.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Nanoseconds since the epoch as an ISO instant with microseconds; null for 0 (unset). */
function instant(nanos: Int64 | null | undefined): string | null {
  const micros = microsOf(nanos);
  return micros === 0 ? null : isoFromMicros(micros);
}

/**
 * A string body is the message. A structured body (kvlist or array) becomes its JSON text as the message,
 * so the record reads whole in a list, and is also kept as the `body` property, which the flatten processor
 * spreads into `body.<key>` paths that queries can filter on. Other scalars become their text.
 */
function bodyOf(record: LogRecordMessage): { message: string | null; structured?: unknown } {
  const value = fromAnyValue(record.body);
  if (value === null || value === undefined) return { message: null };
  if (typeof value === 'object') return { message: JSON.stringify(value), structured: value };
  return { message: String(value) };
}

function toLogRecord(record: LogRecordMessage, shared: Shared): LogRecord | { error: string } {
  const traceId = hexId(record.traceId, 16, 'trace_id');
  if (traceId !== null && typeof traceId === 'object') return traceId;
  const spanId = hexId(record.spanId, 8, 'span_id');
  if (spanId !== null && typeof spanId === 'object') return spanId;

  const observed = instant(record.observedTimeUnixNano);
  const timestamp = instant(record.timeUnixNano) ?? observed ?? shared.now;
  const number = record.severityNumber ?? 0;
  const level = severityFromNumber(number) ?? normalizeSeverity(record.severityText);
  const severity = level ?? 'info';
  const { message, structured } = bodyOf(record);
  const attributes = fromKeyValues(record.attributes);
  const eventAttribute = attributes['event.name'];
  const flags = record.flags ?? 0;
  return {
    id: newRecordId(),
    project_id: shared.project_id,
    environment: shared.environment,
    timestamp,
    observed_timestamp: observed ?? shared.now,
    severity,
    severity_number: severityFromNumber(number) ? number : severityNumber(severity),
    message,
    service: shared.service,
    action: record.eventName || (typeof eventAttribute === 'string' && eventAttribute !== '' ? eventAttribute : null),
    tags: [],
    trace_id: traceId,
    span_id: spanId,
    // The low byte of `flags` is the W3C trace flags; a record outside any trace has none.
    trace_flags: traceId !== null || flags !== 0 ? flags & 0xff : null,
    // Record attributes win over the body's keys; the scope's name and version are loglake's own keys.
    // `attributes` is this record's own object: most records (no structured body) take the scope's keys into it
    // rather than being spread into a new one.
    properties: structured === undefined ? Object.assign(attributes, shared.scope) : { body: structured, ...attributes, ...shared.scope },
    resource: shared.resource,
    receiver: 'otlp',
    severity_defaulted: level === null,
  };
}

/** One OTLP request → the canonical records of one project, and what was refused (reported as partial success). */
export function toLogRecords(request: ExportLogsRequest, target: Target, fallbackEnvironment: string, now: string): Mapped {
  const out: Mapped = { records: [], rejected: 0, reasons: [] };
  const reject = (reason: string, count = 1) => {
    out.rejected += count;
    if (out.reasons.length < MAX_REASONS && !out.reasons.includes(reason)) out.reasons.push(reason);
  };
  for (const resourceLogs of request.resourceLogs ?? []) {
    const resource = stringifyValues(fromKeyValues(resourceLogs.resource?.attributes));
    const env = environmentOf(resource, target.key, fallbackEnvironment);
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      const records = scopeLogs.logRecords ?? [];
      if ('error' in env) {
        if (records.length > 0) reject(env.error, records.length);
        continue;
      }
      const scope: Record<string, string> = {};
      if (scopeLogs.scope?.name) scope['otel.scope.name'] = scopeLogs.scope.name;
      if (scopeLogs.scope?.version) scope['otel.scope.version'] = scopeLogs.scope.version;
      const shared: Shared = { project_id: target.projectId, environment: env.environment, resource, service: resource['service.name'] ?? null, scope, now };
      for (const record of records) {
        try {
          const mapped = toLogRecord(record, shared);
          if ('error' in mapped) reject(mapped.error);
          else out.records.push(mapped);
        } catch (err) {
          // Input no mapping foresaw (say, a body nested deeper than the stack) costs that record, not the request.
          reject(`log record could not be read: ${(err as Error).message}`);
        }
      }
    }
  }
  return out;
}
