import type { FastifyInstance } from 'fastify';
import { goodlogsQueryPlugin, type QueryRouteDeps } from './routes/goodlogs.js';
import { LOGTRAIL_PREFIX } from '../server/logtrail.js';
import { logtraceQueryPlugin } from './routes/logtrace.js';
import { logtrailQueryPlugin } from './routes/logtrail/plugin.js';
import { posthogQueryPlugin } from './routes/posthog/plugin.js';
import { schemaPlugin } from './routes/schema.js';
import { registerQueryErrors } from '../server/query-errors.js';
import { QueryError } from './language/index.js';

// Module scope, so that every surface renders query errors (alert routes too) once query/ is loaded.
registerQueryErrors((err) => (err instanceof QueryError ? { status: err.status, body: { ...err.toJSON() } } : null));

/** Every query API surface, each an encapsulated plugin with its own error envelope. */
export function registerQueryRoutes(http: FastifyInstance, deps: QueryRouteDeps): void {
  http.register(goodlogsQueryPlugin(deps));
  http.register(schemaPlugin(deps));
  http.register(posthogQueryPlugin(deps));
  http.register(logtrailQueryPlugin(deps), { prefix: LOGTRAIL_PREFIX });
  http.register(logtraceQueryPlugin(deps));
}
