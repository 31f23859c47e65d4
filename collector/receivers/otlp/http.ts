import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, statusOf } from '../../../core/errors.js';
import { createHttpServer } from '../../../server/http.js';
import { authorize } from './auth.js';
import type { OtlpConfig } from './config.js';
import { decompress, type DecompressErrors } from '../../../server/decompress.js';
import { otlpRequestId, type ListenerDeps } from './ingest.js';
import { bodyDigest } from '../../../server/idempotency.js';
import { admitExport } from './limits.js';
import type { Target } from './mapping.js';
import { decodeJson, decodeProtobuf, encodeResponse, encodeResponseJson, type Encoding } from './proto.js';
import { encodeStatus, encodeStatusJson } from './status.js';

type Deps = ListenerDeps;

const MEDIA_TYPES: Record<Encoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** Errors answer in the request's encoding when it has one the receiver speaks, else in protobuf. */
function replyEncoding(request: FastifyRequest): Encoding {
  return mediaType(request) === MEDIA_TYPES.json ? 'json' : 'protobuf';
}

function requestEncoding(request: FastifyRequest): Encoding {
  const type = mediaType(request);
  if (type === MEDIA_TYPES.json) return 'json';
  if (type === MEDIA_TYPES.protobuf) return 'protobuf';
  throw unsupportedType(request);
}

const unsupportedType = (request: FastifyRequest) =>
  new ApiError(415, 'INVALID_ARGUMENT', `Unsupported Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')}: send application/x-protobuf or application/json`);

const DECOMPRESS_ERRORS: DecompressErrors = {
  unsupportedEncoding: (name) => new ApiError(415, 'INVALID_ARGUMENT', `Unsupported Content-Encoding "${name}": send gzip, deflate or none`),
  tooLarge: (limit) => new ApiError(413, 'RESOURCE_EXHAUSTED', `The request decompresses to more than ${limit} bytes`),
  corrupt: (name, reason) => new ApiError(400, 'INVALID_ARGUMENT', `The body is not valid ${name} data: ${reason}`),
};

/** Fastify's own refusals (media type, body size, framing) in OTLP terms. */
function asApiError(err: unknown, request: FastifyRequest, config: OtlpConfig): ApiError | null {
  if (err instanceof ApiError) return err;
  const status = statusOf(err);
  if (status === 415) return unsupportedType(request);
  if (status === 413) return new ApiError(413, 'RESOURCE_EXHAUSTED', `The request body is larger than ${config.max_request_bytes} bytes`);
  if (status < 500) return new ApiError(status, 'INVALID_ARGUMENT', (err as Error).message);
  return null;
}

function sendStatus(reply: FastifyReply, request: FastifyRequest, err: ApiError): FastifyReply {
  if (err.headers) reply.headers(err.headers);
  const encoding = replyEncoding(request);
  return reply
    .code(err.status)
    .type(MEDIA_TYPES[encoding])
    .send(encoding === 'json' ? encodeStatusJson(err) : encodeStatus(err));
}

/**
 * OTLP/HTTP on its own server: `POST /v1/logs` in protobuf or JSON, optionally gzip/deflate-compressed.
 * 200 with an `ExportLogsServiceResponse` once the batch is durable (with `partial_success` when records
 * were refused); every error is a `google.rpc.Status` body, retryable ones (429, 503) with `Retry-After`.
 */
export function otlpHttpServer(deps: Deps): FastifyInstance {
  const { config } = deps;
  const app = createHttpServer({ bodyLimit: config.max_request_bytes, logger: deps.logger });
  const targets = new WeakMap<FastifyRequest, Target>();

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(Object.values(MEDIA_TYPES), { parseAs: 'buffer' }, async (request: FastifyRequest, body: Buffer) =>
    decompress(body, request.headers['content-encoding'], config.max_request_bytes, DECOMPRESS_ERRORS),
  );

  app.setErrorHandler((err, request, reply) => {
    const apiError = asApiError(err, request, config);
    if (apiError) return sendStatus(reply, request, apiError);
    request.log.error({ err }, 'otlp/http: internal error');
    return sendStatus(reply, request, new ApiError(500, 'INTERNAL', 'Internal server error'));
  });
  app.setNotFoundHandler((request, reply) => sendStatus(reply, request, new ApiError(404, 'NOT_FOUND', 'OTLP/HTTP logs are received at POST /v1/logs')));

  app.post(
    '/v1/logs',
    {
      // Before the body is read: an unauthenticated or limited sender does not get to upload 16 MiB first.
      onRequest: async (request, reply) => {
        const target = authorize(request.headers, deps.meta, config);
        reply.headers(admitExport(deps.limits, target, 'http'));
        targets.set(request, target);
      },
    },
    async (request, reply) => {
      const encoding = requestEncoding(request);
      // A body-less request skips the parser; empty protobuf is the empty request, which succeeds.
      const body = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
      const decoded = encoding === 'json' ? decodeJson(body) : decodeProtobuf(body);
      const target = targets.get(request)!;
      const outcome = await deps.ingest(decoded, target, {
        receiver: deps.receiverId,
        remoteAddress: request.socket.remoteAddress,
        headers: request.headers,
        requestId: otlpRequestId(deps.receiverId, target, request.headers, bodyDigest(body)),
      });
      return reply
        .code(200)
        .type(MEDIA_TYPES[encoding])
        .send(encoding === 'json' ? encodeResponseJson(outcome) : encodeResponse(outcome));
    },
  );
  return app;
}
