import { newRecordId } from '../../../core/ids.js';
import { ENVIRONMENTS, type LogRecord } from '../../../core/records.js';
import { normalizeSeverity, severityNumber } from '../../../core/severity.js';
import { isObject, takeFirst, type Doc } from '../../../core/doc-fields.js';
import { parseInstant } from '../../../core/time.js';

/**
 * A Logstash event → the canonical log record. A field is consumed only when its value maps (an
 * unparseable `@timestamp` or an unknown `level` stays in the properties rather than vanishing); every
 * other field becomes a property, nested objects kept nested for the flatten processor.
 */

export interface Target {
  projectId: string;
  defaultEnvironment: string;
}

const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : null);
const scalarText = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null);
const instant = (v: unknown) => (typeof v === 'string' ? parseInstant(v) : null);
const environment = (v: unknown) => {
  const env = typeof v === 'string' ? v.trim().toLowerCase() : null;
  return env !== null && (ENVIRONMENTS as readonly string[]).includes(env) ? env : null;
};
const tagList = (v: unknown) => {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.map((t) => (typeof t === 'string' ? t : JSON.stringify(t))) : null;
};
const object = (v: unknown) => (isObject(v) ? v : null);

interface Column {
  /** Where the column is looked for, in order. */
  paths: readonly (readonly string[])[];
  /** Every top-level key `take` reads for those paths (`log.level`, `log`): an event holding none lacks the column. */
  keys: readonly string[];
}

const column = (...paths: string[][]): Column => ({ paths, keys: [...new Set(paths.flatMap((p) => [p.join('.'), p[0]]))] });

const TIMESTAMP = column(['@timestamp'], ['timestamp']);
const LEVEL = column(['level'], ['severity'], ['log', 'level'], ['loglevel']);
const MESSAGE = column(['message']);
const HOST = column(['host'], ['host', 'name'], ['host', 'hostname']);
const SERVICE = column(['service'], ['service', 'name']);
const ENVIRONMENT = column(['environment']);
const TAGS = column(['tags']);
const FIELDS = column(['fields']);

/**
 * `takeFirst` of the column's paths, when the event holds one of its keys: take joins each path into its
 * dotted key per call, and a fresh string costs a property lookup far more than a constant one does.
 */
function takeColumn<T>(doc: Doc, { paths, keys }: Column, convert: (value: unknown) => T | null): T | null {
  for (const k of keys) if (Object.hasOwn(doc, k)) return takeFirst(doc, paths, convert);
  return null;
}

/** Takes ownership of `doc`: mapped fields are removed from it. */
export function toLogRecord(doc: Doc, target: Target, now: string): LogRecord {
  // The columns' fields are disjoint, so the order they are taken in changes nothing but speed: from the
  // back, as shippers write the time first and custom fields last, each delete is mostly of the object's
  // last property, which V8 undoes in place instead of turning the object into a dictionary.
  const fields = takeColumn(doc, FIELDS, object) ?? {};
  const tags = takeColumn(doc, TAGS, tagList) ?? [];
  const env = takeColumn(doc, ENVIRONMENT, environment) ?? target.defaultEnvironment;
  const service = takeColumn(doc, SERVICE, text);
  const host = takeColumn(doc, HOST, text);
  const message = takeColumn(doc, MESSAGE, scalarText);
  const level = takeColumn(doc, LEVEL, normalizeSeverity);
  const severity = level ?? 'info';
  const timestamp = takeColumn(doc, TIMESTAMP, instant) ?? now;
  delete doc['@version'];
  const resource: Record<string, string> = {};
  if (host !== null) resource['host.name'] = host;
  if (service !== null) resource['service.name'] = service;
  return {
    id: newRecordId(),
    project_id: target.projectId,
    environment: env,
    timestamp,
    observed_timestamp: now,
    severity,
    severity_number: severityNumber(severity),
    message,
    service,
    action: null,
    tags,
    trace_id: null,
    span_id: null,
    trace_flags: null,
    // Beats' custom `fields` sit under the event's own fields: an explicit top-level field wins a clash.
    properties: { ...fields, ...doc },
    resource,
    receiver: 'logstash',
    severity_defaulted: level === null,
  };
}
