// `POST …/logs/query`: one page of logs through the structured dialect, the path the conformance corpus runs.
import type { FastifyRequest } from 'fastify';
import { executeQuery } from '../../execute.js';
import type { QueryRouteDeps } from '../goodlogs.js';
import { afterCursor, queryMember } from './request.js';

/** The most rows `export` produces (PostHog's LOGS_MAX_EXPORT_ROWS); `query` reports it to clients. */
export const MAX_EXPORTABLE_LOGS = 10_000;

export function searchRoute(deps: QueryRouteDeps) {
  return async (request: FastifyRequest) => {
    const query = queryMember(request.body, true);
    const result = await executeQuery(deps.engine, request.posthogKey!.project_id, {
      dialect: 'structured', text: query, params: afterCursor(query.after), now: deps.now(),
    });
    if (result.dialect !== 'structured') throw new Error('structured query answered by another dialect');
    // PostHog echoes the query it ran; the request's own object is what the client can send again.
    return { query, ...result.body, maxExportableLogs: MAX_EXPORTABLE_LOGS };
  };
}
