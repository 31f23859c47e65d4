import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { UNLIMITED } from '../../config/plans.js';
import type { Config } from '../../config/schema.js';
import { ApiError } from '../../core/errors.js';
import { keySpec } from '../../storage/meta/key-spec.js';
import type { MetaStore } from '../../storage/meta/store.js';
import { goodlogsBody } from '../goodlogs.js';
import type { Limiter } from '../limits/limiter.js';
import { dashboardAuth } from './dashboard-auth.js';
import { renderKey } from './render.js';
import type { Tokens } from './tokens.js';

export interface AdminDeps {
  meta: MetaStore;
  limits: Limiter;
  tokens: Tokens;
  /** The region of keys created without one. */
  defaultRegion: string;
  signup: Config['auth']['signup'];
}

const newProject = z.strictObject({
  name: z.string().trim().min(1).max(100),
  /** Absent: `unlimited`; limits apply only to projects put on a plan. */
  plan: z.string().optional(),
});

/**
 * The admin API for a member of the org: projects (`POST`/`GET /api/orgs/:org/projects`) and their keys
 * (`POST`/`GET .../projects/:project/keys`, `DELETE .../keys/:id`). A new key's text is in the creation
 * answer only; listings show its first characters.
 */
export function projectRoutes(deps: AdminDeps) {
  return async function projects(app: FastifyInstance) {
    const { meta } = deps;
    app.addHook('onRequest', dashboardAuth(meta, deps.tokens));
    const scope = (request: FastifyRequest) => request.dashboard!;

    app.post('/api/orgs/:org/projects', async (request: FastifyRequest, reply: FastifyReply) => {
      const body = goodlogsBody(newProject, request.body);
      const plan = body.plan ?? UNLIMITED;
      if (!deps.limits.hasPlan(plan)) throw new ApiError(400, 'VALIDATION_ERROR', `plan: no plan named "${plan}"`);
      return reply.code(201).send(await meta.createProject(scope(request).org.id, body.name, plan));
    });

    app.get('/api/orgs/:org/projects', async (request: FastifyRequest) => {
      const org = scope(request).org.id;
      return { projects: meta.listProjects().filter((p) => p.org_id === org) };
    });

    app.post('/api/orgs/:org/projects/:project/keys', async (request: FastifyRequest, reply: FastifyReply) => {
      const project = scope(request).project!;
      const spec = keySpec(request.body ?? {}, { orgId: project.org_id, projectId: project.id, defaultRegion: deps.defaultRegion });
      if (!spec.ok) throw new ApiError(400, 'VALIDATION_ERROR', spec.message);
      const { key, secret } = await meta.createKey({ ...spec.spec, created_by: scope(request).user.id });
      return reply.code(201).send({ ...renderKey(key), key: secret });
    });

    app.get('/api/orgs/:org/projects/:project/keys', async (request: FastifyRequest) => ({
      keys: meta.listKeys(scope(request).project!.id).map(renderKey),
    }));

    app.delete('/api/orgs/:org/projects/:project/keys/:id', async (request: FastifyRequest) => {
      const project = scope(request).project!;
      const { id } = request.params as { id: string };
      const key = meta.getKey(id);
      if (!key || key.project_id !== project.id) throw new ApiError(404, 'NOT_FOUND', 'No such key in this project');
      // Revoking twice answers as the first time did.
      if (!key.revoked_at) await meta.revokeKey(project.id, id);
      return renderKey(meta.getKey(id)!);
    });
  };
}
