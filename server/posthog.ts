import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, statusOf } from '../core/errors.js';
import type { MetaStore } from '../storage/meta/store.js';
import { checkKey } from './auth.js';
import { goodlogsErrorHandler } from './goodlogs.js';
import { hasScope } from './key-grants.js';
import { queryErrorBody } from './query-errors.js';

/**
 * What every PostHog-style route (`/api/projects/:project_id/…`) shares, whichever module registers it:
 * personal-key authentication held to the key's project, and the error envelope.
 */

/**
 * Spec section 15: these routes answer in the GoodLogs `{error: {code, message, …}}` object, so they share
 * its renderer; a query error is that object with the query-language fields (`type`, `details.path`, …).
 */
export function posthogErrorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const query = queryErrorBody(err);
  if (query) return reply.code(400).send({ error: query });
  // Storage and DuckDB failures: logged here, answered without their text (it may hold SQL).
  if (!(err instanceof ApiError) && statusOf(err) >= 500) {
    request.log.error({ err }, 'posthog: internal error');
    return reply.code(500).send({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } });
  }
  return goodlogsErrorHandler(err, request, reply);
}

/** PostHog's alias for "the project of this key", accepted in place of its id. */
const CURRENT_PROJECT = '@current';

/**
 * Personal API keys (`Authorization: Bearer phx_…`) holding `scope`, on their own project only. Another
 * project is 403 whether it exists or not, so a key cannot probe which project ids exist.
 */
export function posthogAuth(meta: MetaStore, scope: 'logs:read' | 'logs:write') {
  return async (request: FastifyRequest) => {
    const check = checkKey(request, meta, ['posthog']);
    if (!check.ok) {
      throw new ApiError(401, 'UNAUTHORIZED', check.reason === 'missing' ? 'Missing personal API key: send Authorization: Bearer <key>' : 'Invalid personal API key');
    }
    if (!hasScope(check.key, [scope])) throw new ApiError(403, 'FORBIDDEN', `This key lacks the ${scope} scope`);
    const { project_id: project } = request.params as { project_id?: string };
    if (project !== CURRENT_PROJECT && project !== check.key.project_id) {
      throw new ApiError(403, 'FORBIDDEN', 'This key does not have access to the requested project');
    }
    request.apiKey = check.key;
  };
}
