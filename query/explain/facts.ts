// Explaining a log offline: the facts the data holds about it — the log itself, how often logs of the same
// message pattern arrived (last hour, last day, per hour, since when), the services they came from, and
// the other logs of its trace — and a few sentences said only from those facts.
import type { QueryEngine, Scope } from '../engine/engine.js';
import { executeParsed } from '../execute.js';
import { parseQuery, quoteString, type Row, type TimeRange } from '../language/index.js';
import type { GqlBody } from '../language/shape.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** How far back "since when" looks. */
const FIRST_SEEN_DAYS = 7;
const TRACE_LOGS = 20;

export interface LogFacts {
  log: Row;
  /** The GQL that finds logs of the same message pattern (numbers, ids and hex runs as wildcards). */
  pattern_query: string;
  similar: { last_hour: number; last_day: number; /** The first UTC day of the last 7 that had one. */ first_seen_day: string | null; hourly: { time: string; count: number }[]; trend: 'rising' | 'falling' | 'steady' | 'new' };
  services: { service: string | null; count: number }[];
  trace: Row[];
  summary: string;
}

/** A message with its variable parts as `*`, so that "order 123 failed" and "order 456 failed" are one pattern. */
export function messagePattern(message: string): string {
  return message
    .replace(/\*/g, ' ')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '*')
    .replace(/\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, '*')
    .replace(/\d+(?:[.,:]\d+)*/g, '*')
    .replace(/\*+(?:\s*\*+)*/g, '*')
    .slice(0, 500);
}

type Run = (gql: string, time: TimeRange) => Promise<GqlBody['data']>;

function runner(engine: QueryEngine, scope: Scope, now: Date): Run {
  return async (gql, time) => {
    const result = await executeParsed(engine, scope, { ...parseQuery({ dialect: 'gql', text: gql, now }), time });
    return (result.body as GqlBody).data;
  };
}

const span = (from: number, to: number): TimeRange => ({ from: new Date(from), to: new Date(to), explicit: true });
const countOf = (data: GqlBody['data']) => Number(data.results[0]?.value ?? 0);

/** The log `id` of the scope, looked for around `at` (a minute either side) or, without it, over the last 30 days. */
export async function findLogRow(engine: QueryEngine, scope: Scope, id: string, at: Date | null, now: Date): Promise<Row | null> {
  const run = runner(engine, scope, now);
  const time = at ? span(at.getTime() - MINUTE_MS, at.getTime() + MINUTE_MS) : span(now.getTime() - 30 * DAY_MS, now.getTime() + MINUTE_MS);
  return (await run(`id:${quoteString(id)} | limit 1`, time)).results[0] ?? null;
}

function trendOf(hourly: { count: number }[]): LogFacts['similar']['trend'] {
  const last = hourly.at(-1)?.count ?? 0;
  const before = hourly.slice(0, -1);
  if (before.every((h) => h.count === 0)) return 'new';
  const mean = before.reduce((s, h) => s + h.count, 0) / before.length;
  if (last > 2 * mean) return 'rising';
  if (last < mean / 2) return 'falling';
  return 'steady';
}

function summaryOf(f: Omit<LogFacts, 'summary'>): string {
  const { log, similar } = f;
  const where = log.service ? ` from ${String(log.service)}` : '';
  const severity = String(log.severity ?? 'unlabelled');
  const parts = [`${severity[0].toUpperCase()}${severity.slice(1)} log${where}: "${String(log.message ?? '').slice(0, 200)}".`];
  parts.push(`Logs of the same pattern: ${similar.last_hour} in the last hour, ${similar.last_day} in the last day${similar.first_seen_day ? `, first seen (looking back ${FIRST_SEEN_DAYS} days) on ${similar.first_seen_day}` : ''}; the trend is ${similar.trend === 'new' ? 'new this hour' : similar.trend}.`);
  if (f.services.length > 1) parts.push(`They came from ${f.services.map((s) => `${s.service ?? '(no service)'} (${s.count})`).join(', ')}.`);
  if (log.trace_id) parts.push(`Its trace holds ${f.trace.length} other log${f.trace.length === 1 ? '' : 's'} within an hour of it.`);
  return parts.join(' ');
}

export async function logFacts(engine: QueryEngine, scope: Scope, log: Row, now: Date): Promise<LogFacts> {
  const run = runner(engine, scope, now);
  const t = now.getTime();
  const same = `message~${quoteString(messagePattern(String(log.message ?? '')))}`;
  const [lastHour, lastDay, hourlyData, daily, services] = await Promise.all([
    run(`${same} | count`, span(t - HOUR_MS, t)),
    run(`${same} | count`, span(t - DAY_MS, t)),
    run(`${same} | count | timeslice 1h`, span(t - DAY_MS, t)),
    run(`${same} | count | timeslice 1d`, span(t - FIRST_SEEN_DAYS * DAY_MS, t)),
    run(`${same} | count by service | top 5`, span(t - DAY_MS, t)),
  ]);
  const hourly = hourlyData.results.map((r) => ({ time: String(r.time), count: Number(r.value) }));
  const firstDay = daily.results.filter((r) => Number(r.value) > 0).map((r) => String(r.time).slice(0, 10)).sort()[0] ?? null;
  const at = Date.parse(String(log.timestamp));
  const trace = log.trace_id
    ? (await run(`trace_id:${quoteString(String(log.trace_id))} | limit ${TRACE_LOGS + 1}`, span(at - HOUR_MS, at + HOUR_MS))).results.filter((r) => r.id !== log.id).slice(0, TRACE_LOGS)
    : [];
  const facts = {
    log,
    pattern_query: same,
    similar: { last_hour: countOf(lastHour), last_day: countOf(lastDay), first_seen_day: firstDay, hourly, trend: trendOf(hourly) },
    services: services.results.map((r) => ({ service: r.service === null || r.service === undefined ? null : String(r.service), count: Number(r.value) })),
    trace,
  };
  return { ...facts, summary: summaryOf(facts) };
}
