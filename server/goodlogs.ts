import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ApiError, statusOf } from '../core/errors.js';
import type { MetaStore } from '../storage/meta/store.js';
import { checkKey } from './auth.js';
import { queryErrorAnswer } from './query-errors.js';
import type { DecompressErrors } from './decompress.js';

/**
 * What every GoodLogs route shares, whichever module registers it (ingest in the collector, GQL in
 * query, alerts): the error envelope and key authentication with scopes.
 */

const CODES: Record<number, string> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  402: 'QUOTA_EXCEEDED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'VALIDATION_ERROR',
  422: 'VALIDATION_ERROR',
  429: 'RATE_LIMITED',
};

/** GoodLogs renders every error as `{error: {code, message}}`; a query error adds the query-language fields (`type`, `position`, …). */
export function goodlogsErrorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const query = queryErrorAnswer(err);
  if (query) return reply.code(query.status).send({ error: query.body });
  if (err instanceof ApiError) {
    if (err.headers) reply.headers(err.headers);
    return reply.code(err.status).send({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
  }
  const status = statusOf(err);
  if (status >= 500) {
    request.log.error({ err }, 'goodlogs: internal error');
    return reply.code(500).send({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } });
  }
  const message = status === 413 ? 'Request body is larger than the 2 MB limit' : (err as Error).message;
  return reply.code(status === 415 ? 400 : status).send({ error: { code: CODES[status] ?? 'VALIDATION_ERROR', message } });
}

/** Compressed-body failures in the `{error: {code, message}}` surfaces' codes (GoodLogs, and LogTrace which borrows them). */
export const goodlogsStyleDecompressErrors: DecompressErrors = {
  unsupportedEncoding: (name) => new ApiError(415, 'VALIDATION_ERROR', `Unsupported Content-Encoding "${name}": send gzip, deflate or none`),
  tooLarge: (limit) => new ApiError(413, 'PAYLOAD_TOO_LARGE', `Request body decompresses to more than ${limit} bytes`),
  corrupt: (name, reason) => new ApiError(400, 'VALIDATION_ERROR', `Request body is not valid ${name} data: ${reason}`),
};

/** GoodLogs keys: Bearer (or X-API-Key). Public keys may only send events; `scope`, when given, must be granted. */
export function goodlogsAuth(meta: MetaStore, opts: { secretOnly: boolean; scope?: string }) {
  return async (request: FastifyRequest) => {
    const check = checkKey(request, meta, ['goodlogs']);
    if (!check.ok) {
      throw new ApiError(401, 'UNAUTHORIZED', check.reason === 'missing' ? 'Missing API key: send Authorization: Bearer <key>' : 'Invalid API key');
    }
    if (opts.secretOnly && check.key.kind !== 'secret') {
      throw new ApiError(403, 'FORBIDDEN', 'Public keys can only send events (/v1/events); use a secret key (gl_sk_…)');
    }
    if (opts.scope && !check.key.scopes.includes(opts.scope) && !check.key.scopes.includes('*')) {
      throw new ApiError(403, 'FORBIDDEN', `This key lacks the ${opts.scope} scope`);
    }
    request.apiKey = check.key;
  };
}

/** A request body checked against `schema`: the data, or the first problem as GoodLogs' 400. */
export function goodlogsBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ApiError(400, 'VALIDATION_ERROR', `${issue.path.join('.') || 'body'}: ${issue.message}`);
}
