import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../../core/errors.js';
import { goodlogsAuth, goodlogsErrorHandler } from '../../server/goodlogs.js';
import type { MetaStore } from '../../storage/meta/store.js';
import type { SchemaCatalog } from '../../storage/catalog/catalog.js';
import type { Tokens } from '../../server/admin/tokens.js';
import type { QueryEngine } from '../engine/engine.js';
import { executeQuery, scopeOf } from '../execute.js';
import { QueryError, type Source } from '../language/index.js';

export interface QueryRouteDeps {
  engine: QueryEngine;
  meta: MetaStore;
  /** Verifies dashboard session tokens (the `/api/orgs/...` routes). */
  tokens: Tokens;
  catalog: SchemaCatalog;
  /** The query clock: real time, or `query.now` when pinned. */
  now: () => Date;
}

const source = z.enum(['logs', 'events', 'alert_events']).optional();
const single = z.object({ q: z.string(), source });
const batch = z.object({ queries: z.array(z.union([z.string(), single])).min(1).max(10) });

/** A query error is the section-15 object; anything else from storage is an internal error that names no SQL. */
function queryFailure(err: unknown): ApiError | QueryError {
  if (err instanceof QueryError || err instanceof ApiError) return err;
  return new ApiError(500, 'INTERNAL_ERROR', 'The query could not be run');
}

function bodyOf<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(400, 'VALIDATION_ERROR', `${what}: ${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data;
}

/** GoodLogs GQL: `POST /v1/gql/query` (one query) and `POST /v1/gql` (a batch of at most 10). */
export function goodlogsQueryPlugin(deps: QueryRouteDeps) {
  return async function goodlogsQuery(app: FastifyInstance) {
    app.setErrorHandler((err, request, reply) => {
      if (err instanceof QueryError) return reply.code(400).send({ error: err.toJSON() });
      return goodlogsErrorHandler(err, request, reply);
    });
    const auth = goodlogsAuth(deps.meta, { secretOnly: true, scope: 'data:read' });
    const run = (request: FastifyRequest, q: string, src: Source | undefined) =>
      executeQuery(deps.engine, scopeOf(request.goodlogsKey!), { dialect: 'gql', text: q, source: src, now: deps.now() });

    app.post('/v1/gql/query', { onRequest: auth }, async (request: FastifyRequest, reply: FastifyReply) => {
      const { q, source: src } = bodyOf(single, request.body, 'query');
      try {
        const result = await run(request, q, src);
        return reply.send(result.body);
      } catch (err) {
        throw queryFailure(err);
      }
    });

    app.post('/v1/gql', { onRequest: auth }, async (request: FastifyRequest, reply: FastifyReply) => {
      const { queries } = bodyOf(batch, request.body, 'batch');
      const results = await Promise.all(
        queries.map(async (entry) => {
          const { q, source: src } = typeof entry === 'string' ? { q: entry, source: undefined } : entry;
          try {
            const result = await run(request, q, src);
            return { status: 'ok', ...(result.body as object) };
          } catch (err) {
            const failure = queryFailure(err);
            if (!(err instanceof QueryError) && !(err instanceof ApiError)) request.log.error({ err }, 'gql batch: query failed');
            const error = failure instanceof QueryError ? failure.toJSON() : { code: failure.code, message: failure.message };
            return { status: 'error', query: q, error };
          }
        }),
      );
      return reply.send(results);
    });
  };
}
