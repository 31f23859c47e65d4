import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import { goodlogsErrorHandler } from './goodlogs.js';
import { LOGTRAIL_PREFIX, logtrailErrorHandler } from './logtrail.js';
import { posthogErrorHandler } from './posthog.js';

type Renderer = (err: unknown, request: FastifyRequest, reply: FastifyReply) => FastifyReply;

/**
 * Which surface owns a path, longest prefix first. GoodLogs owns the rest of the API port: its paths
 * (`/v1/…`, `/api/orgs/…`) are the broadest, and LogTrace's `{error: {code, message}}` is the same shape.
 */
const OWNERS: ReadonlyArray<readonly [prefix: string, render: Renderer]> = [
  [`${LOGTRAIL_PREFIX}/`, logtrailErrorHandler],
  ['/api/projects/', posthogErrorHandler],
  ['/api/environments/', posthogErrorHandler],
];

/**
 * A route that exists nowhere is answered in the envelope of the surface whose path it is under, as a
 * client of that API expects; plugin-level not-found handlers cannot do it, a prefix can be shared.
 */
export function notFoundBySurface(http: FastifyInstance): void {
  http.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const render = OWNERS.find(([prefix]) => path.startsWith(prefix) || `${path}/` === prefix)?.[1] ?? goodlogsErrorHandler;
    return render(new ApiError(404, 'NOT_FOUND', `No route ${request.method} ${path}`), request, reply);
  });
}
