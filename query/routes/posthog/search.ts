// `POST …/logs/query`: one page of logs through the structured dialect, the path the conformance corpus runs.
import type { Scope } from '../../engine/engine.js';
import type { FastifyRequest } from 'fastify';
import { executeQuery } from '../../execute.js';
import type { Query, RequestParams, StructuredBody } from '../../language/index.js';
import type { QueryRouteDeps } from '../goodlogs.js';
import { afterCursor, queryMember, type Json } from './request.js';
import { scopeOf } from '../../execute.js';

/** The most rows `export` produces (PostHog's LOGS_MAX_EXPORT_ROWS); `query` reports it to clients. */
export const MAX_EXPORTABLE_LOGS = 10_000;

/** One page of the structured query `text` over the project's logs. */
export async function searchPage(deps: QueryRouteDeps, scope: Scope, text: Json, params: RequestParams, now: Date): Promise<{ query: Query; body: StructuredBody }> {
  const result = await executeQuery(deps.engine, scope, { dialect: 'structured', text, params, now });
  if (result.dialect !== 'structured') throw new Error('structured query answered by another dialect');
  return result;
}

export function searchRoute(deps: QueryRouteDeps) {
  return async (request: FastifyRequest) => {
    const query = queryMember(request.body, true);
    const { body } = await searchPage(deps, scopeOf(request.apiKey!), query, afterCursor(query.after), deps.now());
    // PostHog echoes the query it ran; the request's own object is what the client can send again.
    return { query, ...body, maxExportableLogs: MAX_EXPORTABLE_LOGS };
  };
}
