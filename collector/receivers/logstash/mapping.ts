import { newRecordId } from '../../../core/ids.js';
import { ENVIRONMENTS, type LogRecord } from '../../../core/records.js';
import { normalizeSeverity, severityNumber } from '../../../core/severity.js';
import { isObject, takeFirst, type Doc } from '../../../core/doc-fields.js';
import { readInstant } from '../instant.js';

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
const instant = (v: unknown) => (typeof v === 'string' ? readInstant(v) : null);
const environment = (v: unknown) => {
  const env = typeof v === 'string' ? v.trim().toLowerCase() : null;
  return env !== null && (ENVIRONMENTS as readonly string[]).includes(env) ? env : null;
};
const tagList = (v: unknown) => {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.map((t) => (typeof t === 'string' ? t : JSON.stringify(t))) : null;
};
const object = (v: unknown) => (isObject(v) ? v : null);

// Where each column is looked for, in order; made once rather than for every event.
const TIMESTAMP = [['@timestamp'], ['timestamp']];
const LEVEL = [['level'], ['severity'], ['log', 'level'], ['loglevel']];
const MESSAGE = [['message']];
const HOST = [['host'], ['host', 'name'], ['host', 'hostname']];
const SERVICE = [['service'], ['service', 'name']];
const ENVIRONMENT = [['environment']];
const TAGS = [['tags']];
const FIELDS = [['fields']];

/** Takes ownership of `doc`: mapped fields are removed from it. */
export function toLogRecord(doc: Doc, target: Target, now: string): LogRecord {
  // The columns' fields are disjoint, so the order they are taken in changes nothing but speed: from the
  // back, as shippers write the time first and custom fields last, each delete is mostly of the object's
  // last property, which V8 undoes in place instead of turning the object into a dictionary.
  const fields = takeFirst(doc, FIELDS, object) ?? {};
  const tags = takeFirst(doc, TAGS, tagList) ?? [];
  const env = takeFirst(doc, ENVIRONMENT, environment) ?? target.defaultEnvironment;
  const service = takeFirst(doc, SERVICE, text);
  const host = takeFirst(doc, HOST, text);
  const message = takeFirst(doc, MESSAGE, scalarText);
  const level = takeFirst(doc, LEVEL, normalizeSeverity);
  const severity = level ?? 'info';
  const timestamp = takeFirst(doc, TIMESTAMP, instant) ?? now;
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
