import type { FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import type { MetaStore } from '../storage/meta/store.js';
import { checkKey } from './auth.js';
import { goodlogsErrorHandler } from './goodlogs.js';
import { hasScope } from './key-grants.js';
import { sessionMember } from './posthog-session.js';

/**
 * What every PostHog-style route (`/api/projects/:project_id/…`, `/api/environments/:project_id/…`) shares, whichever module registers it:
 * personal-key authentication held to the key's project, and the error envelope.
 */

/** Spec section 15: these routes answer in the GoodLogs `{error: {code, message, …}}` object, query errors included. */
export const posthogErrorHandler = goodlogsErrorHandler;

/** PostHog answers the same logs API under its older project prefix and its environment prefix. */
const PREFIXES = ['/api/projects/:project_id/logs', '/api/environments/:project_id/logs'];

/** The URLs of one logs route (`path` such as `/query` or `/views/:short_id`): both prefixes, with and without the trailing slash the seeds' URLs end in. */
export function posthogLogsUrls(path: string): string[] {
  return PREFIXES.flatMap((prefix) => [`${prefix}${path}`, `${prefix}${path}/`]);
}

/** Django REST framework's limit/offset page, with `next`/`previous` as absolute URLs as PostHog answers them. */
export function limitOffsetPage<T, R>(request: FastifyRequest, all: T[], limit: number, offset: number, render: (item: T) => R) {
  const url = (at: number) => `${request.protocol}://${request.host}${request.url.split('?')[0]}?limit=${limit}&offset=${at}`;
  return {
    count: all.length,
    next: offset + limit < all.length ? url(offset + limit) : null,
    previous: offset > 0 ? url(Math.max(0, offset - limit)) : null,
    results: all.slice(offset, offset + limit).map(render),
  };
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

/** Who calls a route that users reach both with a personal key and from the dashboard: the project and the user. */
export interface PosthogCaller { projectId: string; userId: string | null }

declare module 'fastify' {
  interface FastifyRequest {
    posthogCaller?: PosthogCaller;
  }
}

/**
 * `posthogAuth`, and who the caller is: the session's user, or the user who made the key (a member's
 * session stands for a key made by that member: server/posthog-session.ts).
 */
export function posthogUserAuth(meta: MetaStore, scope: 'logs:read' | 'logs:write') {
  const auth = posthogAuth(meta, scope);
  return async (request: FastifyRequest) => {
    await auth(request);
    request.posthogCaller = { projectId: request.apiKey!.project_id, userId: request.apiKey!.created_by };
  };
}
