// The logs query API's structured filters, made from a GQL search for alerts and saved views, and read
// back from a view. A view keeps them (what the views API checks and PostHog clients read) plus
// loglake's own `gql` member with the exact text, which the structured parser ignores; a view saved
// elsewhere, without it, is turned back into GQL.
import { gqlValue } from './results.js';

const OPS = { eq: 'exact', neq: 'is_not', contains: 'icontains', not_contains: 'not_icontains', lt: 'lt', gt: 'gt', lte: 'lte', gte: 'gte', is_not_null: 'is_set', exists: 'is_set', is_null: 'is_not_set' };

/**
 * The PostHog-style alert filters of a GQL search, from the engine's echo of its top-level conjuncts;
 * null when a conjunct has no structured form (or, not, glob), which the page then says.
 */
export function structuredFilters(echo) {
  const values = [];
  const filters = {};
  for (const f of echo.filters ?? []) {
    if (f.op === 'text') {
      filters.searchTerm = [filters.searchTerm, f.value].filter(Boolean).join(' ');
      continue;
    }
    const operator = OPS[f.op];
    if (!operator || !f.field) return null;
    const resource = f.field.startsWith('resource.');
    const key = resource ? f.field.slice('resource.'.length) : f.field.replace(/^properties\./, '');
    values.push({ key, operator, value: f.value, type: resource ? 'resource' : 'log' });
  }
  if (values.length) filters.filterGroup = { type: 'AND', values };
  return filters;
}


const TO_GQL = { exact: ':', is_not: '!=', icontains: '~', not_icontains: '!~', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/** `echo`: the engine's echo of the search (`query` of a GQL answer). */
export function viewFilters(echo, q, source, range) {
  const dateRange = range.last ? { date_from: `-${range.last}` } : { date_from: range.from, date_to: range.to };
  const structured = source === 'logs' && echo.mode === 'search' ? structuredFilters(echo) : null;
  return { ...(structured ?? {}), dateRange, gql: q, ...(source === 'logs' ? {} : { source }) };
}

function filterText(f) {
  if (Array.isArray(f.values)) {
    const parts = f.values.map(filterText).filter(Boolean);
    return parts.length > 1 ? `(${parts.join(f.type === 'OR' ? ' or ' : ' ')})` : parts[0] ?? '';
  }
  const key = f.type === 'resource' || f.type === 'log_resource_attribute' ? `resource.${f.key}` : f.key;
  if (f.operator === 'is_set') return `${key} is not null`;
  if (f.operator === 'is_not_set') return `${key} is null`;
  const values = Array.isArray(f.value) ? f.value : [f.value];
  return `${key}${TO_GQL[f.operator] ?? ':'}${values.map(gqlValue).join(',')}`;
}

/** `{q, source, range}` of a stored view. */
export function viewSearch(filters, fallbackRange) {
  const f = filters ?? {};
  const d = f.dateRange ?? {};
  const range = typeof d.date_from === 'string' && /^-\d+[smhdw]$/.test(d.date_from) && !d.date_to ? { last: d.date_from.slice(1) }
    : d.date_from && d.date_to && !Number.isNaN(Date.parse(d.date_from)) && !Number.isNaN(Date.parse(d.date_to)) ? { from: d.date_from, to: d.date_to }
      : fallbackRange;
  if (typeof f.gql === 'string') return { q: f.gql, source: f.source === 'events' ? 'events' : 'logs', range };
  const parts = [];
  if (f.severityLevels?.length) parts.push(`severity:${f.severityLevels.join(',')}`);
  if (f.serviceNames?.length) parts.push(`service:${f.serviceNames.map(gqlValue).join(',')}`);
  if (f.searchTerm) parts.push(JSON.stringify(f.searchTerm));
  const group = Array.isArray(f.filterGroup) ? { type: 'AND', values: f.filterGroup } : f.filterGroup;
  if (group) parts.push(filterText(group));
  return { q: parts.filter(Boolean).join(' '), source: 'logs', range };
}
