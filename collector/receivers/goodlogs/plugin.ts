import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../../core/errors.js';
import type { Table } from '../../../core/records.js';
import type { MetaStore } from '../../../storage/meta/store.js';
import { goodlogsAuth, goodlogsErrorHandler } from '../../../server/goodlogs.js';
import type { Consumer } from '../../component.js';
import type { GoodlogsConfig } from './config.js';
import { toEventRecord, toLogRecord, type ItemResult } from './items.js';

interface Deps {
  config: GoodlogsConfig;
  meta: MetaStore;
  consumers: Partial<Record<Table, Consumer>>;
  receiverId: string;
}

/** `POST /v1/logs` and `POST /v1/events`: `{"batch": [...]}` → 202 `{accepted, rejected}`. */
export function goodlogsIngestPlugin(deps: Deps) {
  return async function goodlogsIngest(app: FastifyInstance) {
    const { config, meta, consumers } = deps;
    let inFlight = 0;
    app.setErrorHandler(goodlogsErrorHandler);
    // curl scripts often omit Content-Type; the body is JSON whatever the header says.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: config.max_body_bytes }, (_req, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(new ApiError(400, 'VALIDATION_ERROR', 'Request body is not valid JSON'));
      }
    });

    const ingest = <T extends 'logs' | 'events'>(table: T, convert: (raw: unknown, project: string, now: string) => ItemResult<unknown>) =>
      async (request: FastifyRequest, reply: FastifyReply) => {
        const consumer = consumers[table];
        if (!consumer) throw new ApiError(404, 'NOT_FOUND', `No ${table} pipeline is configured for this receiver`);
        const body = request.body as { batch?: unknown } | null;
        if (!body || typeof body !== 'object' || !Array.isArray(body.batch)) {
          throw new ApiError(400, 'VALIDATION_ERROR', 'Body must be a JSON object with a "batch" array');
        }
        if (body.batch.length === 0) throw new ApiError(400, 'VALIDATION_ERROR', '"batch" must contain at least one item');
        if (body.batch.length > config.max_batch) {
          throw new ApiError(400, 'VALIDATION_ERROR', `"batch" has ${body.batch.length} items; the limit is ${config.max_batch} per request`);
        }
        const key = request.goodlogsKey!;
        const now = new Date().toISOString();
        const records: unknown[] = [];
        const errors: { index: number; message: string }[] = [];
        body.batch.forEach((item, index) => {
          const result = convert(item, key.project_id, now);
          if (result.ok) records.push(result.record);
          else errors.push({ index, message: result.message });
        });
        if (records.length > 0) {
          if (inFlight >= config.max_in_flight) {
            throw new ApiError(429, 'RATE_LIMITED', 'Ingest is saturated; retry shortly', undefined, { 'retry-after': '1' });
          }
          inFlight++;
          try {
            await consumer.consume({
              table,
              projectId: key.project_id,
              records: records as never,
              context: { receiver: deps.receiverId, remoteAddress: request.socket.remoteAddress, headers: request.headers },
            });
          } finally {
            inFlight--;
          }
        }
        return reply.code(202).send({ accepted: records.length, rejected: errors.length, ...(errors.length ? { errors: errors.slice(0, 50) } : {}) });
      };

    app.post('/v1/logs', { onRequest: goodlogsAuth(meta, { secretOnly: true }) }, ingest('logs', (raw, p, now) => toLogRecord(raw, p, now, config)));
    app.post('/v1/events', { onRequest: goodlogsAuth(meta, { secretOnly: false }) }, ingest('events', (raw, p, now) => toEventRecord(raw, p, now, config)));
  };
}
