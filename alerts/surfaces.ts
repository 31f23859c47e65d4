// The two alert APIs over one rule model: GoodLogs (`/v1/alerts`, a GQL query) and PostHog-style
// (`/api/projects/:project_id/logs/alerts`, structured filters, seed 002's field names).
import { z } from 'zod';
import { DEFAULTS, type DefinitionField, type Surface } from './definition.js';

const SHARED: DefinitionField[] = [
  'name', 'enabled', 'window_minutes', 'check_interval_minutes', 'evaluation_periods', 'datapoints_to_alarm', 'cooldown_minutes',
  'snooze_until', 'destinations',
];
const same = (fields: DefinitionField[]) => Object.fromEntries(fields.map((f) => [f, f]));

export const GOODLOGS: Surface = {
  names: { ...same(SHARED), query: 'query', threshold: 'threshold', operator: 'operator' },
  required: ['name', 'query', 'threshold'],
  defaults: DEFAULTS,
  schemas: {},
};

/** PostHog counts logs, so its threshold is a count; `filters` left out means every log. */
export const POSTHOG: Surface = {
  names: { ...same(SHARED), filters: 'filters', threshold: 'threshold_count', operator: 'threshold_operator' },
  required: ['name', 'threshold'],
  defaults: { ...DEFAULTS, filters: {} },
  schemas: { threshold: z.int().min(0) },
};
