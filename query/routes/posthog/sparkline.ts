// `POST …/logs/sparkline`: log counts over time, broken down by severity and service.
import type { FastifyRequest } from 'fastify';
import { timeBucketSql, type Query } from '../../language/index.js';
import type { QueryRouteDeps } from '../goodlogs.js';
import { pickInterval } from './intervals.js';
import { filtered, iso, NO_SERVICE, onLogs, windowSpan, type SqlRow, type Statement } from './logs-sql.js';
import { choiceMember, queryMember } from './request.js';
import { parseFilters } from '../../language/filters.js';
import { scopeOf } from '../../execute.js';

/** PostHog divides a sparkline's window into about 50 buckets of at least a minute. */
const SPARKLINE_BUCKETS = 50;
const SPARKLINE_MIN_SECONDS = 60;
/** PostHog caps its services sparkline at this many rows; every sparkline here is bounded by it. */
const SPARKLINE_MAX_ROWS = 10_000;

const BREAKDOWNS = ['severity', 'service'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

export interface SparklinePoint { time: string; severity?: string; service?: string; count: number }

const ORDER: Record<Breakdown, string> = { severity: 'sevrank(severity)', service: 'service NULLS LAST' };

/**
 * Counts per (bucket, breakdown keys). Only non-empty buckets are listed (spec 13.4: clients zero-fill), in
 * time order, then severity rank, then service.
 */
export async function countsOverTime(query: Query, run: (s: Statement) => Promise<SqlRow[]>, by: Breakdown[]): Promise<SparklinePoint[]> {
  const { seconds } = pickInterval((await windowSpan(query, run)) ?? 0, SPARKLINE_BUCKETS, SPARKLINE_MIN_SECONDS);
  const rows = await run(filtered(query, (where, params) =>
    `SELECT ${timeBucketSql(seconds, params)} AS time, ${by.join(', ')}, count(*) AS n FROM logs${where}`
    + ` GROUP BY time, ${by.join(', ')} ORDER BY time, ${by.map((k) => ORDER[k]).join(', ')} LIMIT ${params.add(SPARKLINE_MAX_ROWS)}`));
  return rows.map((r) => ({
    time: iso(r.time),
    ...(by.includes('severity') ? { severity: String(r.severity) } : {}),
    ...(by.includes('service') ? { service: (r.service as string | null) ?? NO_SERVICE } : {}),
    count: Number(r.n),
  }));
}

/**
 * Rows `{time, severity, service, count}` as the seed shows them. PostHog's `sparklineBreakdownBy` keeps one
 * of the two keys; without it both stay (the seed's row), where PostHog would break down by severity only.
 */
export function sparklineRoute(deps: QueryRouteDeps) {
  return async (request: FastifyRequest) => {
    const body = queryMember(request.body, false);
    const breakdown = choiceMember(body, 'sparklineBreakdownBy', BREAKDOWNS);
    const query = parseFilters(body, deps.now());
    const by = breakdown ? [breakdown] : [...BREAKDOWNS];
    const results = await onLogs(deps.engine, scopeOf(request.apiKey!), query, (run) => countsOverTime(query, run, by));
    return { results };
  };
}
