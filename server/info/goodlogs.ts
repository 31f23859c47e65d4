import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MetaStore } from '../../storage/meta/store.js';
import { goodlogsAuth, goodlogsErrorHandler } from '../goodlogs.js';
import type { Limiter } from '../limits/limiter.js';

/**
 * GoodLogs `GET /v1/info` (scope `data:read`): the key's project, its org, this month's usage and the
 * number of live keys. The seed names the parts, not their shape; this is loglake's.
 */
export function goodlogsInfoPlugin(deps: { meta: MetaStore; limits: Limiter }) {
  return async function goodlogsInfo(app: FastifyInstance) {
    const { meta, limits } = deps;
    app.setErrorHandler(goodlogsErrorHandler);
    app.get('/v1/info', { onRequest: goodlogsAuth(meta, { secretOnly: true, scope: 'data:read' }) }, async (request: FastifyRequest) => {
      const project = meta.getProject(request.apiKey!.project_id)!;
      const org = meta.getOrg(project.org_id);
      const logs = limits.monthlyLogs(project.id);
      return {
        project: { id: project.id, name: project.name, plan: project.plan, created_at: project.created_at },
        org: org && { id: org.id, name: org.name },
        usage: {
          period_start: logs.window.start.toISOString(),
          period_end: logs.window.end.toISOString(),
          logs: logs.used,
          events: meta.getUsage(project.id, 'events', logs.window.key),
          logs_limit: logs.limit,
        },
        key_count: meta.listKeys(project.id).filter((k) => !k.revoked_at).length,
      };
    });
  };
}
