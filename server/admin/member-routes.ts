import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../core/errors.js';
import type { MetaStore } from '../../storage/meta/store.js';
import { dashboardAuth } from './dashboard-auth.js';
import { renderUser } from './render.js';
import type { Tokens } from './tokens.js';

/**
 * An org's members for a member of it: `GET /api/orgs/:org/members` and `DELETE …/members/:user` (anyone,
 * oneself included, but never the last member). A removed user's requests to the org fail at once: every
 * dashboard route checks membership in the store, not in the token.
 */
export function memberRoutes(deps: { meta: MetaStore; tokens: Tokens }) {
  return async function members(app: FastifyInstance) {
    const { meta } = deps;
    app.addHook('onRequest', dashboardAuth(meta, deps.tokens));

    app.get('/api/orgs/:org/members', async (request: FastifyRequest) => ({
      members: meta.listMembers(request.dashboard!.org.id).map(renderUser),
    }));

    app.delete('/api/orgs/:org/members/:user', async (request: FastifyRequest<{ Params: { user: string } }>, reply: FastifyReply) => {
      const outcome = await meta.removeMember(request.dashboard!.org.id, request.params.user);
      if (outcome === 'not_member') throw new ApiError(404, 'NOT_FOUND', 'No such member of this organization');
      if (outcome === 'last_member') throw new ApiError(409, 'CONFLICT', 'An organization keeps at least one member');
      return reply.code(204).send();
    });
  };
}
