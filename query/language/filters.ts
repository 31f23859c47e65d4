// The structured filters of a PostHog-style query object, shared by the aggregate routes and alert
// conditions (which store the same `filters` object).
import type { Query } from './ast.js';
import { parseQuery } from './index.js';

const FILTER_MEMBERS = ['dateRange', 'severityLevels', 'serviceNames', 'searchTerm', 'filterGroup'] as const;

/**
 * The filters and window of a query object, parsed as the structured dialect. Only the filter members are
 * passed on: paging members (`limit`, `orderBy`, `after`) mean nothing to an aggregate, so they neither
 * apply nor fail it. Without a `dateRange` the window is the dialect's default, the last 24 h (spec 18),
 * where PostHog's aggregate routes would take the last hour: one default across every loglake surface.
 */
export function parseFilters(query: Record<string, unknown>, now: Date): Query {
  const filters = Object.fromEntries(FILTER_MEMBERS.filter((k) => k in query).map((k) => [k, query[k]]));
  return parseQuery({ dialect: 'structured', text: filters, now });
}
