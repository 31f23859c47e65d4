// Natural language → GQL (`POST /v1/gql/nl` with a key, and its dashboard twin with a session token). Each
// request costs one AI query of the project's plan, whichever provider answers.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { dashboardAuth } from '../../server/admin/dashboard-auth.js';
import { goodlogsAuth, goodlogsErrorHandler } from '../../server/goodlogs.js';
import { refusalError } from '../../server/limits/hook.js';
import type { Scope } from '../engine/engine.js';
import { scopeOf } from '../execute.js';
import type { NlProvider, ProjectSchema } from '../nl/provider.js';
import { translate } from '../nl/translate.js';
import { schemaProvider } from '../schema-provider.js';
import type { QueryRouteDeps } from './goodlogs.js';
import { membersOf, QUERY_BODY_LIMIT } from './members.js';

const nlRequest = z.object({
  prompt: z.string().trim().min(1).max(500),
  mode: z.enum(['explorer', 'alert']).default('explorer'),
});

/** What a translator may know of the project: its services, event names and property names, never rows. */
export async function projectSchema(deps: QueryRouteDeps, scope: Scope): Promise<ProjectSchema> {
  const schema = schemaProvider(deps.engine, deps.catalog, scope, deps.now);
  const names = async (source: 'logs' | 'events', field: string) =>
    (await schema.values(source, field)).map((v) => String(v.value));
  return {
    services: await names('logs', 'service'),
    eventNames: await names('events', 'event'),
    properties: { logs: await schema.fields('logs'), events: await schema.fields('events') },
  };
}

export function gqlNlPlugin(deps: QueryRouteDeps & { provider: NlProvider }) {
  return async function gqlNl(app: FastifyInstance) {
    app.setErrorHandler(goodlogsErrorHandler);
    const answer = async (request: FastifyRequest, scope: Scope) => {
      const { prompt, mode } = membersOf(nlRequest, request.body, 'nl', 'VALIDATION_ERROR');
      const admission = deps.limits.admit(scope.project, 'ai');
      if (!admission.ok) throw refusalError('goodlogs', 'ai', admission);
      return translate(deps.provider, { prompt, mode, now: deps.now(), schema: await projectSchema(deps, scope) });
    };
    app.post('/v1/gql/nl', { bodyLimit: QUERY_BODY_LIMIT, onRequest: goodlogsAuth(deps.meta, { secretOnly: true, scope: 'data:read' }) },
      (request) => answer(request, scopeOf(request.apiKey!)));
    app.post('/api/orgs/:org/projects/:project/gql/nl', { bodyLimit: QUERY_BODY_LIMIT, onRequest: dashboardAuth(deps.meta, deps.tokens) },
      (request) => answer(request, { project: request.dashboard!.project!.id, environments: null }));
  };
}
