import type { FastifyInstance, FastifyRequest } from 'fastify';
import { dashboardAuth } from '../../server/admin/dashboard-auth.js';
import { goodlogsAuth, goodlogsErrorHandler } from '../../server/goodlogs.js';
import type { SchemaCatalog } from '../../storage/catalog/catalog.js';
import type { QueryRouteDeps } from './goodlogs.js';

/** The seed's schema shape: log and event property keys (typed, with examples and volumes) and event names. */
export function schemaOf(catalog: SchemaCatalog, project: string) {
  return {
    log_properties: catalog.properties(project, 'logs'),
    event_properties: catalog.properties(project, 'events'),
    event_names: catalog.names(project, 'events'),
  };
}

/** `GET /v1/schema` (API key, data:read) and `GET /api/orgs/:org/projects/:project/schema` (session token). */
export function schemaPlugin(deps: QueryRouteDeps) {
  return async function schema(app: FastifyInstance) {
    app.setErrorHandler(goodlogsErrorHandler);
    app.get('/v1/schema', { onRequest: goodlogsAuth(deps.meta, { secretOnly: true, scope: 'data:read' }) }, async (request: FastifyRequest) =>
      schemaOf(deps.catalog, request.apiKey!.project_id),
    );
    app.get('/api/orgs/:org/projects/:project/schema', { onRequest: dashboardAuth(deps.meta, deps.tokens) }, async (request: FastifyRequest) =>
      schemaOf(deps.catalog, request.dashboard!.project!.id),
    );
  };
}
