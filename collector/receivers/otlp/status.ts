import protobuf from 'protobufjs';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { ApiError } from '../../../core/errors.js';

/**
 * `google.rpc.Status`, the body of every OTLP/HTTP error and, with a `RetryInfo`, the gRPC
 * `grpc-status-details-bin` trailer. The generated OTLP code has no google.rpc types, so these few
 * messages are declared here by reflection (field numbers from google/rpc/status.proto and
 * error_details.proto).
 */
const root = protobuf.Root.fromJSON({
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Any: { fields: { typeUrl: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
            Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
          },
        },
        rpc: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
            RetryInfo: { fields: { retryDelay: { type: 'google.protobuf.Duration', id: 1 } } },
          },
        },
      },
    },
  },
});
const Status = root.lookupType('google.rpc.Status');
const RetryInfo = root.lookupType('google.rpc.RetryInfo');

type GrpcCode = keyof typeof GrpcStatus;

/** The gRPC code an error carries (`ApiError.code` names one), as a number. */
export function grpcCode(err: ApiError): number {
  return GrpcStatus[err.code as GrpcCode] ?? GrpcStatus.UNKNOWN;
}

function encode(err: ApiError, details: { typeUrl: string; value: Uint8Array }[]): Buffer {
  return Buffer.from(Status.encode(Status.fromObject({ code: grpcCode(err), message: err.message, details })).finish());
}

/** The OTLP/HTTP error body; a throttling delay travels in `Retry-After`, not in details. */
export function encodeStatus(err: ApiError): Buffer {
  return encode(err, []);
}

export function encodeStatusJson(err: ApiError): string {
  return JSON.stringify({ code: grpcCode(err), message: err.message });
}

/** The gRPC rich status for a retryable error: a `RetryInfo` carrying its `Retry-After` delay; null otherwise. */
export function grpcStatusDetails(err: ApiError): Buffer | null {
  const seconds = err.headers?.['retry-after'];
  if (seconds === undefined) return null;
  const value = RetryInfo.encode(RetryInfo.fromObject({ retryDelay: { seconds: Number(seconds) } })).finish();
  return encode(err, [{ typeUrl: 'type.googleapis.com/google.rpc.RetryInfo', value }]);
}
