import type { FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import type { MetaStore } from '../storage/meta/store.js';
import { checkKey } from './auth.js';
import { goodlogsErrorHandler } from './goodlogs.js';
import { hasScope } from './key-grants.js';
import { sessionMember } from './posthog-session.js';

/**
 * What every PostHog-style route (`/api/projects/:project_id/…`) shares, whichever module registers it:
 * personal-key authentication held to the key's project, and the error envelope.
 */

/** Spec section 15: these routes answer in the GoodLogs `{error: {code, message, …}}` object, query errors included. */
export const posthogErrorHandler = goodlogsErrorHandler;

/** PostHog's alias for "the project of this key", accepted in place of its id. */
const CURRENT_PROJECT = '@current';

/**
 * Personal API keys (`Authorization: Bearer phx_…`) holding `scope`, on their own project only. Another
 * project is 403 whether it exists or not, so a key cannot probe which project ids exist.
 */
export function posthogAuth(meta: MetaStore, scope: 'logs:read' | 'logs:write') {
  return async (request: FastifyRequest) => {
    const check = checkKey(request, meta, ['posthog']);
    // Not a personal key: a member's session token (server/posthog-session.ts), else refused as below.
    const member = check.ok ? 'invalid' : await sessionMember(request, meta, (request.params as { project_id?: string }).project_id);
    if (member === 'forbidden') throw new ApiError(403, 'FORBIDDEN', 'You are not a member of the organization of this project');
    if (member !== 'invalid') {
      request.apiKey = member;
      return;
    }
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
