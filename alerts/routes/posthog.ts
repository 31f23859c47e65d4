// PostHog-style logs alerts (seed 002) under `/api/projects/:project_id/logs/alerts`: personal keys with
// logs:read to read and logs:write to write; the condition is the structured filters of the logs query API.
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { boundedInteger } from '../../query/language/index.js';
import { posthogAuth, posthogErrorHandler } from '../../server/posthog.js';
import type { AlertRule } from '../../storage/meta/store.js';
import { POSTHOG } from '../surfaces.js';
import { ruleView } from '../view.js';
import { createRule, deleteRule, getRule, listRules, updateRule, type AlertRouteDeps } from './crud.js';

const PREFIX = '/api/projects/:project_id/logs/alerts';

/** Django REST framework's page size; PostHog's list answers page by `limit` and `offset`. */
const DEFAULT_LIMIT = 100;

type WithId = FastifyRequest<{ Params: { id: string } }>;

/** The list URL of another page, absolute as PostHog answers it. */
function pageUrl(request: FastifyRequest, limit: number, offset: number): string {
  return `${request.protocol}://${request.host}${request.url.split('?')[0]}?limit=${limit}&offset=${offset}`;
}

function list(deps: AlertRouteDeps): RouteHandlerMethod {
  return async (request) => {
    const q = request.query as Record<string, string | undefined>;
    const limit = boundedInteger('structured', 'limit', q.limit, 1, 1000, DEFAULT_LIMIT);
    const offset = boundedInteger('structured', 'offset', q.offset, 0, Number.MAX_SAFE_INTEGER, 0);
    const rules = listRules(deps.meta, request.apiKey!);
    return {
      count: rules.length,
      next: offset + limit < rules.length ? pageUrl(request, limit, offset + limit) : null,
      previous: offset > 0 ? pageUrl(request, limit, Math.max(0, offset - limit)) : null,
      results: rules.slice(offset, offset + limit).map((r) => ruleView(r, POSTHOG)),
    };
  };
}

export function posthogAlertsPlugin(deps: AlertRouteDeps) {
  return async function posthogAlerts(app: FastifyInstance) {
    app.setErrorHandler(posthogErrorHandler);
    // The seed's URLs end in a slash (Django's style); clients send both forms.
    const route = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, scope: 'logs:read' | 'logs:write', handler: RouteHandlerMethod) => {
      for (const url of [`${PREFIX}${path}`, `${PREFIX}${path}/`]) app.route({ method, url, onRequest: posthogAuth(deps.meta, scope), handler });
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
