// GoodLogs alerts CRUD (seed 000): `/v1/alerts` with scopes alerts:read and alerts:write; the condition is a GQL query.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { goodlogsAuth, goodlogsErrorHandler } from '../../server/goodlogs.js';
import { GOODLOGS } from '../surfaces.js';
import { ruleView } from '../view.js';
import { createRule, deleteRule, listRules, updateRule, type AlertRouteDeps } from './crud.js';

type WithId = FastifyRequest<{ Params: { id: string } }>;

export function goodlogsAlertsPlugin(deps: AlertRouteDeps) {
  return async function goodlogsAlerts(app: FastifyInstance) {
    // The GoodLogs envelope with query errors as spec section 15 renders them: that renderer is PostHog's too.
    app.setErrorHandler(goodlogsErrorHandler);
    const read = goodlogsAuth(deps.meta, { secretOnly: true, scope: 'alerts:read' });
    const write = goodlogsAuth(deps.meta, { secretOnly: true, scope: 'alerts:write' });

    app.get('/v1/alerts', { onRequest: read }, async (request) => ({
      alerts: listRules(deps.meta, request.apiKey!).map((r) => ruleView(r, GOODLOGS)),
    }));

    app.post('/v1/alerts', { onRequest: write }, async (request, reply) => {
      const rule = await createRule(deps, request.apiKey!, request.body, GOODLOGS);
      return reply.code(201).send(ruleView(rule, GOODLOGS));
    });

    // The fields sent replace the rule's; the others stay.
    app.put('/v1/alerts/:id', { onRequest: write }, async (request: WithId) =>
      ruleView(await updateRule(deps, request.apiKey!, request.params.id, request.body, GOODLOGS, 'patch'), GOODLOGS));

    app.delete('/v1/alerts/:id', { onRequest: write }, async (request: WithId) => {
      await deleteRule(deps.meta, request.apiKey!, request.params.id);
      return { id: request.params.id, deleted: true };
    });
  };
}
