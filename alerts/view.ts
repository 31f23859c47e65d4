// A rule as its APIs answer it: the definition in the API's spelling, then what evaluation made of it.
import type { AlertRule } from '../storage/meta/store.js';
import type { Surface } from './definition.js';

export function ruleView(rule: AlertRule, surface: Surface): Record<string, unknown> {
  const s = rule.status;
  const definition = Object.fromEntries(Object.entries(surface.names).map(([field, name]) => [name, rule[field as keyof AlertRule]]));
  return {
    id: rule.id,
    ...definition,
    // Both spellings of a condition, so a rule made through the other API still shows what it checks.
    query: rule.query,
    filters: rule.filters,
    destination_types: [...new Set(rule.destinations.map((d) => d.type))],
    state: s.state,
    last_value: s.last_value,
    next_check_at: s.next_check_at,
    last_checked_at: s.last_checked_at,
    last_notified_at: s.last_notified_at,
    consecutive_failures: s.consecutive_failures,
    last_error_message: s.last_error_message,
    state_timeline: s.state_timeline,
    created_at: rule.created_at,
    // Rules are written with API keys, not by users.
    created_by: null,
    updated_at: rule.updated_at,
  };
}
