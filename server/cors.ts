import type { FastifyReply, FastifyRequest } from 'fastify';

const ALLOWED_HEADERS = 'authorization, content-type, x-api-key';
/** So that browser code can read the limit headers of an answer. */
const EXPOSED_HEADERS = 'retry-after, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset';

export interface BrowserAccess {
  /** `onRequest` hook for the route itself and its preflight; first in line, before the key is looked at. */
  check(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Handler of the route's `OPTIONS` twin. */
  preflight(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>;
}

/**
 * CORS for routes that browsers may call (with public keys): a request from an allowed `Origin` gets the
 * CORS headers, one from any other origin is refused with the surface's error. A request without `Origin`
 * comes from no browser and passes. `allowedOrigins` holds exact origins (`https://app.example.com`) or `*`.
 */
export function browserAccess(allowedOrigins: readonly string[], methods: readonly string[], refuse: (origin: string) => Error): BrowserAccess {
  const any = allowedOrigins.includes('*');
  const allowed = new Set(allowedOrigins.map((o) => o.toLowerCase().replace(/\/$/, '')));
  return {
    async check(request, reply) {
      const origin = request.headers.origin;
      if (typeof origin !== 'string') return;
      if (!any && !allowed.has(origin.toLowerCase())) throw refuse(origin);
      reply.header('access-control-allow-origin', any ? '*' : origin);
      if (!any) reply.header('vary', 'Origin');
      reply.header('access-control-expose-headers', EXPOSED_HEADERS);
    },
    async preflight(_request, reply) {
      return reply
        .code(204)
        .header('access-control-allow-methods', [...methods, 'OPTIONS'].join(', '))
        .header('access-control-allow-headers', ALLOWED_HEADERS)
        .header('access-control-max-age', '86400')
        .send();
    },
  };
}
