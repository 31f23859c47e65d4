import { newRecordId } from '../../../core/ids.js';
import { ENVIRONMENTS, type LogRecord } from '../../../core/records.js';
import { normalizeSeverity, severityNumber } from '../../../core/severity.js';
import { parseInstant } from '../../../core/time.js';
import { isObject, takeFirst, type Doc } from '../../../core/doc-fields.js';

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

/** Takes ownership of `doc`: mapped fields are removed from it. */
export function toLogRecord(doc: Doc, target: Target, now: string): LogRecord {
  delete doc['@version'];
  const timestamp = takeFirst(doc, [['@timestamp'], ['timestamp']], instant) ?? now;
  const level = takeFirst(doc, [['level'], ['severity'], ['log', 'level'], ['loglevel']], normalizeSeverity);
  const severity = level ?? 'info';
  const message = takeFirst(doc, [['message']], scalarText);
  const host = takeFirst(doc, [['host'], ['host', 'name'], ['host', 'hostname']], text);
  const service = takeFirst(doc, [['service'], ['service', 'name']], text);
  const env = takeFirst(doc, [['environment']], environment) ?? target.defaultEnvironment;
  const tags = takeFirst(doc, [['tags']], tagList) ?? [];
  const fields = takeFirst(doc, [['fields']], object) ?? {};
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
