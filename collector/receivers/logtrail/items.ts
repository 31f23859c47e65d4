import { z } from 'zod';
import { isObject } from '../../../core/doc-fields.js';
import { newRecordId } from '../../../core/ids.js';
import { ENVIRONMENTS, SEVERITIES, type LogRecord, type Properties } from '../../../core/records.js';
import { severityNumber } from '../../../core/severity.js';
import { parseInstant } from '../../../core/time.js';
import type { ApiKey } from '../../../storage/meta/store.js';
import { allowsEnvironment, defaultEnvironment } from '../../../server/key-grants.js';
import { jsonBytesAtMost } from '../json-size.js';
import { isRecord, isStrings } from '../shapes.js';
import type { LogtrailConfig } from './config.js';

/**
 * One Logtrail `CreateLogRequest` → a canonical log, or every reason it is refused (the validate route
 * reports them all). Required fields, types and enums are the seed's schema, with no leniency: a client
 * that passes here passes on Logtrail too.
 */

const required = (what: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : `must be ${what}`) });
const object = z.record(z.string(), z.unknown(), 'must be an object');
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** A `clientTimestamp`'s instant, or null when it is no RFC 3339 date-time. */
function instantOf(text: string): string | null {
  return RFC3339.test(text) ? parseInstant(text) : null;
}

export const createLogRequest = z.object({
  action: z.string(required('a string')),
  level: z.enum(SEVERITIES, required(`one of ${SEVERITIES.join(', ')}`)),
  clientTimestamp: z
    .string(required('an RFC 3339 date-time'))
    .refine((s) => instantOf(s) !== null, 'must be an RFC 3339 date-time (e.g. 2025-08-16T10:00:00Z)'),
  message: z.string('must be a string').optional(),
  tags: z.array(z.string('must be a string'), 'must be an array of strings').optional(),
  actor: object.optional(),
  target: object.optional(),
  context: object.optional(),
  metadata: object.optional(),
});

type CreateLog = z.infer<typeof createLogRequest>;

/** Kept as nested objects under their own key: the flatten processor turns them into `actor.email`… for LCQL. */
const NESTED = ['actor', 'target', 'context', 'metadata'] as const;
/** `environment` is checked apart from the schema: its failures have their own code. */
const KNOWN = new Set([...Object.keys(createLogRequest.shape), 'environment']);
const LEVELS: ReadonlySet<unknown> = new Set(SEVERITIES);

/**
 * The log's `clientTimestamp` as an instant when the log passes `createLogRequest` as sent, else null (the
 * schema then words why): the schema's checks by hand, as zod's parse of every log was most of the bulk
 * route's time. A log that passes is used as sent; the schema would only have dropped its unknown keys.
 */
export function fastInstant(log: Record<string, unknown>): string | null {
  if (typeof log.action !== 'string' || !LEVELS.has(log.level)) return null;
  if ((log.message !== undefined && typeof log.message !== 'string') || (log.tags !== undefined && !isStrings(log.tags))) return null;
  for (const k of NESTED) if (log[k] !== undefined && !isRecord(log[k])) return null;
  return typeof log.clientTimestamp === 'string' ? instantOf(log.clientTimestamp) : null;
}

export interface LogProblem {
  code: 'VALIDATION_FAILED' | 'VALIDATION_INVALID_ENVIRONMENT';
  field: string;
  message: string;
  /** Position in an array body; null for a single log. */
  log_index: number | null;
}

export type LogCheck = { ok: true; record: LogRecord; warnings: string[] } | { ok: false; problems: LogProblem[]; warnings: string[] };

interface Context {
  key: ApiKey;
  /** Server receive time for the whole request. */
  now: string;
  config: LogtrailConfig;
}

function environmentOf(raw: Record<string, unknown>, key: ApiKey, config: LogtrailConfig): string | { problem: string } {
  if (!('environment' in raw)) {
    const fallback = defaultEnvironment(key, config.default_environment);
    return allowsEnvironment(key, fallback) ? fallback : { problem: 'this API key may not write to any environment' };
  }
  const env = raw.environment;
  if (typeof env !== 'string' || !(ENVIRONMENTS as readonly string[]).includes(env)) {
    return { problem: `must be one of ${ENVIRONMENTS.join(', ')}` };
  }
  if (!allowsEnvironment(key, env)) return { problem: `"${env}" is outside this API key's environments (${key.environments!.join(', ')})` };
  return env;
}

function problemOf(code: LogProblem['code'], field: string, message: string, logIndex: number | null): LogProblem {
  return { code, field, message, log_index: logIndex };
}

export function checkLog(raw: unknown, logIndex: number | null, { key, now, config }: Context): LogCheck {
  if (!isObject(raw)) return { ok: false, problems: [problemOf('VALIDATION_FAILED', 'log', 'must be a JSON object', logIndex)], warnings: [] };
  const warnings: string[] = [];
  for (const k of Object.keys(raw)) {
    if (!KNOWN.has(k)) warnings.push(`${logIndex === null ? '' : `log ${logIndex}: `}field "${k}" is not part of a log and is ignored`);
  }
  const problems: LogProblem[] = [];
  if (!jsonBytesAtMost(raw, config.max_log_bytes)) {
    const bytes = Buffer.byteLength(JSON.stringify(raw));
    if (bytes > config.max_log_bytes) problems.push(problemOf('VALIDATION_FAILED', 'log', `is ${bytes} bytes; the limit is ${config.max_log_bytes}`, logIndex));
  }
  const environment = environmentOf(raw, key, config);
  if (typeof environment !== 'string') problems.push(problemOf('VALIDATION_INVALID_ENVIRONMENT', 'environment', environment.problem, logIndex));
  let log: CreateLog;
  let timestamp = fastInstant(raw);
  if (timestamp !== null) log = raw as CreateLog;
  else {
    const parsed = createLogRequest.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(problemOf('VALIDATION_FAILED', issue.path.join('.'), issue.message, logIndex));
      return { ok: false, problems, warnings };
    }
    log = parsed.data;
    timestamp = instantOf(log.clientTimestamp)!;
  }
  if (problems.length > 0 || typeof environment !== 'string') return { ok: false, problems, warnings };

  const properties: Properties = {};
  for (const k of NESTED) if (log[k]) properties[k] = log[k];
  return {
    ok: true,
    warnings,
    record: {
      id: newRecordId(),
      project_id: key.project_id,
      environment,
      timestamp,
      observed_timestamp: now,
      severity: log.level,
      severity_number: severityNumber(log.level),
      message: log.message ?? null,
      // The seed gives a log no service, and `metadata.service` is the sender's own field: the column stays empty.
      service: null,
      action: log.action,
      tags: log.tags ?? [],
      trace_id: null,
      span_id: null,
      trace_flags: null,
      properties,
      resource: {},
      receiver: 'logtrail',
    },
  };
}
