// `GET …/logs/values?key=&attribute_type=&value=`: values of one attribute for autocomplete.
import type { FastifyRequest } from 'fastify';
import { attributeTextSql, QueryError } from '../../language/index.js';
import type { QueryRouteDeps } from '../goodlogs.js';
import { filtered, onLogs } from './logs-sql.js';
import { choiceMember, type Json } from './request.js';
import { parseFilters } from '../../language/filters.js';
import { scopeOf } from '../../execute.js';

/** PostHog answers at most 100 values. */
const MAX_VALUES = 100;

const ATTRIBUTE_TYPES = ['log', 'resource'] as const;

/** PostHog sends the filter members as JSON text in the query string; bad JSON is the member's syntax error. */
function jsonMember(params: Json, name: string): Json {
  const text = params[name];
  if (typeof text !== 'string' || text === '') return {};
  try {
    return { [name]: JSON.parse(text) as unknown };
  } catch {
    throw new QueryError('VALIDATION_QUERY_SYNTAX', `${name} is not valid JSON`, { details: { dialect: 'structured', path: `/${name}`, found: text } });
  }
}

/**
 * Values of the `log` attribute (a property) or `resource` attribute `key`, in their text form, within the
 * filters and window, that contain `value` ignoring case (PostHog matches anywhere in the value, so a prefix
 * matches too). Most frequent first, ties in value order. Where PostHog silently drops malformed filters,
 * this answers 400 with the member's path.
 */
export function valuesRoute(deps: QueryRouteDeps) {
  return async (request: FastifyRequest) => {
    const params = request.query as Json;
    const key = params.key;
    if (typeof key !== 'string' || key === '') {
      throw new QueryError('VALIDATION_QUERY_SYNTAX', 'key is required: the attribute whose values to list', { details: { dialect: 'structured', path: '/key' } });
    }
    const type = choiceMember(params, 'attribute_type', ATTRIBUTE_TYPES) ?? 'log';
    const search = typeof params.value === 'string' ? params.value.toLowerCase() : '';
    const query = parseFilters({ ...jsonMember(params, 'dateRange'), ...jsonMember(params, 'serviceNames'), ...jsonMember(params, 'filterGroup') }, deps.now());
    const rows = await onLogs(deps.engine, scopeOf(request.apiKey!), query, (run) => run(filtered(query, (where, p) => {
      // Only OTLP and Logstash send a resource; the service column holds every surface's service.name.
      const text = type === 'resource' && key === 'service.name' ? 'service' : attributeTextSql(type === 'log' ? 'property' : 'resource', key, p);
      const match = search ? ` AND contains(lower(v), ${p.add(search)})` : '';
      return `SELECT v, count(*) AS n FROM (SELECT ${text} AS v FROM logs${where}) WHERE v IS NOT NULL${match}`
        + ` GROUP BY v ORDER BY n DESC, v LIMIT ${p.add(MAX_VALUES)}`;
    })));
    return { results: rows.map((r) => ({ id: String(r.v), name: String(r.v) })), refreshing: false };
  };
}

