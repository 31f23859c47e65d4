import { z } from 'zod';
import { newRecordId } from '../../../core/ids.js';
import { isObject } from '../../../core/doc-fields.js';
import { ENVIRONMENTS, SEVERITIES, type LogRecord, type Properties } from '../../../core/records.js';
import { normalizeSeverity, severityNumber } from '../../../core/severity.js';
import type { ApiKey } from '../../../storage/meta/store.js';
import { allowsEnvironment } from '../../../server/key-grants.js';
import { parseInstant } from '../../../core/time.js';
import { jsonBytesAtMost } from '../json-size.js';
import { isNumber, isRecord, isTags, isText } from '../shapes.js';
import type { LogtraceConfig } from './config.js';

/**
 * One record of a LogTrace `{"logs": [...]}` batch → a canonical log, or why it is refused. The seed shows
 * `timestamp`, `level`, `message`, `service`; `level` and `message` are required, `timestamp` defaults to
 * the receive time. `environment`, `trace_id`, `span_id`, `action` and `tags` fill their columns;
 * `attributes`/`properties` are merged into the properties (so `attributes.user_id` and `user_id` both
 * find them), and every other field (`host`, `pod`, nested objects) becomes a property under its own name.
 */

const required = (what: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : `must be ${what}`) });
const object = z.record(z.string(), z.unknown(), 'must be an object');
const instant = z.string('must be an ISO 8601 timestamp string').optional();

export const logRecord = z.looseObject({
  timestamp: instant,
  '@timestamp': instant,
  level: z.union([z.string(), z.number()], required('a level name')),
  message: z.string(required('a string')),
  service: z.string('must be a string').nullish(),
  trace_id: z.string('must be a string').nullish(),
  span_id: z.string('must be a string').nullish(),
  action: z.string('must be a string').nullish(),
  tags: z.array(z.string('must be a string'), 'must be an array of strings').nullish(),
  attributes: object.nullish(),
  properties: object.nullish(),
  resource: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]), 'must be an object of strings, numbers or booleans').nullish(),
});

export type RecordCheck =
  | { ok: true; record: LogRecord }
  /** `forbidden`: the record names an environment outside the key's, which refuses the whole request (403). */
  | { ok: false; message: string; forbidden?: boolean };

interface Context {
  key: ApiKey;
  /** Where a record naming no environment goes: the request's `environment`, else the key's default. */
  environment: string;
  now: string;
  config: LogtraceConfig;
}

/** A sent environment, normalised (`Production` → `production`), or why it is refused. */
export function sentEnvironment(value: unknown, key: ApiKey): string | { message: string; forbidden: boolean } {
  const env = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!(ENVIRONMENTS as readonly string[]).includes(env)) return { message: `environment: must be one of ${ENVIRONMENTS.join(', ')}`, forbidden: false };
  if (!allowsEnvironment(key, env)) return { message: `environment: this key may not write to ${env}`, forbidden: true };
  return env;
}

type Fields = z.infer<typeof logRecord>;

/** The schema's fields and `environment` (read apart): every other field of a record is a property. */
const OWN = new Set([...Object.keys(logRecord.shape), 'environment']);

const isInstantText = (v: unknown) => v === undefined || typeof v === 'string';
const isRecordOrNone = (v: unknown) => v === undefined || v === null || isRecord(v);
const isResourceValue = (v: unknown) => typeof v === 'string' || typeof v === 'boolean' || isNumber(v);

function isResource(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (!isRecord(v)) return false;
  for (const k in v) if (!isResourceValue(v[k])) return false;
  return true;
}

/**
 * Whether a record passes `logRecord` as sent: the schema's checks by hand, as zod's parse of every record
 * was most of its mapping's time (zod's numbers are finite: JSON.parse makes `1e400` Infinity). One that
 * passes is used as sent; the schema would have copied it, less an own `"__proto__"` key, so a record
 * holding one is left to the schema. Any other record goes through the schema, which words the refusal.
 */
export function fitsLogRecord(v: Record<string, unknown>): v is Fields {
  if (Object.hasOwn(v, '__proto__') || !isInstantText(v.timestamp) || !isInstantText(v['@timestamp']) || typeof v.message !== 'string') return false;
  if (typeof v.level !== 'string' && !isNumber(v.level)) return false;
  if (!isText(v.service) || !isText(v.trace_id) || !isText(v.span_id) || !isText(v.action) || !isTags(v.tags)) return false;
  return isRecordOrNone(v.attributes) && isRecordOrNone(v.properties) && isResource(v.resource);
}

export function toLogRecord(raw: unknown, ctx: Context): RecordCheck {
  if (!isObject(raw)) return { ok: false, message: 'record: must be a JSON object' };
  const sent = raw.environment;
  const environment = sent === undefined || sent === null ? ctx.environment : sentEnvironment(sent, ctx.key);
  if (typeof environment !== 'string') return { ok: false, ...environment };
  if (!jsonBytesAtMost(raw, ctx.config.max_record_bytes)) {
    const bytes = Buffer.byteLength(JSON.stringify(raw));
    if (bytes > ctx.config.max_record_bytes) return { ok: false, message: `record: ${bytes} bytes; the limit is ${ctx.config.max_record_bytes}` };
  }
  let log: Fields;
  if (fitsLogRecord(raw)) log = raw;
  else {
    const parsed = logRecord.safeParse(raw);
    if (!parsed.success) {
      const [first] = parsed.error.issues;
      return { ok: false, message: `${first.path.join('.')}: ${first.message}` };
    }
    log = parsed.data;
  }
  const severity = normalizeSeverity(log.level);
  if (!severity) return { ok: false, message: `level: must be one of ${SEVERITIES.join(', ')} (got ${JSON.stringify(log.level)})` };
  const when = log.timestamp ?? log['@timestamp'];
  const timestamp = when === undefined ? ctx.now : parseInstant(when);
  if (!timestamp) return { ok: false, message: `timestamp: not an ISO 8601 timestamp: ${JSON.stringify(when).slice(0, 60)}` };
  // Assigned rather than spread (no key is `__proto__`, see above): the sent fields, then attributes, then properties win.
  const props: Properties = {};
  for (const k in log) if (!OWN.has(k)) props[k] = log[k];
  const { attributes, properties, resource } = log;
  if (attributes) for (const k in attributes) props[k] = attributes[k];
  if (properties) for (const k in properties) props[k] = properties[k];
  const res: Record<string, string> = {};
  if (resource) for (const k in resource) res[k] = String(resource[k]);
  return {
    ok: true,
    record: {
      id: newRecordId(),
      project_id: ctx.key.project_id,
      environment,
      timestamp,
      observed_timestamp: ctx.now,
      severity,
      severity_number: severityNumber(severity),
      message: log.message,
      service: log.service ?? res['service.name'] ?? (typeof props.service === 'string' ? props.service : null),
      action: log.action ?? null,
      tags: log.tags ?? [],
      trace_id: log.trace_id ?? null,
      span_id: log.span_id ?? null,
      trace_flags: null,
      properties: props,
      resource: res,
      receiver: 'logtrace',
    },
  };
}
