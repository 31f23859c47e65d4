// `GET …/logs/has_logs`: whether the project has ever received a log (PostHog's onboarding check).
import type { FastifyRequest } from 'fastify';
import type { QueryRouteDeps } from '../goodlogs.js';
import { scopeOf } from '../../execute.js';

/** The seed shows no body; PostHog answers `{hasLogs}`. Any log ever counts, so the window is all time. */
export function hasLogsRoute(deps: QueryRouteDeps) {
  return async (request: FastifyRequest) => {
    const rows = await deps.engine.withRelations(scopeOf(request.apiKey!), ['logs'], { from: null, to: null },
      (rel) => rel.all('SELECT 1 AS found FROM logs LIMIT 1'));
    return { hasLogs: rows.length > 0 };
  };
}
