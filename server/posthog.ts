import type { FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import type { ApiKey, MetaStore, Project, User } from '../storage/meta/store.js';
import type { Tokens } from './admin/tokens.js';
import { checkKey, presentedKey } from './auth.js';
import { goodlogsErrorHandler } from './goodlogs.js';
import { hasScope } from './key-grants.js';

/**
 * What every PostHog-style route (`/api/projects/:project_id/…`) shares, whichever module registers it:
 * personal-key authentication held to the key's project, and the error envelope.
 */

/** Spec section 15: these routes answer in the GoodLogs `{error: {code, message, …}}` object, query errors included. */
export const posthogErrorHandler = goodlogsErrorHandler;

declare module 'fastify' {
  interface FastifyInstance {
    /** Dashboard session tokens, which PostHog-style routes accept too (PostHog's own app calls them with its session). */
    sessionTokens?: Tokens;
  }
}

/** PostHog's alias for "the project of this key", accepted in place of its id. */
const CURRENT_PROJECT = '@current';

/**
 * A signed-in member stands for the project the path names, in every environment, with both scopes, as a
 * dashboard user does on the `/api/orgs/…` routes; downstream code sees the one `request.apiKey` shape.
 */
function memberPrincipal(user: User, project: Project): ApiKey {
  return {
    id: `session:${user.id}`, org_id: project.org_id, project_id: project.id, family: 'posthog', kind: 'secret',
    scopes: ['logs:read', 'logs:write'], environments: null, region: null, name: user.email, display: '', hash: '',
    created_at: user.created_at, last_used_at: null, revoked_at: null,
  };
}

/** The session token's user when it is one and a member of the project's org; otherwise why not. */
async function sessionMember(request: FastifyRequest, meta: MetaStore, projectId: string | undefined): Promise<ApiKey | 'invalid' | 'forbidden'> {
  const tokens = request.server.sessionTokens;
  const token = presentedKey(request);
  const userId = tokens && token ? await tokens.verify(token) : null;
  const user = userId ? meta.getUser(userId) : null;
  if (!user) return 'invalid';
  const project = projectId ? meta.getProject(projectId) : null;
  if (!project || !user.org_ids.includes(project.org_id)) return 'forbidden';
  return memberPrincipal(user, project);
}

/**
 * Personal API keys (`Authorization: Bearer phx_…`) holding `scope`, on their own project only, or a
 * member's session token on one of the member's projects. Another project is 403 whether it exists or
 * not, so neither can probe which project ids exist.
 */
export function posthogAuth(meta: MetaStore, scope: 'logs:read' | 'logs:write') {
  return async (request: FastifyRequest) => {
    const check = checkKey(request, meta, ['posthog']);
    if (!check.ok && check.reason === 'invalid') {
      const member = await sessionMember(request, meta, (request.params as { project_id?: string }).project_id);
      if (member === 'forbidden') throw new ApiError(403, 'FORBIDDEN', 'You are not a member of the organization of this project');
      if (member !== 'invalid') {
        request.apiKey = member;
        return;
      }
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
