// `POST …/logs/explainLogWithAI/` (seed 002, scope logs:write): what the project's data says about one log,
// built offline from its facts (query/explain/facts.ts). An explanation is kept per log, in this process,
// and served again unless `force_refresh`; each one made costs one AI query of the plan.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../../../core/errors.js';
import { refusalError } from '../../../server/limits/hook.js';
import { posthogErrorHandler, posthogLogsUrls, posthogUserAuth } from '../../../server/posthog.js';
import { logFacts, findLogRow, type LogFacts } from '../../explain/facts.js';
import type { QueryRouteDeps } from '../goodlogs.js';
import { membersOf, QUERY_BODY_LIMIT } from '../members.js';

const explainRequest = z.object({
  uuid: z.uuid(),
  timestamp: z.iso.datetime({ offset: true }).optional(),
  force_refresh: z.boolean().default(false),
});

/** Explanations kept, least recently made dropped first. */
const CACHE_SIZE = 1000;

export function posthogExplainPlugin(deps: QueryRouteDeps) {
  const cache = new Map<string, { facts: LogFacts; generated_at: string }>();
  return async function posthogExplain(app: FastifyInstance) {
    app.setErrorHandler(posthogErrorHandler);
    const auth = posthogUserAuth(deps.meta, deps.tokens, 'logs:write');
    for (const url of posthogLogsUrls('/explainLogWithAI')) {
      app.post(url, { bodyLimit: QUERY_BODY_LIMIT, onRequest: auth }, async (request, reply) => {
        const body = membersOf(explainRequest, request.body, 'explain', 'VALIDATION_ERROR');
        const { projectId } = request.posthogCaller!;
        // A key held to some environments reads only those; a session reads all.
        const environments = request.apiKey?.environments ?? null;
        const uuid = body.uuid.toLowerCase();
        const cacheKey = `${projectId}\0${JSON.stringify(environments)}\0${uuid}`;
        const hit = body.force_refresh ? undefined : cache.get(cacheKey);
        const echo = { uuid, timestamp: body.timestamp ?? null, force_refresh: body.force_refresh };
        const render = (e: { facts: LogFacts; generated_at: string }, cached: boolean) =>
          reply.code(201).send({ ...echo, explanation: e.facts.summary, facts: e.facts, generated_at: e.generated_at, cached });
        if (hit) return render(hit, true);
        const scope = { project: projectId, environments };
        const now = deps.now();
        const log = await findLogRow(deps.engine, scope, uuid, body.timestamp ? new Date(body.timestamp) : null, now);
        if (!log) throw new ApiError(404, 'NOT_FOUND', 'No log with this uuid in this project (send its timestamp for one older than 30 days)');
        const admission = deps.limits.admit(projectId, 'ai');
        if (!admission.ok) throw refusalError('goodlogs', 'ai', admission);
        const made = { facts: await logFacts(deps.engine, scope, log, now), generated_at: new Date().toISOString() };
        cache.delete(cacheKey);
        cache.set(cacheKey, made);
        if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
        return render(made, false);
      });
    }
  };
}
