// What a notification says, whatever its format: the rule, its new state, the value against the threshold
// over which window, and a link to see the query.
import type { AlertRule, AlertState } from '../../storage/meta/store.js';
import type { Window } from '../condition.js';

export interface Notice {
  rule: { id: string; name: string; project_id: string };
  state: AlertState;
  previous_state: AlertState;
  value: number | null;
  threshold: number;
  operator: 'above' | 'below';
  window: { minutes: number; from: string; to: string };
  query: string | null;
  filters: Record<string, unknown> | null;
  link: string;
  timestamp: string;
}

/**
 * A GQL rule links to the dashboard's GQL route with its query over its window, which lists what matched;
 * a filters rule has no GQL text, so it links to the rule in the PostHog-style API.
 */
export function queryLink(base: string, rule: AlertRule, orgId: string): string {
  if (rule.filters !== null) return `${base}/api/projects/${encodeURIComponent(rule.project_id)}/logs/alerts/${rule.id}`;
  const q = [rule.query?.trim(), `last ${rule.window_minutes}m`].filter(Boolean).join(' | ');
  return `${base}/api/orgs/${encodeURIComponent(orgId)}/projects/${encodeURIComponent(rule.project_id)}/gql?q=${encodeURIComponent(q)}`;
}

export function noticeOf(rule: AlertRule, announced: AlertState, previous: AlertState, window: Window, link: string): Notice {
  return {
    rule: { id: rule.id, name: rule.name, project_id: rule.project_id },
    state: announced,
    previous_state: previous,
    value: rule.status.last_value,
    threshold: rule.threshold,
    operator: rule.operator,
    window: { minutes: rule.window_minutes, from: window.from.toISOString(), to: window.to.toISOString() },
    query: rule.query,
    filters: rule.filters,
    link,
    timestamp: window.to.toISOString(),
  };
}
