// `POST …/logs/patterns` (loglake): the logs' message patterns in the query's window and filters (the
// structured query object of the other aggregate routes): the GQL `| patterns` view, most common first.
import type { FastifyRequest } from 'fastify';
import type { QueryRouteDeps } from '../goodlogs.js';
import { scopeOf } from '../../execute.js';
import { compileQuery, resolveField, type Query } from '../../language/index.js';
import { parseFilters } from '../../language/filters.js';
import { aggregateData } from '../../language/shape.js';
import { withPatterns } from '../../patterns/lookup.js';
import { queryMember } from './request.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

export function patternsRoute(deps: QueryRouteDeps) {
  return async (request: FastifyRequest) => {
    const filters = parseFilters(queryMember(request.body, false), deps.now());
    const asked = Number((request.body as { limit?: unknown } | undefined)?.limit ?? DEFAULT_LIMIT);
    const limit = Number.isInteger(asked) && asked > 0 ? Math.min(asked, MAX_LIMIT) : DEFAULT_LIMIT;
    const query: Query = {
      ...filters, fields: null, timeslice: null, post: [{ type: 'limit', n: limit }],
      aggregate: { func: 'count', field: null, groupBy: [resolveField('pattern_id', 'logs')], view: 'patterns' },
    };
    const compiled = compileQuery(query);
    const rows = await withPatterns(deps.engine, scopeOf(request.apiKey!), query.time, (rel) => rel.all(compiled.sql, compiled.params));
    return { results: aggregateData(query, rows).results };
  };
}
