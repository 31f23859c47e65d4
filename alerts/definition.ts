// A rule's definition (what its APIs write) and how each API names and checks it: one model, two spellings.
import { z } from 'zod';
import { ApiError } from '../core/errors.js';
import { parseInstant } from '../core/time.js';
import type { AlertRule } from '../storage/meta/store.js';

export const DEFINITION_FIELDS = [
  'name', 'enabled', 'query', 'filters', 'threshold', 'operator', 'window_minutes', 'check_interval_minutes',
  'evaluation_periods', 'datapoints_to_alarm', 'cooldown_minutes', 'snooze_until', 'destinations',
] as const;
export type DefinitionField = (typeof DEFINITION_FIELDS)[number];
export type Definition = Pick<AlertRule, DefinitionField>;

/** PostHog's defaults (seed 002), but a one-minute check where its example shows 0. */
export const DEFAULTS: Omit<Definition, 'name' | 'threshold'> = {
  enabled: true,
  query: null,
  filters: null,
  operator: 'above',
  window_minutes: 5,
  check_interval_minutes: 1,
  evaluation_periods: 1,
  datapoints_to_alarm: 1,
  cooldown_minutes: 0,
  snooze_until: null,
  destinations: [],
};

const instant = z.string().transform((text, ctx) => {
  const iso = parseInstant(text);
  if (iso === null) ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 timestamp' });
  return iso ?? '';
});

/** Bounds keep one rule from costing a node much: a day-long window at most, checked at most once a minute. */
const FIELD_SCHEMAS: Record<DefinitionField, z.ZodType> = {
  name: z.string().trim().min(1).max(255),
  enabled: z.boolean(),
  query: z.string().max(10_000),
  filters: z.record(z.string(), z.unknown()).nullable(),
  threshold: z.number(),
  operator: z.enum(['above', 'below']),
  window_minutes: z.int().min(1).max(1440),
  check_interval_minutes: z.int().min(1).max(1440),
  evaluation_periods: z.int().min(1).max(100),
  datapoints_to_alarm: z.int().min(1).max(100),
  cooldown_minutes: z.int().min(0).max(10_080),
  snooze_until: instant.nullable(),
  destinations: z.array(z.strictObject({ type: z.enum(['webhook', 'slack']), url: z.url({ protocol: /^https?$/ }) })).max(10),
};

/** How one API spells and checks a definition. */
export interface Surface {
  /** The API's name of each definition field it takes; the others it only shows. */
  names: Partial<Record<DefinitionField, string>>;
  /** What a create, and a full replace, must give. */
  required: DefinitionField[];
  defaults: Omit<Definition, 'name' | 'threshold'>;
  /** Checks stricter than the shared ones. */
  schemas: Partial<Record<DefinitionField, z.ZodType>>;
}

/** What a rule's answer shows besides its definition: a client may send an answer back as a body. */
const SHOWN = [
  'id', 'query', 'filters', 'state', 'last_value', 'next_check_at', 'last_checked_at', 'last_notified_at', 'consecutive_failures',
  'last_error_message', 'state_timeline', 'destination_types', 'created_at', 'created_by', 'updated_at',
];

/** A refusal naming the field at fault, in the API's spelling. */
export function invalidField(field: string, message: string): ApiError {
  return new ApiError(400, 'VALIDATION_ERROR', `${field}: ${message}`, { field });
}

/**
 * The definition fields a body gives, checked. `patch` takes any subset; otherwise the required fields must
 * be there. Fields the API only shows are ignored; any other is refused, so a misspelt field is not lost.
 */
export function readDefinition(body: unknown, surface: Surface, mode: 'create' | 'replace' | 'patch'): Partial<Definition> {
  const shape: Record<string, z.ZodType> = Object.fromEntries(SHOWN.map((name) => [name, z.unknown().optional()]));
  const fields = Object.entries(surface.names) as [DefinitionField, string][];
  for (const [field, name] of fields) {
    const schema = surface.schemas[field] ?? FIELD_SCHEMAS[field];
    shape[name] = mode !== 'patch' && surface.required.includes(field) ? schema : schema.optional();
  }
  const parsed = z.strictObject(shape).safeParse(body ?? null);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue.code === 'unrecognized_keys') throw invalidField(issue.keys[0], 'unknown field');
    if (issue.path.length === 0) throw invalidField('body', 'expected a JSON object');
    throw invalidField(String(issue.path[0]), `${issue.path.slice(1).map((p) => `${String(p)}: `).join('')}${issue.message}`);
  }
  const data = parsed.data as Record<string, unknown>;
  return Object.fromEntries(fields.filter(([, name]) => data[name] !== undefined).map(([field, name]) => [field, data[name]]));
}
