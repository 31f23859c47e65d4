import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../../core/errors.js';
import type { LogRecord } from '../../../core/records.js';
import type { MetaStore } from '../../../storage/meta/store.js';
import { logtrailAuth, logtrailErrorHandler, logtrailJsonBody, toLogEntry } from '../../../server/logtrail.js';
import type { Limiter } from '../../../server/limits/limiter.js';
import { limitHook } from '../../../server/limits/hook.js';
import type { Consumer } from '../../component.js';
import { InFlightLimit } from '../in-flight.js';
import { handOn, RETRY_AFTER, UNCONFIRMED_MESSAGE } from '../hand-on.js';
import type { LogtrailConfig } from './config.js';
import { checkLog, type LogCheck, type LogProblem } from './items.js';

interface Deps {
  config: LogtrailConfig;
  meta: MetaStore;
  limits: Limiter;
  consumer: Consumer;
  receiverId: string;
}

const isLog = (body: unknown): body is Record<string, unknown> => body !== null && typeof body === 'object' && !Array.isArray(body);

const render = ({ field, message, log_index }: LogProblem) => ({ field, message, log_index });

function problemsOf(checks: LogCheck[]): LogProblem[] {
  const problems: LogProblem[] = [];
  for (const c of checks) if (!c.ok) problems.push(...c.problems);
  return problems;
}

/**
 * `POST /logs` (one log → 201 LogEntry), `POST /logs/bulk` (array → 201 LogEntry[]) and `POST /logs/validate`
 * (dry run → 200 `{valid, warnings, errors}`), under the Logtrail prefix.
 *
 * A bulk request is all or nothing: one refused log refuses the request with every problem listed by
 * `log_index`, and nothing is stored. A 201 therefore always means every log sent was stored, and the
 * sender can fix and resend the whole array without creating duplicates.
 */
export function logtrailIngestPlugin(deps: Deps) {
  return async function logtrailIngest(app: FastifyInstance) {
    const { config, consumer } = deps;
    const inFlight = new InFlightLimit(config.max_in_flight);
    app.setErrorHandler(logtrailErrorHandler);
    logtrailJsonBody(app, config.max_body_bytes);

    const bulkOf = (body: unknown): unknown[] => {
      if (!Array.isArray(body)) throw new ApiError(400, 'VALIDATION_INVALID_REQUEST', 'Body must be a JSON array of logs');
      if (body.length === 0) throw new ApiError(400, 'VALIDATION_FAILED', 'The array must contain at least one log');
      if (body.length > config.max_bulk) {
        throw new ApiError(400, 'VALIDATION_BULK_LIMIT_EXCEEDED', `${body.length} logs in one request; the limit is ${config.max_bulk}`, {
          limit: config.max_bulk,
          received: body.length,
        });
      }
      return body;
    };

    const check = (request: FastifyRequest, logs: unknown[], single: boolean): LogCheck[] => {
      const ctx = { key: request.apiKey!, now: new Date().toISOString(), config };
      return logs.map((raw, i) => checkLog(raw, single ? null : i, ctx));
    };

    const store = async (request: FastifyRequest, logs: unknown[], single: boolean) => {
      const checks = check(request, logs, single);
      const problems = problemsOf(checks);
      if (problems.length > 0) {
        const [first] = problems;
        const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
        throw new ApiError(400, first.code, `${first.field}: ${first.message}${more}`, { errors: problems.map(render) });
      }
      const records: LogRecord[] = [];
      for (const c of checks) if (c.ok) records.push(c.record);
      // Rendered before the pipeline runs: processors rewrite `properties` in place (flattening).
      const entries = records.map(toLogEntry);
      const key = request.apiKey!;
      await handOn(request, inFlight, consumer, { table: 'logs', projectId: key.project_id, records }, deps.receiverId, {
        saturated: () => new ApiError(429, 'RATE_LIMIT_PLAN_EXCEEDED', 'Ingest is saturated; retry shortly', {}, RETRY_AFTER),
        // The seed's closed list of codes has no "unavailable": its log-service error, with the 503 status.
        unconfirmed: () => new ApiError(503, 'INTERNAL_LOG_SERVICE_ERROR', UNCONFIRMED_MESSAGE, {}, RETRY_AFTER),
      });
      return entries;
    };

    const auth = logtrailAuth(deps.meta, 'logs:write');
    const write = { onRequest: [auth, limitHook(deps.limits, 'logtrail', 'logs')] };

    app.post('/logs', write, async (request: FastifyRequest, reply: FastifyReply) => {
      if (!isLog(request.body)) throw new ApiError(400, 'VALIDATION_INVALID_REQUEST', 'Body must be one log object; send arrays to /logs/bulk');
      const [entry] = await store(request, [request.body], true);
      return reply.code(201).send(entry);
    });

    app.post('/logs/bulk', write, async (request: FastifyRequest, reply: FastifyReply) =>
      reply.code(201).send(await store(request, bulkOf(request.body), false)),
    );

    app.post('/logs/validate', { onRequest: [auth, limitHook(deps.limits, 'logtrail', 'validate')] }, async (request: FastifyRequest, reply: FastifyReply) => {
      const single = isLog(request.body);
      if (!single && !Array.isArray(request.body)) throw new ApiError(400, 'VALIDATION_INVALID_REQUEST', 'Body must be a log object or a JSON array of logs');
      const checks = check(request, single ? [request.body] : bulkOf(request.body), single);
      const problems = problemsOf(checks);
      return reply.code(200).send({ valid: problems.length === 0, warnings: checks.flatMap((c) => c.warnings), errors: problems.map(render) });
    });
  };
}
