import type { FastifyInstance } from 'fastify';
import type { ApiError } from '../core/errors.js';

/** How a surface words each way a body can fail the JSON rules. */
export interface JsonBodyErrors {
  contentType(received: string | null): ApiError;
  empty(): ApiError;
  malformed(reason: string): ApiError;
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * Request bodies must be `application/json`, non-empty, valid JSON and at most `bodyLimit` bytes, each
 * failure in the surface's own words. Applies to the (encapsulated) instance it is called on.
 */
export function strictJsonBody(app: FastifyInstance, bodyLimit: number, errors: JsonBodyErrors): void {
  app.removeAllContentTypeParsers();
  // A catch-all, so that a wrong or missing type gets the surface's error rather than Fastify's.
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (request, body, done) => {
    const type = request.headers['content-type'];
    if (typeof type !== 'string' || !JSON_TYPE.test(type)) return done(errors.contentType(type ?? null));
    if ((body as string).trim() === '') return done(errors.empty());
    try {
      done(null, JSON.parse(body as string));
    } catch (err) {
      done(errors.malformed((err as Error).message));
    }
  });
  // Without a Content-Type or a length, Fastify runs no parser at all.
  app.addHook('preValidation', async (request) => {
    if (request.method === 'POST' && request.body === undefined) throw errors.empty();
  });
}
