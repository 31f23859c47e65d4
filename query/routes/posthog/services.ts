// `POST …/logs/services`: volume and errors per service, with each service's counts over time.
import type { FastifyRequest } from 'fastify';
import type { QueryRouteDeps } from '../goodlogs.js';
import { filtered, NO_SERVICE, onLogs } from './logs-sql.js';
import { queryMember } from './request.js';
import { parseFilters } from '../../language/filters.js';
import { countsOverTime } from './sparkline.js';
import { scopeOf } from '../../execute.js';

/** PostHog lists the 25 busiest services. */
const MAX_SERVICES = 25;

/**
 * `services` by log_count descending (ties by name), error_count = error and fatal logs, error_rate rounded
 * to 4 decimals (PostHog's rules). The sparkline covers every service in the window, as PostHog's does.
 */
export function servicesRoute(deps: QueryRouteDeps) {
  return async (request: FastifyRequest) => {
    const query = parseFilters(queryMember(request.body, false), deps.now());
    return onLogs(deps.engine, scopeOf(request.apiKey!), query, async (run) => {
      const rows = await run(filtered(query, (where, params) =>
        `SELECT service, count(*) AS log_count, count(*) FILTER (WHERE severity IN ('error', 'fatal')) AS error_count FROM logs${where}`
        + ` GROUP BY service ORDER BY log_count DESC, service NULLS LAST LIMIT ${params.add(MAX_SERVICES)}`));
      const services = rows.map((r) => {
        const logCount = Number(r.log_count);
        const errorCount = Number(r.error_count);
        return {
          service_name: (r.service as string | null) ?? NO_SERVICE,
          log_count: logCount,
          error_count: errorCount,
          error_rate: Math.round((errorCount / logCount) * 10_000) / 10_000,
        };
      });
      const sparkline = (await countsOverTime(query, run, ['service']))
        .map((p) => ({ time: p.time, service_name: p.service!, count: p.count }));
      return { services, sparkline };
    });
  };
}
