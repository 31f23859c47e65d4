import { z } from 'zod';
import { validate as isUuid } from 'uuid';
import { newRecordId } from '../../../core/ids.js';
import { ENVIRONMENTS, type EventRecord, type LogRecord } from '../../../core/records.js';
import { normalizeSeverity, severityNumber } from '../../../core/severity.js';
import { parseInstant } from '../../../core/time.js';
import { isObject } from '../../../core/doc-fields.js';
import { isBagOrNone, isNumber, isTags, isText } from '../shapes.js';
import type { GoodlogsConfig } from './config.js';

/**
 * One GoodLogs batch item → a canonical record, or the reason it is rejected. Beyond the documented fields,
 * items may carry what a migration or replay needs (`id`, `observed_timestamp`, `environment`, `action`,
 * `tags`, `trace_id`, `span_id`, `resource`, `service`).
 */

// A plain-object check, not z.record: validating every key of every property bag was the costliest part of ingest.
const object = z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'expected an object');
const when = z.union([z.string(), z.number()]);

const common = {
  id: z.string().optional(),
  timestamp: when.optional(),
  observed_timestamp: when.optional(),
  environment: z.string().optional(),
  properties: object.nullish(),
};

export const logItem = z.object({
  ...common,
  severity: z.union([z.string(), z.number()]),
  message: z.string().nullish(),
  service: z.string().nullish(),
  action: z.string().nullish(),
  tags: z.array(z.string()).nullish(),
  trace_id: z.string().nullish(),
  span_id: z.string().nullish(),
  resource: object.nullish(),
  // Legacy and Logtrail-style objects, flattened under their own prefix (`metadata.status_code`).
  metadata: object.nullish(),
  context: object.nullish(),
  code_location: object.nullish(),
  actor: object.nullish(),
  target: object.nullish(),
});

export const eventItem = z.object({
  ...common,
  event: z.string().min(1),
  distinctId: z.union([z.string(), z.number()]).nullish(),
  distinct_id: z.union([z.string(), z.number()]).nullish(),
});

const PREFIXED = ['metadata', 'context', 'code_location', 'actor', 'target'] as const;

type LogItem = z.infer<typeof logItem>;
type EventItem = z.infer<typeof eventItem>;
type Bag = Record<string, unknown>;

/*
 * The same checks as the schemas above, by hand: zod's safeParse of every item was a tenth of ingest. An
 * item that passes here is one the schema passes unchanged (it drops unknown keys, which nothing reads);
 * any other item goes through the schema, which words the rejection.
 */
function isWhen(v: unknown): boolean {
  return v === undefined || typeof v === 'string' || isNumber(v);
}

function commonFits(v: Bag): boolean {
  return (v.id === undefined || typeof v.id === 'string') && isWhen(v.timestamp) && isWhen(v.observed_timestamp)
    && (v.environment === undefined || typeof v.environment === 'string') && isBagOrNone(v.properties);
}

export function fitsLogItem(v: unknown): v is LogItem {
  if (!isObject(v) || !commonFits(v)) return false;
  if (typeof v.severity !== 'string' && !isNumber(v.severity)) return false;
  if (!isText(v.message) || !isText(v.service) || !isText(v.action) || !isText(v.trace_id) || !isText(v.span_id) || !isTags(v.tags)) return false;
  if (!isBagOrNone(v.resource)) return false;
  for (const prefix of PREFIXED) if (!isBagOrNone(v[prefix])) return false;
  return true;
}

function isDistinct(v: unknown): boolean {
  return v === undefined || v === null || typeof v === 'string' || isNumber(v);
}

export function fitsEventItem(v: unknown): v is EventItem {
  return isObject(v) && commonFits(v) && typeof v.event === 'string' && v.event.length > 0 && isDistinct(v.distinctId) && isDistinct(v.distinct_id);
}

export type ItemResult<T> = { ok: true; record: T } | { ok: false; message: string };

function instant(value: string | number | undefined, fallback: string, field: string): string | { error: string } {
  if (value === undefined) return fallback;
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 && value < 8.64e15 ? new Date(value).toISOString() : { error: `${field}: not a valid epoch-milliseconds time` };
  }
  return parseInstant(value) ?? { error: `${field}: not an ISO 8601 timestamp: ${JSON.stringify(value).slice(0, 60)}` };
}

function issue(error: z.ZodError): string {
  const first = error.issues[0];
  return `${first.path.join('.') || 'item'}: ${first.message}`;
}

interface Shared {
  id: string;
  environment: string;
  timestamp: string;
  observed_timestamp: string;
}

function shared(item: EventItem | LogItem, now: string, config: GoodlogsConfig): Shared | { error: string } {
  const timestamp = instant(item.timestamp, now, 'timestamp');
  if (typeof timestamp !== 'string') return timestamp;
  const observed = instant(item.observed_timestamp, now, 'observed_timestamp');
  if (typeof observed !== 'string') return observed;
  if (item.id !== undefined && !isUuid(item.id)) return { error: 'id: must be a UUID' };
  const environment = item.environment?.trim().toLowerCase() ?? config.default_environment;
  if (!(ENVIRONMENTS as readonly string[]).includes(environment)) return { error: `environment: must be one of ${ENVIRONMENTS.join(', ')}` };
  return { id: item.id?.toLowerCase() ?? newRecordId(), environment, timestamp, observed_timestamp: observed };
}

export function toLogRecord(raw: unknown, projectId: string, now: string, config: GoodlogsConfig): ItemResult<LogRecord> {
  let item: LogItem;
  if (fitsLogItem(raw)) item = raw;
  else {
    const parsed = logItem.safeParse(raw);
    if (!parsed.success) return { ok: false, message: issue(parsed.error) };
    item = parsed.data;
  }
  const severity = normalizeSeverity(item.severity);
  if (!severity) return { ok: false, message: `severity: must be one of trace, debug, info, warn, error, fatal (got ${JSON.stringify(item.severity)})` };
  const message = item.message ?? null;
  // UTF-8 takes at most 3 bytes per UTF-16 unit: most messages need no byte count.
  if (message !== null && message.length * 3 > config.max_message_bytes && Buffer.byteLength(message) > config.max_message_bytes) {
    return { ok: false, message: `message: longer than ${config.max_message_bytes} bytes` };
  }
  const base = shared(item, now, config);
  if ('error' in base) return { ok: false, message: base.error };
  const properties: Record<string, unknown> = { ...(item.properties ?? {}) };
  for (const prefix of PREFIXED) if (item[prefix]) properties[prefix] = item[prefix];
  const resource: Record<string, string> = {};
  const given = item.resource;
  if (given) {
    for (const k in given) {
      const v = given[k];
      if (v !== null && v !== undefined) resource[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
  }
  const service = resource['service.name'] ?? (typeof properties.service === 'string' ? properties.service : null) ?? item.service ?? null;
  return {
    ok: true,
    // Fields spelled out: spreading `base` here made V8 build each record in its slow path (~20 µs a record).
    record: {
      id: base.id,
      environment: base.environment,
      timestamp: base.timestamp,
      observed_timestamp: base.observed_timestamp,
      project_id: projectId,
      severity,
      severity_number: severityNumber(severity),
      message,
      service,
      action: item.action ?? null,
      tags: item.tags ?? [],
      trace_id: item.trace_id ?? null,
      span_id: item.span_id ?? null,
      trace_flags: null,
      properties,
      resource,
      receiver: 'goodlogs',
    },
  };
}

export function toEventRecord(raw: unknown, projectId: string, now: string, config: GoodlogsConfig): ItemResult<EventRecord> {
  let item: EventItem;
  if (fitsEventItem(raw)) item = raw;
  else {
    const parsed = eventItem.safeParse(raw);
    if (!parsed.success) return { ok: false, message: issue(parsed.error) };
    item = parsed.data;
  }
  const base = shared(item, now, config);
  if ('error' in base) return { ok: false, message: base.error };
  const distinct = item.distinctId ?? item.distinct_id ?? null;
  return {
    ok: true,
    record: {
      id: base.id,
      environment: base.environment,
      timestamp: base.timestamp,
      observed_timestamp: base.observed_timestamp,
      project_id: projectId,
      event: item.event,
      distinct_id: distinct === null ? null : String(distinct),
      properties: { ...(item.properties ?? {}) },
    },
  };
}
