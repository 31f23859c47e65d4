import type { FastifyRequest } from 'fastify';
import type { ApiKey, MetaStore, Project, User } from '../storage/meta/store.js';
import { sessionUser } from './admin/dashboard-auth.js';
import type { Tokens } from './admin/tokens.js';

/**
 * PostHog's own app calls its logs API with the user's session, not a personal key; the explorer does the
 * same with a dashboard session token on the PostHog-style routes.
 */

declare module 'fastify' {
  interface FastifyInstance {
    /** Dashboard session tokens, which the PostHog-style routes take besides personal keys. */
    sessionTokens?: Tokens;
  }
}

/**
 * A signed-in member stands for the project the path names, in every environment, with both scopes, as a
 * dashboard user does on the `/api/orgs/…` routes; downstream code sees the one `request.apiKey` shape.
 */
function memberPrincipal(user: User, project: Project): ApiKey {
  return {
    id: `session:${user.id}`, org_id: project.org_id, project_id: project.id, family: 'posthog', kind: 'secret',
    scopes: ['logs:read', 'logs:write'], environments: null, region: null, name: user.email, display: '', hash: '',
    created_at: user.created_at, last_used_at: null, revoked_at: null, created_by: user.id,
  };
}

/** The request's session token as a member of the project `projectId`'s org, or why not. */
export async function sessionMember(request: FastifyRequest, meta: MetaStore, projectId: string | undefined): Promise<ApiKey | 'invalid' | 'forbidden'> {
  const tokens = request.server.sessionTokens;
  // The dashboard's own check, so that a token signed out or expired is refused here as it is there.
  const user = tokens ? await sessionUser(request, meta, tokens).catch(() => null) : null;
  if (!user) return 'invalid';
  const project = projectId ? meta.getProject(projectId) : null;
  if (!project || !user.org_ids.includes(project.org_id)) return 'forbidden';
  return memberPrincipal(user, project);
}
