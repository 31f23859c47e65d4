import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { v4 as uuidv4 } from 'uuid';
import type { ApiKey } from '../storage/meta/store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The key the surface's `auth` preHandler accepted; null before it runs, and on key-less routes. */
    apiKey: ApiKey | null;
  }
}

/** The shared API server (port 8080). Surfaces register themselves on it as encapsulated plugins. */
export function createHttpServer(opts: { bodyLimit: number; logger: Logger }): FastifyInstance {
  const http = Fastify({
    loggerInstance: opts.logger,
    bodyLimit: opts.bodyLimit,
    // Per-request log lines would cost more than the ingest itself at hundreds of batches a second.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => uuidv4(),
    // Ingest answers must wait for the bus; keep-alive connections from shippers are long-lived.
    keepAliveTimeout: 65_000,
    forceCloseConnections: 'idle',
  }) as unknown as FastifyInstance;
  // One field for every surface's key, declared up front so every request object has the same shape.
  http.decorateRequest('apiKey', null);
  return http;
}
