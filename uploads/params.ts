// What the upload surfaces share: their keys, their GoodLogs answers, the names that become path segments, the instants
// that come as epoch milliseconds or ISO text.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError, statusOf } from '../core/errors.js';
import { isSafeSegment } from '../storage/chunks/chunk-store.js';
import { goodlogsAuth, goodlogsErrorHandler } from '../server/goodlogs.js';
import { limitHook } from '../server/limits/hook.js';
import type { Limiter } from '../server/limits/limiter.js';
import type { ChunkStore } from '../storage/chunks/chunk-store.js';
import type { MetaStore } from '../storage/meta/store.js';

/** An id that names a directory or a file: letters, digits, `.`, `_`, `-`, up to 128, not starting with a dot. */
export const segment = z.string().refine(isSafeSegment, 'must be 1 to 128 letters, digits, ".", "_" or "-", not starting with "."');

export const epochMs = z.coerce.number().int().nonnegative().max(8.64e15);

/** `from`/`to` of a listing: epoch milliseconds or an ISO 8601 instant. */
export const instantParam = z.string().transform((text, ctx) => {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) ctx.addIssue({ code: 'custom', message: 'expected epoch milliseconds or an ISO 8601 timestamp' });
  return ms;
});

/** What every upload listing takes: a time window it overlaps, and a page size. */
export const listingQuery = z.object({
  from: instantParam.optional(),
  to: instantParam.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** GoodLogs' envelope, with the size limit of the route that refused the body rather than ingest's. */
export function uploadErrorHandler(limitText: string) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    if (!(err instanceof ApiError) && statusOf(err) === 413) {
      return reply.code(413).send({ error: { code: 'PAYLOAD_TOO_LARGE', message: `Request body is larger than the ${limitText} limit` } });
    }
    return goodlogsErrorHandler(err, request, reply);
  };
}


export interface UploadDeps {
  meta: MetaStore;
  limits: Limiter;
  store: ChunkStore;
}

/** GoodLogs secret keys: `ingest:write` to upload, `data:read` to read back, each within the plan's limits. */
export function uploadAuth(deps: UploadDeps) {
  return {
    write: [goodlogsAuth(deps.meta, { secretOnly: true, scope: 'ingest:write' }), limitHook(deps.limits, 'goodlogs', 'events')],
    read: [goodlogsAuth(deps.meta, { secretOnly: true, scope: 'data:read' }), limitHook(deps.limits, 'goodlogs', 'query')],
  };
}
