// The Logtrail query routes (seed 004) under the Logtrail prefix: LCQL search, the filtered listing and
// one log by id, as LogEntry arrays with the paging headers, in Logtrail's error envelope.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { validate as isUuid } from 'uuid';
import { ApiError } from '../../../core/errors.js';
import { limitHook } from '../../../server/limits/hook.js';
import { logtrailAuth, logtrailErrorHandler, logtrailJsonBody } from '../../../server/logtrail.js';
import { executeParsed, scopeOf } from '../../execute.js';
import { QueryError, toLogtrailError } from '../../language/index.js';
import type { QueryRouteDeps } from '../goodlogs.js';
import { membersOf, QUERY_BODY_LIMIT } from '../members.js';
import { findLog } from './by-id.js';
import { searchQuery, searchRequest } from './search.js';

export function logtrailQueryPlugin(deps: QueryRouteDeps) {
  return async function logtrailQuery(app: FastifyInstance) {
    app.setErrorHandler((err, request, reply) => {
      if (err instanceof QueryError) return reply.code(400).send(toLogtrailError(err, request.id));
      // The engine's timeout has a code of its own; Logtrail's closed list words it as a log service failure.
      if (err instanceof ApiError && err.status >= 500) return logtrailErrorHandler(new ApiError(err.status, 'INTERNAL_LOG_SERVICE_ERROR', err.message), request, reply);
      return logtrailErrorHandler(err, request, reply);
    });
    logtrailJsonBody(app, QUERY_BODY_LIMIT);
    const read = { onRequest: [logtrailAuth(deps.meta, 'logs:read'), limitHook(deps.limits, 'logtrail', 'query')] };

    const search = async (request: FastifyRequest, reply: FastifyReply, members: unknown) => {
      const key = request.apiKey!;
      const query = searchQuery(membersOf(searchRequest, members, 'request', 'VALIDATION_FAILED'), key, deps.now());
      const result = await executeParsed(deps.engine, scopeOf(key), query);
      if (result.dialect !== 'lcql') throw new Error('an LCQL search answered by another dialect');
      return reply.headers(result.headers).send(result.body);
    };
    app.get('/logs', read, (request, reply) => search(request, reply, request.query));
    app.post('/logs/query', read, (request, reply) => search(request, reply, request.body));

    app.get<{ Params: { id: string } }>('/logs/:id', read, async (request) => {
      const { id } = request.params;
      // The seed answers this route with no 400: an id that is not a UUID names no log.
      const entry = isUuid(id) ? await findLog(deps, scopeOf(request.apiKey!), id.toLowerCase()) : null;
      if (!entry) throw new ApiError(404, 'LOG_NOT_FOUND', `No log with id '${id}'`, { id });
      return entry;
    });
  };
}
