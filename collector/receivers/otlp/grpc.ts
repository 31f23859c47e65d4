import type { IncomingHttpHeaders } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { ApiError } from '../../../core/errors.js';
import { authorize } from './auth.js';
import { otlpRequestId, type ListenerDeps } from './ingest.js';
import { bodyDigest } from '../../../server/idempotency.js';
import { admitExport } from './limits.js';
import { decodeProtobuf, encodeResponse, type ExportLogsRequest, type ExportOutcome } from './proto.js';
import { grpcCode, grpcStatusDetails } from './status.js';

type Deps = ListenerDeps;

type Decoded = { request: ExportLogsRequest; digest: string } | { error: ApiError };

/** The server half of `LogsService/Export`, on the generated protobuf code. */
const exportMethod: grpc.ServerMethodDefinition<Decoded, ExportOutcome> = {
  path: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  requestStream: false,
  responseStream: false,
  // A throw here would reach the sender as INTERNAL; bad data is INVALID_ARGUMENT, so the handler decides.
  requestDeserialize: (bytes) => {
    try {
      return { request: decodeProtobuf(bytes), digest: bodyDigest(bytes) };
    } catch (err) {
      return { error: err as ApiError };
    }
  },
  responseSerialize: encodeResponse,
};

/** Metadata as headers: the API key (`authorization`, `x-api-key`) and what enrichment reads (`user-agent`). */
function headersOf(metadata: grpc.Metadata): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(metadata.getMap()).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function statusOf(err: ApiError): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  const details = grpcStatusDetails(err);
  if (details) metadata.set('grpc-status-details-bin', details);
  return { code: grpcCode(err), details: err.message, metadata };
}

/** OTLP/gRPC on its own port; gzip-compressed messages are inflated by grpc-js within the size limit. */
export function otlpGrpcServer(deps: Deps) {
  const { config } = deps;
  const server = new grpc.Server({ 'grpc.max_receive_message_length': config.max_request_bytes });

  const exportLogs = async (call: grpc.ServerUnaryCall<Decoded, ExportOutcome>): Promise<ExportOutcome> => {
    const headers = headersOf(call.metadata);
    const target = authorize(headers, deps.meta, config);
    admitExport(deps.limits, target, 'grpc');
    if ('error' in call.request) throw call.request.error;
    // getPeer() is `address:port`.
    const requestId = otlpRequestId(deps.receiverId, target, headers, call.request.digest);
    return deps.ingest(call.request.request, target, { receiver: deps.receiverId, remoteAddress: call.getPeer().replace(/:\d+$/, ''), headers, requestId });
  };

  server.register<Decoded, ExportOutcome>(
    exportMethod.path,
    (call: grpc.ServerUnaryCall<Decoded, ExportOutcome>, callback: grpc.sendUnaryData<ExportOutcome>) => {
      exportLogs(call).then(
        (outcome) => callback(null, outcome),
        (err: unknown) => {
          if (!(err instanceof ApiError)) deps.logger.error({ err }, 'otlp/grpc: internal error');
          callback(statusOf(err instanceof ApiError ? err : new ApiError(500, 'INTERNAL', 'Internal server error')));
        },
      );
    },
    exportMethod.responseSerialize,
    exportMethod.requestDeserialize,
    'unary',
  );

  return {
    /** Resolves with the bound port (the configured one, or the one picked for port 0). */
    listen(): Promise<number> {
      const host = config.grpc.host.includes(':') ? `[${config.grpc.host}]` : config.grpc.host;
      return new Promise((resolve, reject) => {
        server.bindAsync(`${host}:${config.grpc.port}`, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
      });
    },
    /** Lets calls in progress finish (their batches reach the bus), then cuts what is left after `graceMs`. */
    close(graceMs: number): Promise<void> {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
