import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../core/errors.js';
import type { MetaStore, Org, Project, User } from '../../storage/meta/store.js';
import { presentedKey } from '../auth.js';
import type { Tokens } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who calls a dashboard route, and the org (and project) its path names, once `dashboardAuth` let it in. */
    dashboard?: { user: User; org: Org; project: Project | null };
  }
}

/** The user a request's session token (`Authorization: Bearer <jwt>`) belongs to; 401 without one. */
export async function sessionUser(request: FastifyRequest, meta: MetaStore, tokens: Tokens): Promise<User> {
  const token = presentedKey(request);
  if (!token) throw new ApiError(401, 'UNAUTHORIZED', 'Missing session token: send Authorization: Bearer <token from /api/auth/login>');
  const userId = await tokens.verify(token);
  const user = userId ? meta.getUser(userId) : null;
  if (!user) throw new ApiError(401, 'UNAUTHORIZED', 'Invalid or expired session token');
  return user;
}

/**
 * The check every dashboard route (`/api/orgs/:org/...`) shares, as an `onRequest` hook: a valid session
 * token (401), membership of `:org` (403, also for an org that does not exist, so ids cannot be probed),
 * and, when the route names `:project`, a project of that org (404).
 */
export function dashboardAuth(meta: MetaStore, tokens: Tokens) {
  return async (request: FastifyRequest) => {
    const user = await sessionUser(request, meta, tokens);
    const { org: orgId, project: projectId } = request.params as { org?: string; project?: string };
    const org = orgId !== undefined && user.org_ids.includes(orgId) ? meta.getOrg(orgId) : null;
    if (!org) throw new ApiError(403, 'FORBIDDEN', 'You are not a member of this organization');
    let project: Project | null = null;
    if (projectId !== undefined) {
      project = meta.getProject(projectId);
      if (!project || project.org_id !== org.id) throw new ApiError(404, 'NOT_FOUND', 'No such project in this organization');
    }
    request.dashboard = { user, org, project };
  };
}
