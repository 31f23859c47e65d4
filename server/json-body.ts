import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiError } from '../core/errors.js';
import { decompress, type DecompressErrors } from './decompress.js';
import { bodyDigest, IDEMPOTENCY_HEADER } from './idempotency.js';

/** How a surface words each way a body can fail the JSON rules. */
export interface JsonBodyErrors extends DecompressErrors {
  contentType(received: string | null): ApiError;
  empty(): ApiError;
  malformed(reason: string): ApiError;
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;

const digests = new WeakMap<FastifyRequest, string>();

/**
 * A request body as text, inflated by its Content-Encoding (gzip, deflate). `limit` bounds the inflated
 * size: Fastify's own limit only sees the compressed bytes. Without an `Idempotency-Key` the inflated
 * body's digest is kept for `requestDigest`: the same content sent with another encoding is the same request.
 */
export async function bodyText(request: FastifyRequest, raw: Buffer, limit: number, errors: DecompressErrors): Promise<string> {
  const encoding = request.headers['content-encoding'];
  const body = await decompress(raw, typeof encoding === 'string' ? encoding : undefined, limit, errors);
  if (request.headers[IDEMPOTENCY_HEADER] === undefined) digests.set(request, bodyDigest(body));
  return body.toString('utf8');
}

/** The digest of the body `bodyText` read for this request. */
export function requestDigest(request: FastifyRequest): string | undefined {
  return digests.get(request);
}

/**
 * Request bodies must be `application/json`, non-empty, valid JSON and at most `bodyLimit` bytes once
 * inflated, each failure in the surface's own words. Applies to the (encapsulated) instance it is called on.
 */
export function strictJsonBody(app: FastifyInstance, bodyLimit: number, errors: JsonBodyErrors): void {
  app.removeAllContentTypeParsers();
  // A catch-all, so that a wrong or missing type gets the surface's error rather than Fastify's.
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, async (request: FastifyRequest, raw: Buffer) => {
    const type = request.headers['content-type'];
    if (typeof type !== 'string' || !JSON_TYPE.test(type)) throw errors.contentType(type ?? null);
    const body = await bodyText(request, raw, bodyLimit, errors);
    if (body.trim() === '') throw errors.empty();
    try {
      return JSON.parse(body);
    } catch (err) {
      throw errors.malformed((err as Error).message);
    }
  });
  // Without a Content-Type or a length, Fastify runs no parser at all.
  app.addHook('preValidation', async (request) => {
    if (request.method === 'POST' && request.body === undefined) throw errors.empty();
  });
}
