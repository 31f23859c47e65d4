// The two alert APIs over one rule model: GoodLogs (`/v1/alerts`, a GQL query) and PostHog-style
// (`/api/projects/:project_id/logs/alerts`, structured filters, seed 002's field names).
import { z } from 'zod';
import { DEFAULTS, type DefinitionField, type Surface } from './definition.js';

/** In the order answers show them, after the name, condition and threshold. */
const SHARED: DefinitionField[] = [
  'enabled', 'window_minutes', 'check_interval_minutes', 'evaluation_periods', 'datapoints_to_alarm', 'cooldown_minutes',
  'snooze_until', 'destinations',
];
const same = (fields: DefinitionField[]) => Object.fromEntries(fields.map((f) => [f, f]));

export const GOODLOGS: Surface = {
  names: { name: 'name', query: 'query', threshold: 'threshold', operator: 'operator', ...same(SHARED) },
  required: ['name', 'query', 'threshold'],
  defaults: DEFAULTS,
  schemas: {},
};

/** PostHog counts logs, so its threshold is a count; `filters` left out means every log. */
export const POSTHOG: Surface = {
  names: { name: 'name', filters: 'filters', threshold: 'threshold_count', operator: 'threshold_operator', ...same(SHARED) },
  required: ['name', 'threshold'],
  defaults: { ...DEFAULTS, filters: {} },
  schemas: { threshold: z.int().min(0) },
};
