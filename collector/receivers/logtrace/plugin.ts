import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../../core/errors.js';
import type { LogRecord } from '../../../core/records.js';
import type { ApiKey, MetaStore } from '../../../storage/meta/store.js';
import { defaultEnvironment } from '../../../server/key-grants.js';
import { logtraceAuth, logtraceErrorHandler, logtraceJsonBody } from '../../../server/logtrace.js';
import type { Limiter } from '../../../server/limits/limiter.js';
import { limitHook } from '../../../server/limits/hook.js';
import type { Consumer } from '../../component.js';
import { InFlightLimit } from '../in-flight.js';
import { handOn, RETRY_AFTER, UNCONFIRMED_MESSAGE } from '../hand-on.js';
import type { LogtraceConfig } from './config.js';
import { sentEnvironment, toLogRecord } from './items.js';

interface Deps {
  config: LogtraceConfig;
  meta: MetaStore;
  limits: Limiter;
  consumer: Consumer;
  receiverId: string;
}

/** A sender fixing its records needs the first problems, not thousands of the same one. */
const MAX_REPORTED_ERRORS = 50;

/**
 * `POST /v1/logs/ingest` with `{"logs": [...], "environment"?}` → 202 `{accepted, rejected, errors?}`.
 *
 * The request as a whole is refused when it cannot be read (400: not JSON, no `logs` array, over the
 * batch limit), when its key is wrong (401) or when it reaches outside the key's environments (403). A
 * bad record otherwise refuses only itself: the good records around it are stored and the bad ones are
 * counted and listed by index. A request whose every record is bad is a 400, so a sender of one bad
 * record sees the seed's "missing required fields" answer.
 */
export function logtraceIngestPlugin(deps: Deps) {
  return async function logtraceIngest(app: FastifyInstance) {
    const { config, consumer } = deps;
    const inFlight = new InFlightLimit(config.max_in_flight);
    app.setErrorHandler(logtraceErrorHandler);
    logtraceJsonBody(app, config.max_body_bytes);

    /** The request-level `environment`, checked like a record's; absent, the key's default. */
    const requestEnvironment = (body: Record<string, unknown>, key: ApiKey): string => {
      if (body.environment === undefined || body.environment === null) return defaultEnvironment(key, config.default_environment);
      const env = sentEnvironment(body.environment, key);
      if (typeof env !== 'string') throw env.forbidden ? new ApiError(403, 'FORBIDDEN', env.message) : new ApiError(400, 'VALIDATION_ERROR', env.message);
      return env;
    };

    app.post('/v1/logs/ingest', { onRequest: [logtraceAuth(deps.meta, 'logs:write'), limitHook(deps.limits, 'logtrace', 'logs')] }, async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as { logs?: unknown } | null;
      if (!body || typeof body !== 'object' || Array.isArray(body) || !Array.isArray(body.logs)) {
        throw new ApiError(400, 'VALIDATION_ERROR', 'Body must be a JSON object with a "logs" array');
      }
      if (body.logs.length === 0) throw new ApiError(400, 'VALIDATION_ERROR', '"logs" must contain at least one record');
      if (body.logs.length > config.max_batch) {
        throw new ApiError(400, 'VALIDATION_ERROR', `"logs" has ${body.logs.length} records; the limit is ${config.max_batch} per request`);
      }
      const key = request.apiKey!;
      const ctx = { key, environment: requestEnvironment(body as Record<string, unknown>, key), now: new Date().toISOString(), config };
      const records: LogRecord[] = [];
      const errors: { index: number; message: string }[] = [];
      for (let index = 0; index < body.logs.length; index++) {
        const result = toLogRecord(body.logs[index], ctx);
        if (result.ok) records.push(result.record);
        else if (result.forbidden) throw new ApiError(403, 'FORBIDDEN', `Record ${index}: ${result.message}`);
        else errors.push({ index, message: result.message });
      }
      const reported = errors.slice(0, MAX_REPORTED_ERRORS);
      if (records.length === 0) {
        throw new ApiError(400, 'VALIDATION_ERROR', `No valid record: ${errors[0].message}`, { accepted: 0, rejected: errors.length, errors: reported });
      }
      await handOn(request, inFlight, consumer, { table: 'logs', projectId: key.project_id, records }, deps.receiverId, {
        saturated: () => new ApiError(429, 'RATE_LIMITED', 'Ingest is saturated; retry shortly', undefined, RETRY_AFTER),
        unconfirmed: () => new ApiError(503, 'SERVICE_UNAVAILABLE', UNCONFIRMED_MESSAGE, undefined, RETRY_AFTER),
      });
      return reply.code(202).send({ accepted: records.length, rejected: errors.length, ...(errors.length ? { errors: reported } : {}) });
    });
  };
}
