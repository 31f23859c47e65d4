import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isObject } from '../core/doc-fields.js';
import { ApiError, statusOf } from '../core/errors.js';
import type { LogRecord, Severity } from '../core/records.js';
import type { MetaStore } from '../storage/meta/store.js';
import { checkKey } from './auth.js';
import { strictJsonBody } from './json-body.js';
import { hasScope } from './key-grants.js';

/**
 * What every Logtrail route shares, whichever module registers it (ingest in the collector, LCQL query
 * later): the path prefix, the error envelope, key authentication with scopes, the JSON body rules and
 * the LogEntry wire shape.
 */

/** The seed's server URL is `https://api.logtrail.net/api/v1/workspace`; every path hangs off it. */
export const LOGTRAIL_PREFIX = '/api/v1/workspace';

/** Logtrail renders every error as `{error_code, message, request_id, details}`. */
export function logtrailErrorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const send = (status: number, code: string, message: string, details: Record<string, unknown> = {}) =>
    reply.code(status).send({ error_code: code, message, request_id: request.id, details });
  if (err instanceof ApiError) {
    if (err.headers) reply.headers(err.headers);
    return send(err.status, err.code, err.message, err.details);
  }
  const status = statusOf(err);
  if (status >= 500) {
    request.log.error({ err }, 'logtrail: internal error');
    return send(500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
  }
  const message = (err as Error).message;
  // Fastify's own refusals: a header it cannot parse (415), a body over the limit (413), a bad length (400).
  if (status === 415) return send(400, 'VALIDATION_INVALID_CONTENT_TYPE', message);
  return send(status, 'VALIDATION_INVALID_REQUEST', message);
}

/**
 * Logtrail keys (`lt_{env}_{ro|wo|rw}_…`) from `X-API-Key` or `Authorization: Bearer`. The key must hold
 * `scope`; the seed lists `rw` beside the two scopes as granting both.
 */
export function logtrailAuth(meta: MetaStore, scope: 'logs:read' | 'logs:write') {
  return async (request: FastifyRequest) => {
    const check = checkKey(request, meta, ['logtrail']);
    if (!check.ok) {
      throw check.reason === 'missing'
        ? new ApiError(401, 'AUTH_MISSING_API_KEY', 'Missing API key: send it in the X-API-Key header')
        : new ApiError(401, 'AUTH_INVALID_API_KEY', 'Invalid API key');
    }
    if (!hasScope(check.key, [scope, 'rw'])) {
      throw new ApiError(403, 'AUTH_API_KEY_SCOPE_MISMATCH', `This API key lacks the ${scope} permission`, {
        required_scope: scope,
        key_scopes: check.key.scopes,
      });
    }
    request.apiKey = check.key;
  };
}

/** The JSON body rules (`server/json-body.ts`) with Logtrail's codes. */
export function logtrailJsonBody(app: FastifyInstance, bodyLimit: number): void {
  strictJsonBody(app, bodyLimit, {
    contentType: (received) => new ApiError(400, 'VALIDATION_INVALID_CONTENT_TYPE', 'Content-Type must be application/json', { content_type: received }),
    empty: () => new ApiError(400, 'VALIDATION_EMPTY_BODY', 'Request body is empty'),
    malformed: (reason) => new ApiError(400, 'VALIDATION_INVALID_JSON', 'Request body is not valid JSON', { reason }),
    unsupportedEncoding: (name) => new ApiError(415, 'VALIDATION_INVALID_REQUEST', `Unsupported Content-Encoding "${name}": send gzip, deflate or none`, { content_encoding: name }),
    tooLarge: (limit) => new ApiError(413, 'VALIDATION_INVALID_REQUEST', `Request body decompresses to more than ${limit} bytes`, { limit }),
    corrupt: (name, reason) => new ApiError(400, 'VALIDATION_INVALID_REQUEST', `Request body is not valid ${name} data`, { reason }),
  });
}

export interface LogEntry {
  id: string;
  environment: string;
  level: Severity;
  action: string | null;
  message: string | null;
  tags: string[];
  actor: Record<string, unknown> | null;
  target: Record<string, unknown> | null;
  context: Record<string, unknown> | null;
  metadata: Record<string, unknown> | null;
  client_timestamp: string;
  server_timestamp: string;
}

const nested = (value: unknown) => (isObject(value) ? value : null);

/** A canonical log in Logtrail's LogEntry shape; its `actor`/`target`/`context`/`metadata` properties must be nested objects. */
export function toLogEntry(record: LogRecord): LogEntry {
  const { properties } = record;
  // Spelled out: spreading the nested objects into the literal built every entry in V8's slow path.
  return {
    id: record.id,
    environment: record.environment,
    level: record.severity,
    action: record.action,
    message: record.message,
    tags: record.tags,
    actor: nested(properties.actor),
    target: nested(properties.target),
    context: nested(properties.context),
    metadata: nested(properties.metadata),
    client_timestamp: record.timestamp,
    server_timestamp: record.observed_timestamp,
  };
}
