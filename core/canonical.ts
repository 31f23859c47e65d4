import { z } from 'zod';
import { SEVERITIES, SEVERITY_NUMBER, type RecordOf, type Table } from './records.js';
import { parseInstant } from './time.js';

/**
 * Records in the canonical stored form (the shape of `spec/fixtures/dataset.json`), as `loglake import`
 * reads them. Ids and both timestamps are kept; what is missing gets the ingest defaults.
 */

const instant = z.string().transform((s, ctx) => {
  const iso = parseInstant(s);
  if (!iso) ctx.addIssue({ code: 'custom', message: 'not an ISO 8601 timestamp' });
  return iso ?? s;
});
const scalar = z.union([z.string(), z.number(), z.boolean()]);

const logSchema = z.object({
  id: z.uuid(),
  environment: z.string().default('production'),
  timestamp: instant,
  observed_timestamp: instant.optional(),
  severity: z.enum(SEVERITIES),
  severity_number: z.number().int().nullish(),
  message: z.string().nullish(),
  service: z.string().nullish(),
  action: z.string().nullish(),
  tags: z.array(z.string()).nullish(),
  trace_id: z.string().nullish(),
  span_id: z.string().nullish(),
  trace_flags: z.number().int().nullish(),
  properties: z.record(z.string(), scalar.nullable()).nullish(),
  resource: z.record(z.string(), z.string()).nullish(),
});

const eventSchema = z.object({
  id: z.uuid(),
  environment: z.string().default('production'),
  timestamp: instant,
  observed_timestamp: instant.optional(),
  event: z.string(),
  distinct_id: z.string().nullish(),
  properties: z.record(z.string(), scalar.nullable()).nullish(),
});

const alertEventSchema = z.object({
  id: z.string().min(1),
  timestamp: instant,
  alert_id: z.string(),
  alert_name: z.string(),
  state: z.string(),
  value: z.number().nullish(),
  threshold: z.number().nullish(),
});

function compact(props: Record<string, unknown> | null | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(props ?? {})) if (v !== null && v !== undefined) out[k] = v as string | number | boolean;
  return out;
}

type Parse<T extends Table> = (raw: unknown, project: string, receiver: string) => RecordOf[T];

const PARSERS: { [T in Table]: Parse<T> } = {
  logs(raw, project, receiver) {
    const r = logSchema.parse(raw);
    return {
      id: r.id,
      project_id: project,
      environment: r.environment,
      timestamp: r.timestamp,
      observed_timestamp: r.observed_timestamp ?? r.timestamp,
      severity: r.severity,
      severity_number: r.severity_number ?? SEVERITY_NUMBER[r.severity],
      message: r.message ?? null,
      service: r.service ?? null,
      action: r.action ?? null,
      tags: r.tags ?? [],
      trace_id: r.trace_id ?? null,
      span_id: r.span_id ?? null,
      trace_flags: r.trace_flags ?? null,
      properties: compact(r.properties),
      resource: r.resource ?? {},
      receiver,
    };
  },
  events(raw, project) {
    const r = eventSchema.parse(raw);
    return {
      id: r.id,
      project_id: project,
      environment: r.environment,
      timestamp: r.timestamp,
      observed_timestamp: r.observed_timestamp ?? r.timestamp,
      event: r.event,
      distinct_id: r.distinct_id ?? null,
      properties: compact(r.properties),
    };
  },
  alert_events(raw, project) {
    const r = alertEventSchema.parse(raw);
    return { ...r, project_id: project, value: r.value ?? null, threshold: r.threshold ?? null };
  },
};

/** Throws a ZodError naming the field at fault. */
export function parseCanonical<T extends Table>(table: T, raw: unknown, project: string, receiver = 'import'): RecordOf[T] {
  return (PARSERS[table] as Parse<T>)(raw, project, receiver);
}
