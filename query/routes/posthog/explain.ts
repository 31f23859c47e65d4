// `POST …/logs/explainLogWithAI/` (seed 002): what the lake knows about one log, gathered from the data and
// said in a few sentences: how often its message template came in the last hour and day and since when,
// whether that is rising, which services and property values its logs share, and the rest of its trace.
// Nothing leaves the machine; an explanation is kept per log until `force_refresh`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../../../core/errors.js';
import { posthogAuth, posthogErrorHandler, posthogLogsUrls } from '../../../server/posthog.js';
import type { Relations } from '../../engine/engine.js';
import { scopeOf } from '../../execute.js';
import { toIso } from '../../language/values.js';
import { PATTERN_ID_SQL, PATTERN_SQL, PATTERNED_LOGS, withPatterns } from '../../patterns/lookup.js';
import type { NlProvider } from '../../nl/provider.js';
import type { QueryRouteDeps } from '../goodlogs.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Where a log is looked for without a timestamp, and how far back "since when" looks. */
const LOOKBACK = 7 * DAY;
const CACHED = 1000;

const body = z.object({
  uuid: z.string().min(1).max(100),
  timestamp: z.string().datetime({ offset: true }).optional(),
  force_refresh: z.boolean().default(false),
});

interface Facts {
  log: { id: string; timestamp: string; severity: string; service: string | null; message: string; trace_id: string | null };
  template: string;
  /** The log's pattern (query/patterns): its similar logs are the logs of that pattern. */
  pattern_id: string;
  similar: { last_hour: number; previous_hour: number; last_day: number; first_seen: string | null; last_seen: string | null };
  services: { service: string | null; count: number }[];
  severities: Record<string, number>;
  shared_properties: { key: string; value: string; share: number }[];
  trace: { id: string; timestamp: string; severity: string; service: string | null; message: string }[];
}

/** A log row as the facts show it. */
const logOf = (r: Record<string, unknown>) => ({
  id: String(r.id), timestamp: toIso(r.timestamp)!, severity: String(r.severity), service: r.service as string | null, message: String(r.message ?? ''),
});

function ago(from: string, now: Date): string {
  const ms = now.getTime() - Date.parse(from);
  if (ms < HOUR) return `${Math.max(1, Math.round(ms / 60_000))} min ago`;
  if (ms < 2 * DAY) return `${Math.round(ms / HOUR)} h ago`;
  return `${Math.round(ms / DAY)} days ago`;
}

function trend(last: number, previous: number): string {
  if (previous === 0) return last > 0 ? 'new in the last hour' : 'quiet in the last two hours';
  const ratio = last / previous;
  if (ratio >= 1.5) return `rising (${last} against ${previous} in the hour before)`;
  if (ratio <= 0.67) return `falling (${last} against ${previous} in the hour before)`;
  return `steady (${last} against ${previous} in the hour before)`;
}

/** The facts in sentences; every figure in it is one of `facts`. */
export function summarize(f: Facts, now: Date): string {
  const who = f.log.service ? ` from ${f.log.service}` : '';
  const lines = [`This ${f.log.severity} log${who} has the template "${f.template}".`];
  lines.push(`Logs with that template: ${f.similar.last_hour} in the last hour, ${trend(f.similar.last_hour, f.similar.previous_hour)}; ${f.similar.last_day} in the last 24 h`
    + (f.similar.first_seen ? `; first seen ${ago(f.similar.first_seen, now)} (within the last 7 days).` : '.'));
  if (f.services.length > 1) lines.push(`They come from ${f.services.map((s) => `${s.service ?? 'no service'} (${s.count})`).join(', ')}.`);
  const shared = f.shared_properties.filter((p) => p.share === 1);
  // One log alone shares everything with itself: worth saying only of several.
  if (shared.length && f.similar.last_day > 1) lines.push(`All of them share ${shared.map((p) => `${p.key}=${p.value}`).join(', ')}.`);
  if (f.trace.length) {
    const errors = f.trace.filter((t) => t.severity === 'error' || t.severity === 'fatal').length;
    lines.push(`Its trace holds ${f.trace.length} other log${f.trace.length === 1 ? '' : 's'}${errors ? `, ${errors} of them errors` : ''}; the first: "${f.trace[0].message}" (${f.trace[0].service ?? 'no service'}).`);
  }
  return lines.join(' ');
}

async function gather(rel: Relations, id: string, now: Date): Promise<Facts | null> {
  const [row] = await rel.all(
    `SELECT id, timestamp, severity, service, message, trace_id, ${PATTERN_ID_SQL} AS pattern_id, ${PATTERN_SQL} AS pattern FROM ${PATTERNED_LOGS} WHERE id = $1 LIMIT 1`, [id]);
  if (!row) return null;
  const log = { ...logOf(row), trace_id: (row.trace_id as string | null) || null };
  const template = String(row.pattern);
  const patternId = String(row.pattern_id);
  const t = now.getTime();
  // $1 is the pattern id: compacted rows compare their stored id, the others their message's pattern.
  const similar = `FROM ${PATTERNED_LOGS} WHERE ${PATTERN_ID_SQL} = $1`;
  const [counts] = await rel.all(
    `SELECT count(*) FILTER (WHERE timestamp > $2) AS last_hour, count(*) FILTER (WHERE timestamp > $3 AND timestamp <= $2) AS previous_hour,
            count(*) FILTER (WHERE timestamp > $4) AS last_day, min(timestamp) AS first_seen, max(timestamp) AS last_seen ${similar}`,
    [patternId, new Date(t - HOUR).toISOString(), new Date(t - 2 * HOUR).toISOString(), new Date(t - DAY).toISOString()],
  );
  const dayAgo = new Date(t - DAY).toISOString();
  const services = await rel.all(`SELECT service, count(*) AS n ${similar} AND timestamp > $2 GROUP BY 1 ORDER BY n DESC, service NULLS LAST LIMIT 5`, [patternId, dayAgo]);
  const severities = await rel.all(`SELECT severity, count(*) AS n ${similar} AND timestamp > $2 GROUP BY 1 ORDER BY n DESC`, [patternId, dayAgo]);
  const lastDay = Number(counts.last_day);
  const props = lastDay === 0 ? [] : await rel.all(
    `SELECT k, v, count(*) AS n FROM (SELECT unnest(map_keys(attrs_str)) AS k, unnest(map_values(attrs_str)) AS v ${similar} AND timestamp > $2)
     GROUP BY 1, 2 ORDER BY n DESC, k LIMIT 5`, [patternId, dayAgo]);
  const trace = log.trace_id === null ? [] : await rel.all(
    'SELECT id, timestamp, severity, service, message FROM logs WHERE trace_id = $1 AND id <> $2 ORDER BY timestamp, id LIMIT 20', [log.trace_id, log.id]);
  return {
    log,
    template,
    pattern_id: patternId,
    similar: {
      last_hour: Number(counts.last_hour), previous_hour: Number(counts.previous_hour), last_day: lastDay,
      first_seen: toIso(counts.first_seen), last_seen: toIso(counts.last_seen),
    },
    services: services.map((s) => ({ service: s.service as string | null, count: Number(s.n) })),
    severities: Object.fromEntries(severities.map((s) => [String(s.severity), Number(s.n)])),
    shared_properties: props.map((p) => ({ key: String(p.k), value: String(p.v), share: Math.round((Number(p.n) / lastDay) * 1000) / 1000 })),
    trace: trace.map(logOf),
  };
}

const WRITE_RULES = `You explain one log entry to an engineer on call, in 3 to 5 plain sentences, from the JSON facts you are
given (the log, how often its message template came and since when, the services and property values its logs share,
the rest of its trace). Use only those facts and their figures; say what the pattern suggests and what to look at first.`;

/**
 * Registered apart from the read routes: the seed gives it the `logs:write` scope. With a model configured
 * (`ai.provider`), the model writes the summary from the same facts; if it cannot, the offline one stands.
 */
export function posthogExplainPlugin(deps: QueryRouteDeps & { provider: NlProvider }) {
  return async function posthogExplain(app: FastifyInstance) {
    app.setErrorHandler(posthogErrorHandler);
    app.addHook('onRequest', posthogAuth(deps.meta, 'logs:write'));
    // Most recently explained last, so the first key is the one to drop.
    const cache = new Map<string, unknown>();
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const parsed = body.safeParse(request.body ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ApiError(400, 'VALIDATION_ERROR', `${issue.path.join('.') || 'body'}: ${issue.message}`, { attr: issue.path.join('.') || null });
      }
      const { uuid, timestamp, force_refresh } = parsed.data;
      const scope = scopeOf(request.apiKey!);
      const key = JSON.stringify([scope.project, scope.environments, uuid]);
      const kept = cache.get(key);
      if (kept && !force_refresh) {
        cache.delete(key);
        cache.set(key, kept);
        return reply.code(201).send({ uuid, timestamp: timestamp ?? null, force_refresh, ...(kept as object), cached: true });
      }
      // The query clock, as every query route reads it (pinned in reproducible reports).
      const now = deps.now();
      // The files to read: the log's own hour when the client says it, else the lookback; the facts about
      // its template always reach back over the lookback.
      const at = timestamp ? Date.parse(timestamp) : null;
      const from = new Date(Math.min(now.getTime() - LOOKBACK, at === null ? Infinity : at - HOUR));
      const to = new Date(Math.max(now.getTime(), at === null ? 0 : at + HOUR));
      const facts = await withPatterns(deps.engine, scope, { from, to }, (rel) => gather(rel, uuid, now));
      if (!facts) throw new ApiError(404, 'NOT_FOUND', 'No log with this uuid in this project');
      const written = deps.provider.assistant ? await deps.provider.assistant.write(WRITE_RULES, facts) : null;
      const summary = written?.ok ? written.text : summarize(facts, now);
      const answer = {
        explanation: { summary, ...facts }, provider: written?.ok ? deps.provider.name : 'offline', generated_at: now.toISOString(),
        ...(written && !written.ok ? { provider_error: written.reason } : {}),
      };
      cache.set(key, answer);
      if (cache.size > CACHED) cache.delete(cache.keys().next().value!);
      return reply.code(201).send({ uuid, timestamp: timestamp ?? null, force_refresh, ...answer, cached: false });
    };
    for (const url of posthogLogsUrls('/explainLogWithAI')) app.post(url, handler);
  };
}
