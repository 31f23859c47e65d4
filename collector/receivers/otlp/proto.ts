import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import protobuf from 'protobufjs';
import { ApiError } from '../../../core/errors.js';

/**
 * OTLP logs on the wire, through the OpenTelemetry project's generated protobufjs code (shipped by
 * `@opentelemetry/otlp-transformer@0.52.1`; newer releases carry encoders only). The interfaces below
 * describe the decoded messages as far as loglake reads them.
 */

/** 64-bit integers decode as `Long` objects (protobufjs with `long` installed), or plain numbers/strings. */
export type Int64 = { low: number; high: number } | number | string;

export interface AnyValue {
  /** protobufjs' oneof getter: the name of the field that is set. */
  readonly value?: 'stringValue' | 'boolValue' | 'intValue' | 'doubleValue' | 'arrayValue' | 'kvlistValue' | 'bytesValue';
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Int64 | null;
  doubleValue?: number | null;
  bytesValue?: Uint8Array | null;
  arrayValue?: { values?: AnyValue[] | null } | null;
  kvlistValue?: { values?: KeyValue[] | null } | null;
}

export interface KeyValue {
  key?: string | null;
  value?: AnyValue | null;
}

export interface LogRecordMessage {
  timeUnixNano?: Int64 | null;
  observedTimeUnixNano?: Int64 | null;
  severityNumber?: number | null;
  severityText?: string | null;
  body?: AnyValue | null;
  attributes?: KeyValue[] | null;
  flags?: number | null;
  traceId?: Uint8Array | null;
  spanId?: Uint8Array | null;
  /** Field 12, newer than the generated code: read beside it (see `eventNames`). */
  eventName?: string;
}

export interface ScopeLogs {
  scope?: { name?: string | null; version?: string | null } | null;
  logRecords?: LogRecordMessage[] | null;
}

export interface ResourceLogs {
  resource?: { attributes?: KeyValue[] | null } | null;
  scopeLogs?: ScopeLogs[] | null;
}

export interface ExportLogsRequest {
  resourceLogs?: ResourceLogs[] | null;
}

/** What the receiver answers: how many records it refused, and why. */
export interface ExportOutcome {
  rejected: number;
  errorMessage: string;
}

export type Encoding = 'protobuf' | 'json';

interface MessageType<T> {
  decode(bytes: Uint8Array): T;
  encode(message: unknown): protobuf.Writer;
  fromObject(object: unknown): T;
  toObject(message: T, options: protobuf.IConversionOptions): Record<string, unknown>;
}

const logsV1 = (generated as unknown as {
  opentelemetry: { proto: { collector: { logs: { v1: Record<'ExportLogsServiceRequest' | 'ExportLogsServiceResponse', MessageType<unknown>> } } } };
}).opentelemetry.proto.collector.logs.v1;
const RequestType = logsV1.ExportLogsServiceRequest as MessageType<ExportLogsRequest>;
const ResponseType = logsV1.ExportLogsServiceResponse;

const invalid = (message: string) => new ApiError(400, 'INVALID_ARGUMENT', message);

function* logRecords(request: ExportLogsRequest): Generator<LogRecordMessage> {
  for (const resource of request.resourceLogs ?? []) {
    for (const scope of resource.scopeLogs ?? []) yield* scope.logRecords ?? [];
  }
}

export function countRecords(request: ExportLogsRequest): number {
  let n = 0;
  for (const resource of request.resourceLogs ?? []) for (const scope of resource.scopeLogs ?? []) n += scope.logRecords?.length ?? 0;
  return n;
}

function attachEventNames(request: ExportLogsRequest, names: (string | undefined)[]): void {
  let i = 0;
  for (const record of logRecords(request)) {
    const name = names[i++];
    if (name) record.eventName = name;
  }
}

/**
 * `LogRecord.event_name` (field 12) postdates the generated decoder, which skips it. This walks the same
 * bytes along resource_logs (1) → scope_logs (2) → log_records (2), stepping exactly as the generated
 * decoder does (by field number), so the n-th name found belongs to the n-th decoded record.
 */
function eventNames(bytes: Uint8Array): string[] {
  const reader = protobuf.Reader.create(bytes);
  const names: string[] = [];
  const each = (end: number, field: number, visit: (end: number) => void) => {
    while (reader.pos < end) {
      const tag = reader.uint32();
      if (tag >>> 3 === field) {
        const stop = reader.uint32() + reader.pos;
        visit(stop);
        reader.pos = stop;
      } else reader.skipType(tag & 7);
    }
  };
  each(reader.len, 1, (end) =>
    each(end, 2, (end) =>
      each(end, 2, (end) => {
        let name = '';
        while (reader.pos < end) {
          const tag = reader.uint32();
          if (tag === ((12 << 3) | 2)) name = reader.string();
          else reader.skipType(tag & 7);
        }
        names.push(name);
      }),
    ),
  );
  return names;
}

export function decodeProtobuf(bytes: Uint8Array): ExportLogsRequest {
  try {
    const request = RequestType.decode(bytes);
    attachEventNames(request, eventNames(bytes));
    return request;
  } catch (err) {
    throw invalid(`Body is not a valid protobuf ExportLogsServiceRequest: ${(err as Error).message}`);
  }
}

function hexBytes(value: unknown, field: string): unknown {
  if (typeof value !== 'string') return value;
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(value)) throw invalid(`${field}: OTLP/JSON ids are hex strings, got ${JSON.stringify(value.slice(0, 40))}`);
  return Buffer.from(value, 'hex');
}

function int64Text(value: unknown, field: string): void {
  // fromObject reads a malformed int64 string as 0, which would silently re-time the record.
  if (value !== undefined && value !== null && !(typeof value === 'string' && /^\d+$/.test(value)) && !(typeof value === 'number' && Number.isSafeInteger(value))) {
    throw invalid(`${field}: expected an integer (as a string), got ${JSON.stringify(value).slice(0, 40)}`);
  }
}

const arrayOf = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null) : [];

/**
 * OTLP/JSON differs from protobuf's JSON mapping in one rule the generated `fromObject` does not know:
 * trace and span ids are hex, not base64. Those are rewritten to bytes first; `eventName`, unknown to the
 * generated types, is carried over by position.
 */
export function decodeJson(bytes: Buffer): ExportLogsRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw invalid(`Body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('Body must be a JSON ExportLogsServiceRequest object');
  const names: (string | undefined)[] = [];
  for (const resource of arrayOf((raw as Record<string, unknown>).resourceLogs)) {
    for (const scope of arrayOf(resource.scopeLogs)) {
      for (const record of arrayOf(scope.logRecords)) {
        record.traceId = hexBytes(record.traceId, 'traceId');
        record.spanId = hexBytes(record.spanId, 'spanId');
        int64Text(record.timeUnixNano, 'timeUnixNano');
        int64Text(record.observedTimeUnixNano, 'observedTimeUnixNano');
        names.push(typeof record.eventName === 'string' ? record.eventName : undefined);
      }
    }
  }
  let request: ExportLogsRequest;
  try {
    request = RequestType.fromObject(raw);
  } catch (err) {
    throw invalid(`Body is not a valid OTLP/JSON ExportLogsServiceRequest: ${(err as Error).message}`);
  }
  attachEventNames(request, names);
  return request;
}

function responseMessage(outcome: ExportOutcome): unknown {
  // A full success leaves partial_success unset, as the specification asks.
  return ResponseType.fromObject(outcome.rejected > 0 ? { partialSuccess: { rejectedLogRecords: outcome.rejected, errorMessage: outcome.errorMessage } } : {});
}

export function encodeResponse(outcome: ExportOutcome): Buffer {
  return Buffer.from(ResponseType.encode(responseMessage(outcome)).finish());
}

/** OTLP/JSON: camelCase names, int64 as decimal strings. */
export function encodeResponseJson(outcome: ExportOutcome): string {
  return JSON.stringify(ResponseType.toObject(responseMessage(outcome), { longs: String }));
}
