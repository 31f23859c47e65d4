import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ENVIRONMENTS } from '../../core/records.js';
import type { MetaStore } from '../../storage/meta/store.js';
import { defaultEnvironment } from '../key-grants.js';
import type { Limiter } from '../limits/limiter.js';
import { logtrailAuth, logtrailErrorHandler } from '../logtrail.js';

export interface LogtrailInfoDeps {
  meta: MetaStore;
  limits: Limiter;
  /** What the Logtrail receiver enforces, reported as the plan's `max_batch_size` and `max_log_size`. */
  maxBatchSize: number;
  maxLogSize: number;
  defaultEnvironment: string;
}

/**
 * Logtrail `GET /info` and `GET /usage` (permission `logs:read`) in the seed's InfoResponse and
 * UsageResponse shapes. A plan without a monthly quota answers `null` for its limit and remaining.
 */
export function logtrailInfoPlugin(deps: LogtrailInfoDeps) {
  return async function logtrailInfo(app: FastifyInstance) {
    const { meta, limits } = deps;
    app.setErrorHandler(logtrailErrorHandler);
    const read = { onRequest: logtrailAuth(meta, 'logs:read') };

    const usageOf = (projectId: string) => {
      const { plan, used, limit, window } = limits.monthlyLogs(projectId);
      return {
        plan,
        used,
        limit,
        remaining: limit === null ? null : Math.max(0, limit - used),
        period_start: window.start.toISOString(),
        period_end: new Date(window.end.getTime() - 1).toISOString(),
        resets_at: window.end.toISOString(),
      };
    };

    app.get('/info', read, async (request: FastifyRequest) => {
      const key = request.apiKey!;
      const project = meta.getProject(key.project_id)!;
      const org = meta.getOrg(project.org_id);
      const usage = usageOf(project.id);
      const environments = key.environments ?? [...ENVIRONMENTS];
      return {
        organization: { id: project.org_id, name: org?.name ?? null },
        project: { id: project.id, name: project.name },
        api_key: { id: key.id, name: key.name, scopes: key.scopes, environment_scopes: environments },
        plan: {
          code: usage.plan,
          logs_per_month: usage.limit,
          // Plans carry no retention in loglake: logs stay until the lake's own retention drops them.
          log_retention_days: null,
          max_batch_size: deps.maxBatchSize,
          max_log_size: deps.maxLogSize,
        },
        usage: {
          current_month_used: usage.used,
          current_month_limit: usage.limit,
          current_month_remaining: usage.remaining,
          period_start: usage.period_start,
          period_end: usage.period_end,
          resets_at: usage.resets_at,
        },
        ingestion: { allowed_environments: environments, default_environment: defaultEnvironment(key, deps.defaultEnvironment) },
      };
    });

    app.get('/usage', read, async (request: FastifyRequest) => {
      const { plan, ...usage } = usageOf(request.apiKey!.project_id);
      return { ...usage, plan_code: plan };
    });
  };
}
