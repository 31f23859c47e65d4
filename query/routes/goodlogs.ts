import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../../core/errors.js';
import { TABLES } from '../../core/tables.js';
import { goodlogsAuth, goodlogsErrorHandler } from '../../server/goodlogs.js';
import type { MetaStore } from '../../storage/meta/store.js';
import type { SchemaCatalog } from '../../storage/catalog/catalog.js';
import type { Tokens } from '../../server/admin/tokens.js';
import type { Limiter } from '../../server/limits/limiter.js';
import type { QueryEngine } from '../engine/engine.js';
import { executeParsed, executeQuery, scopeOf } from '../execute.js';
import { autocomplete, parseQuery, QueryError, type Source } from '../language/index.js';
import { cursorParam } from '../language/request-params.js';
import type { Scope } from '../engine/engine.js';
import { schemaProvider } from '../schema-provider.js';
import { dashboardAuth } from '../../server/admin/dashboard-auth.js';
import { membersOf } from './members.js';
import { patternStoreOf } from '../patterns/lookup.js';

export interface QueryRouteDeps {
  engine: QueryEngine;
  meta: MetaStore;
  /** Verifies dashboard session tokens (the `/api/orgs/...` routes). */
  tokens: Tokens;
  catalog: SchemaCatalog;
  /** The shared limiter: query routes count against their plan's hourly query budget. */
  limits: Limiter;
  /** The query clock: real time, or `query.now` when pinned. */
  now: () => Date;
}

const source = z.enum(TABLES).optional();
const single = z.object({ q: z.string(), source });
/** The dashboard twin pages a search with the keyset cursor of spec 12.3: a previous answer's `next_cursor`. */
const dashboardSingle = single.extend({ cursorTS: z.string().optional(), cursorID: z.string().optional() });
const batch = z.object({ queries: z.array(z.union([z.string(), single])).min(1).max(10) });
/** How far back a key held to environments looks for its patterns. */
const OWN_PATTERNS_DAYS = 30;
const patternList = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });
const completion = z.object({ q: z.string().default(''), cursor: z.coerce.number().int().min(0).optional(), source });

/** A query error is the section-15 object; anything else from storage is an internal error that names no SQL. */
function queryFailure(err: unknown): ApiError | QueryError {
  if (err instanceof QueryError || err instanceof ApiError) return err;
  return new ApiError(500, 'INTERNAL_ERROR', 'The query could not be run');
}

const bodyOf = <T>(schema: z.ZodType<T>, body: unknown, what: string): T => membersOf(schema, body, what, 'VALIDATION_ERROR');

/**
 * GoodLogs GQL: `POST /v1/gql/query` (one query), `POST /v1/gql` (a batch of at most 10), autocomplete, and
 * their dashboard twins under `/api/orgs/:org/projects/:project/` for session tokens.
 */
export function goodlogsQueryPlugin(deps: QueryRouteDeps) {
  return async function goodlogsQuery(app: FastifyInstance) {
    app.setErrorHandler(goodlogsErrorHandler);
    const auth = goodlogsAuth(deps.meta, { secretOnly: true, scope: 'data:read' });
    const run = (request: FastifyRequest, q: string, src: Source | undefined) =>
      executeQuery(deps.engine, scopeOf(request.apiKey!), { dialect: 'gql', text: q, source: src, now: deps.now() });

    app.post('/v1/gql/query', { onRequest: auth }, async (request: FastifyRequest, reply: FastifyReply) => {
      const { q, source: src } = bodyOf(single, request.body, 'query');
      try {
        const result = await run(request, q, src);
        return reply.send(result.body);
      } catch (err) {
        throw queryFailure(err);
      }
    });

    // The dashboard twin: a session token of a member instead of a key; members read every environment.
    const dashboard = dashboardAuth(deps.meta, deps.tokens);
    const dashboardScope = (request: FastifyRequest): Scope => ({ project: request.dashboard!.project!.id, environments: null });
    app.get('/api/orgs/:org/projects/:project/gql', { onRequest: dashboard }, async (request: FastifyRequest, reply: FastifyReply) => {
      const { q, source: src, cursorTS, cursorID } = bodyOf(dashboardSingle, request.query, 'query');
      try {
        const now = deps.now();
        const query = parseQuery({ dialect: 'gql', text: q, source: src, now });
        const cursor = query.aggregate ? undefined : cursorParam('gql', { cursorTS, cursorID }, now);
        const result = await executeParsed(deps.engine, dashboardScope(request), cursor ? { ...query, page: { ...query.page, cursor } } : query);
        return reply.send(result.body);
      } catch (err) {
        throw queryFailure(err);
      }
    });

    // Autocomplete reads the schema catalog and value statistics; it never runs the query being typed.
    const complete = async (request: FastifyRequest, scope: Scope) => {
      const { q, cursor, source: src } = bodyOf(completion, request.query, 'autocomplete');
      const { context, ...answer } = await autocomplete(q, cursor, src, schemaProvider(deps.engine, deps.catalog, scope, deps.now), deps.now());
      return { ...answer, context };
    };
    app.get('/v1/gql/autocomplete', { onRequest: auth }, (request: FastifyRequest) => complete(request, scopeOf(request.apiKey!)));
    app.get('/api/orgs/:org/projects/:project/gql/autocomplete', { onRequest: dashboard }, (request: FastifyRequest) => complete(request, dashboardScope(request)));

    // The project's patterns as compaction saved them (all time; `| patterns` counts a window's logs). The
    // saved ones are of every environment: a key held to some reads its patterns from its own logs instead.
    app.get('/v1/patterns', { onRequest: auth }, async (request: FastifyRequest) => {
      const { limit } = bodyOf(patternList, request.query, 'patterns');
      const scope = scopeOf(request.apiKey!);
      if (scope.environments === null) {
        const saved = patternStoreOf(deps.engine)?.list(scope.project) ?? [];
        return { patterns: saved.slice(0, limit), total: saved.length };
      }
      const { body } = await executeQuery(deps.engine, scope, { dialect: 'gql', text: `patterns | limit ${limit} | last ${OWN_PATTERNS_DAYS}d`, now: deps.now() });
      const data = (body as { data: { results: Record<string, unknown>[]; total_groups: number } }).data;
      return { patterns: data.results.map(({ pattern_id, ...rest }) => ({ id: pattern_id, ...rest })), total: data.total_groups };
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
            // The seed's batch entry carries the message as a string; code and type say what kind it was.
            const { message, code, type } = failure instanceof QueryError ? failure.toJSON() : { code: failure.code, message: failure.message, type: undefined };
            return { status: 'error', query: q, error: message, code, ...(type ? { type } : {}) };
          }
        }),
      );
      return reply.send(results);
    });
  };
}
