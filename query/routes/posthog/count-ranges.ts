// `POST …/logs/count-ranges`: counts of the query's logs in adaptive buckets, each with its own bounds so
// a client can pass one back as `dateRange` to drill in.
import type { FastifyRequest } from 'fastify';
import { boundedInteger, timeBucketSql } from '../../language/index.js';
import type { QueryRouteDeps } from '../goodlogs.js';
import { pickInterval } from './intervals.js';
import { filtered, iso, onLogs, windowSpan } from './logs-sql.js';
import { queryMember } from './request.js';
import { parseFilters } from '../../language/filters.js';
import { scopeOf } from '../../execute.js';

const DEFAULT_TARGET_BUCKETS = 10;
const MAX_TARGET_BUCKETS = 100;

export function countRangesRoute(deps: QueryRouteDeps) {
  return async (request: FastifyRequest) => {
    const body = queryMember(request.body, false);
    const target = boundedInteger('structured', 'targetBuckets', body.targetBuckets as number | string | undefined, 1, MAX_TARGET_BUCKETS, DEFAULT_TARGET_BUCKETS);
    const query = parseFilters(body, deps.now());
    return onLogs(deps.engine, scopeOf(request.apiKey!), query, async (run) => {
      const spanMs = await windowSpan(query, run);
      const interval = pickInterval(spanMs ?? 0, target);
      if (spanMs === null) return { ranges: [], interval: interval.label };
      const rows = await run(filtered(query, (where, params) =>
        `SELECT ${timeBucketSql(interval.seconds, params)} AS bucket, count(*) AS n FROM logs${where} GROUP BY bucket ORDER BY bucket`));
      // Only buckets holding logs, as PostHog answers: a gap is a date_to that is not the next date_from.
      const ranges = rows.map((r) => {
        const start = new Date(iso(r.bucket));
        return { date_from: start.toISOString(), date_to: new Date(start.getTime() + interval.seconds * 1000).toISOString(), count: Number(r.n) };
      });
      return { ranges, interval: interval.label };
    });
  };
}
