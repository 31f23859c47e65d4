// LogTrace's query route (seed 003): `POST /v1/logs/query` with a KQL-style filter, in LogTrace's envelope.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { limitHook } from '../../server/limits/hook.js';
import { logtraceAuth, logtraceErrorHandler, logtraceJsonBody } from '../../server/logtrace.js';
import { executeQuery, scopeOf } from '../execute.js';
import { decodeCursor, QueryError, type RequestParams } from '../language/index.js';
import type { QueryRouteDeps } from './goodlogs.js';
import { membersOf, QUERY_BODY_LIMIT } from './members.js';

const text = z.string().optional();

/** The seed's `{filter, from, to, limit}`, plus `cursor`: the `next_cursor` of the previous page. */
const queryBody = z.strictObject({ filter: text, from: text, to: text, limit: z.union([z.number(), z.string()]).optional(), cursor: text });

/** `POST /v1/logs/query` → `{results, has_more, next_cursor}`; newest first, 100 a page unless `limit` says otherwise. */
export function logtraceQueryPlugin(deps: QueryRouteDeps) {
  return async function logtraceQuery(app: FastifyInstance) {
    app.setErrorHandler((err, request, reply) => {
      if (err instanceof QueryError) return reply.code(400).send({ error: err.toJSON() });
      return logtraceErrorHandler(err, request, reply);
    });
    logtraceJsonBody(app, QUERY_BODY_LIMIT);
    const read = { onRequest: [logtraceAuth(deps.meta, 'logs:read'), limitHook(deps.limits, 'logtrace', 'query')] };

    app.post('/v1/logs/query', read, async (request: FastifyRequest) => {
      const { filter, cursor, ...rest } = membersOf(queryBody, request.body, 'query', 'VALIDATION_ERROR');
      const params: RequestParams = { ...rest };
      if (cursor) ({ ts: params.cursorTS, id: params.cursorID } = decodeCursor(cursor));
      const result = await executeQuery(deps.engine, scopeOf(request.apiKey!), { dialect: 'kql', text: filter ?? '', params, now: deps.now() });
      return result.body;
    });
  };
}
