import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, statusOf } from '../core/errors.js';
import type { MetaStore } from '../storage/meta/store.js';
import { checkKey } from './auth.js';
import { strictJsonBody } from './json-body.js';
import { hasScope } from './key-grants.js';
import { goodlogsStyleDecompressErrors } from './goodlogs.js';

/**
 * What every LogTrace route shares, whichever module registers it (ingest in the collector, KQL query
 * later): the error envelope, Bearer key authentication with scopes, and the JSON body rules. The seed
 * names statuses but no error codes; the codes are those of the other `{error: {code, message}}` surfaces.
 */

/** LogTrace renders every error as `{error: {code, message, details?}}`. */
export function logtraceErrorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof ApiError) {
    if (err.headers) reply.headers(err.headers);
    return reply.code(err.status).send({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
  }
  const status = statusOf(err);
  if (status >= 500) {
    request.log.error({ err }, 'logtrace: internal error');
    return reply.code(500).send({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } });
  }
  // Fastify's own refusals: a body over the limit (413), an unreadable Content-Type (415, a 400 here: the seed
  // knows no 415), a bad length (400).
  if (status === 413) return reply.code(413).send({ error: { code: 'PAYLOAD_TOO_LARGE', message: (err as Error).message } });
  return reply.code(400).send({ error: { code: 'VALIDATION_ERROR', message: (err as Error).message } });
}

/** The seed's own spelling of each scope ("Key lacks required scope (e.g., write:logs)"). */
const SEED_SPELLING = { 'logs:read': 'read:logs', 'logs:write': 'write:logs' } as const;

/** LogTrace keys (`lt_live_…`) as `Authorization: Bearer`; the key must hold `scope` in either spelling. */
export function logtraceAuth(meta: MetaStore, scope: keyof typeof SEED_SPELLING) {
  const spellings = [scope, SEED_SPELLING[scope]];
  return async (request: FastifyRequest) => {
    const check = checkKey(request, meta, ['logtrace']);
    if (!check.ok) {
      throw new ApiError(401, 'UNAUTHORIZED', check.reason === 'missing' ? 'Missing API key: send Authorization: Bearer <key>' : 'Invalid or expired API key');
    }
    if (!hasScope(check.key, spellings)) throw new ApiError(403, 'FORBIDDEN', `This key lacks the ${scope} scope`);
    request.apiKey = check.key;
  };
}

/** The JSON body rules (`server/json-body.ts`); every failure is the seed's 400, but for an unread encoding (415) and an oversized body (413). */
export function logtraceJsonBody(app: FastifyInstance, bodyLimit: number): void {
  strictJsonBody(app, bodyLimit, {
    contentType: (received) => new ApiError(400, 'VALIDATION_ERROR', `Content-Type must be application/json${received ? ` (got ${received})` : ''}`),
    empty: () => new ApiError(400, 'VALIDATION_ERROR', 'Request body is empty'),
    malformed: (reason) => new ApiError(400, 'VALIDATION_ERROR', `Request body is not valid JSON: ${reason}`),
    ...goodlogsStyleDecompressErrors,
  });
}
