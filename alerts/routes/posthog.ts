// PostHog-style logs alerts (seed 002) under `/api/{projects,environments}/:project_id/logs/alerts`: personal keys with
// logs:read to read and logs:write to write; the condition is the structured filters of the logs query API.
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { pageParams } from '../../query/language/index.js';
import { limitOffsetPage, posthogAuth, posthogErrorHandler, posthogLogsUrls } from '../../server/posthog.js';
import type { AlertRule } from '../../storage/meta/store.js';
import { POSTHOG } from '../surfaces.js';
import { ruleView } from '../view.js';
import { createRule, deleteRule, getRule, listRules, updateRule, type AlertRouteDeps } from './crud.js';

type WithId = FastifyRequest<{ Params: { id: string } }>;

function list(deps: AlertRouteDeps): RouteHandlerMethod {
  return async (request) => {
    const { limit, offset } = pageParams(request.query);
    return limitOffsetPage(request, listRules(deps.meta, request.apiKey!), limit, offset, (r) => ruleView(r, POSTHOG));
  };
}

export function posthogAlertsPlugin(deps: AlertRouteDeps) {
  return async function posthogAlerts(app: FastifyInstance) {
    app.setErrorHandler(posthogErrorHandler);
    const route = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, scope: 'logs:read' | 'logs:write', handler: RouteHandlerMethod) => {
      for (const url of posthogLogsUrls(`/alerts${path}`)) app.route({ method, url, onRequest: posthogAuth(deps.meta, scope), handler });
    };
    const view = (rule: AlertRule) => ruleView(rule, POSTHOG);
    const id = (request: FastifyRequest) => (request as WithId).params.id;

    route('GET', '', 'logs:read', list(deps));
    route('POST', '', 'logs:write', async (request, reply) =>
      reply.code(201).send(view(await createRule(deps, request.apiKey!, request.body, POSTHOG))));
    route('GET', '/:id', 'logs:read', async (request) =>
      view(getRule(deps.meta, request.apiKey!, id(request))));
    route('PATCH', '/:id', 'logs:write', async (request) =>
      view(await updateRule(deps, request.apiKey!, id(request), request.body, POSTHOG, 'patch')));
    route('PUT', '/:id', 'logs:write', async (request) =>
      view(await updateRule(deps, request.apiKey!, id(request), request.body, POSTHOG, 'replace')));
    route('DELETE', '/:id', 'logs:write', async (request, reply) => {
      await deleteRule(deps.meta, request.apiKey!, id(request));
      return reply.code(204).send();
    });
  };
}
