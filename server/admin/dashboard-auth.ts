import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../core/errors.js';
import type { MetaStore, Org, Project, User } from '../../storage/meta/store.js';
import { presentedKey } from '../auth.js';
import type { Session, Tokens } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who calls a dashboard route, and the org (and project) its path names, once `dashboardAuth` let it in. */
    dashboard?: { user: User; org: Org; project: Project | null };
  }
}

/**
 * The live session of a request's token (`Authorization: Bearer <jwt>`) and its user; 401 without one, and
 * for a token signed out, or from before the user's sessions were ended (a password change, sign-out everywhere).
 */
export async function requestSession(request: FastifyRequest, meta: MetaStore, tokens: Tokens): Promise<{ user: User; session: Session }> {
  const token = presentedKey(request);
  if (!token) throw new ApiError(401, 'UNAUTHORIZED', 'Missing session token: send Authorization: Bearer <token from /api/auth/login>');
  const session = await tokens.verify(token);
  const user = session ? meta.getUser(session.userId) : null;
  if (!session || !user || session.epoch !== user.session_epoch || meta.isSessionRevoked(session.tokenId)) {
    throw new ApiError(401, 'UNAUTHORIZED', 'Invalid or expired session token');
  }
  return { user, session };
}

export async function sessionUser(request: FastifyRequest, meta: MetaStore, tokens: Tokens): Promise<User> {
  return (await requestSession(request, meta, tokens)).user;
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
