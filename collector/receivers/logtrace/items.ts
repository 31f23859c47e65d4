import { z } from 'zod';
import { newRecordId } from '../../../core/ids.js';
import { ENVIRONMENTS, SEVERITIES, type LogRecord } from '../../../core/records.js';
import { normalizeSeverity, severityNumber } from '../../../core/severity.js';
import { parseInstant } from '../../../core/time.js';
import type { ApiKey } from '../../../storage/meta/store.js';
import { allowsEnvironment } from '../../../server/key-grants.js';
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

const logRecord = z.looseObject({
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

export function toLogRecord(raw: unknown, ctx: Context): RecordCheck {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, message: 'record: must be a JSON object' };
  const sent = (raw as Record<string, unknown>).environment;
  const environment = sent === undefined || sent === null ? ctx.environment : sentEnvironment(sent, ctx.key);
  if (typeof environment !== 'string') return { ok: false, ...environment };
  const bytes = Buffer.byteLength(JSON.stringify(raw));
  if (bytes > ctx.config.max_record_bytes) return { ok: false, message: `record: ${bytes} bytes; the limit is ${ctx.config.max_record_bytes}` };
  const parsed = logRecord.safeParse(raw);
  if (!parsed.success) {
    const [first] = parsed.error.issues;
    return { ok: false, message: `${first.path.join('.')}: ${first.message}` };
  }
  const {
    timestamp: ts, '@timestamp': at, level, message, service, environment: _, trace_id, span_id, action, tags, attributes, properties, resource, ...rest
  } = parsed.data;
  const severity = normalizeSeverity(level);
  if (!severity) return { ok: false, message: `level: must be one of ${SEVERITIES.join(', ')} (got ${JSON.stringify(level)})` };
  const when = ts ?? at;
  const timestamp = when === undefined ? ctx.now : parseInstant(when);
  if (!timestamp) return { ok: false, message: `timestamp: not an ISO 8601 timestamp: ${JSON.stringify(when).slice(0, 60)}` };
  const props = { ...rest, ...attributes, ...properties };
  const res = Object.fromEntries(Object.entries(resource ?? {}).map(([k, v]) => [k, String(v)]));
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
      message,
      service: service ?? res['service.name'] ?? (typeof props.service === 'string' ? props.service : null),
      action: action ?? null,
      tags: tags ?? [],
      trace_id: trace_id ?? null,
      span_id: span_id ?? null,
      trace_flags: null,
      properties: props,
      resource: res,
      receiver: 'logtrace',
    },
  };
}
