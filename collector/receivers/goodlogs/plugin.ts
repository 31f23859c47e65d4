import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../../core/errors.js';
import type { EventRecord, LogRecord, Table } from '../../../core/records.js';
import type { MetaStore } from '../../../storage/meta/store.js';
import { goodlogsAuth, goodlogsErrorHandler, goodlogsStyleDecompressErrors } from '../../../server/goodlogs.js';
import { bodyText } from '../../../server/json-body.js';
import { browserAccess } from '../../../server/cors.js';
import { allowsEnvironment, defaultEnvironment } from '../../../server/key-grants.js';
import type { Limiter } from '../../../server/limits/limiter.js';
import { limitHook } from '../../../server/limits/hook.js';
import type { Consumer } from '../../component.js';
import { InFlightLimit } from '../in-flight.js';
import { handOn, RETRY_AFTER, UNCONFIRMED_MESSAGE } from '../hand-on.js';
import type { GoodlogsConfig } from './config.js';
import { toEventRecord, toLogRecord, type ItemResult } from './items.js';

interface Deps {
  config: GoodlogsConfig;
  meta: MetaStore;
  limits: Limiter;
  consumers: Partial<Record<Table, Consumer>>;
  receiverId: string;
}

/** `POST /v1/logs` and `POST /v1/events`: `{"batch": [...]}` → 202 `{accepted, rejected}`. */
export function goodlogsIngestPlugin(deps: Deps) {
  return async function goodlogsIngest(app: FastifyInstance) {
    const { config, meta, consumers } = deps;
    const inFlight = new InFlightLimit(config.max_in_flight);
    app.setErrorHandler(goodlogsErrorHandler);
    // curl scripts often omit Content-Type; the body is JSON whatever the header says.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: config.max_body_bytes }, async (request: FastifyRequest, raw: Buffer) => {
      const body = await bodyText(request, raw, config.max_body_bytes, goodlogsStyleDecompressErrors);
      try {
        return JSON.parse(body);
      } catch {
        throw new ApiError(400, 'VALIDATION_ERROR', 'Request body is not valid JSON');
      }
    });

    const ingest = <T extends 'logs' | 'events'>(table: T, convert: (raw: unknown, project: string, now: string, config: GoodlogsConfig) => ItemResult<LogRecord | EventRecord>) =>
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
        const key = request.apiKey!;
        const now = new Date().toISOString();
        const records: (LogRecord | EventRecord)[] = [];
        const errors: { index: number; message: string }[] = [];
        // An item naming no environment goes where the key may write.
        const itemConfig = { ...config, default_environment: defaultEnvironment(key, config.default_environment) as GoodlogsConfig['default_environment'] };
        body.batch.forEach((item, index) => {
          const result = convert(item, key.project_id, now, itemConfig);
          if (!result.ok) errors.push({ index, message: result.message });
          else if (!allowsEnvironment(key, result.record.environment)) {
            throw new ApiError(403, 'FORBIDDEN', `Item ${index}: this key may not write to ${result.record.environment}`);
          } else records.push(result.record);
        });
        if (records.length > 0) {
          await handOn(request, inFlight, consumer, { table, projectId: key.project_id, records: records as never }, deps.receiverId, {
            saturated: () => new ApiError(429, 'RATE_LIMITED', 'Ingest is saturated; retry shortly', undefined, RETRY_AFTER),
            unconfirmed: () => new ApiError(503, 'SERVICE_UNAVAILABLE', UNCONFIRMED_MESSAGE, undefined, RETRY_AFTER),
          });
        }
        return reply.code(202).send({ accepted: records.length, rejected: errors.length, ...(errors.length ? { errors: errors.slice(0, 50) } : {}) });
      };

    const browsers = browserAccess(config.cors.allowed_origins, ['POST'], (origin) => new ApiError(403, 'FORBIDDEN', `CORS: origin ${origin} is not allowed`));
    app.post('/v1/logs', { onRequest: [goodlogsAuth(meta, { secretOnly: true, scope: 'ingest:write' }), limitHook(deps.limits, 'goodlogs', 'logs')] }, ingest('logs', toLogRecord));
    // Events are what browser pages send with public keys.
    app.options('/v1/events', { onRequest: browsers.check }, browsers.preflight);
    app.post('/v1/events', { onRequest: [browsers.check, goodlogsAuth(meta, { secretOnly: false, scope: 'ingest:write' }), limitHook(deps.limits, 'goodlogs', 'events')] }, ingest('events', toEventRecord));
  };
}
