import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber, type LogRecord as ApiLogRecord } from '@opentelemetry/api-logs';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiverHarness, type ReceiverHarness } from '../testing.js';
import { otlpReceiverFactory, type OtlpReceiver } from './factory.js';

const LIMITS = { max_records: 100 };
const LOOPBACK = { http: { host: '127.0.0.1', port: 0 }, grpc: { host: '127.0.0.1', port: 0 } };

let h: ReceiverHarness;
let ports: { http: number; grpc: number };
beforeAll(async () => {
  h = await receiverHarness(otlpReceiverFactory, { ...LOOPBACK, ...LIMITS }, ['logs']);
  ports = (h.receiver as OtlpReceiver).ports();
});
afterAll(async () => h.close());

const logsUrl = () => `http://127.0.0.1:${ports.http}/v1/logs`;
const grpcUrl = () => `http://127.0.0.1:${ports.grpc}`;
const newRecords = async <T>(send: () => Promise<T>) => {
  const before = h.records('logs').length;
  const result = await send();
  return { result, records: h.records('logs').slice(before) };
};

// The generated OTLP types, to build and read wire messages the way a foreign client would.
const v1 = (generated as unknown as { opentelemetry: { proto: { collector: { logs: { v1: Record<string, protobuf.Type> } } } } }).opentelemetry.proto.collector.logs.v1;
const encodeRequest = (object: unknown) => Buffer.from(v1.ExportLogsServiceRequest.encode(v1.ExportLogsServiceRequest.fromObject(object as Record<string, unknown>)).finish());
const Status = protobuf.Root.fromJSON({
  nested: { Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } } } },
}).lookupType('Status');
const decodeStatus = (bytes: ArrayBuffer) => Status.toObject(Status.decode(new Uint8Array(bytes))) as { code: number; message: string };

/** An exporter that remembers each export's result, so a test sees what the SDK was told. */
class Recorded implements LogRecordExporter {
  readonly results: { code: number; error?: Error & { code?: number } }[] = [];
  constructor(private readonly inner: LogRecordExporter) {}
  export(logs: ReadableLogRecord[], done: Parameters<LogRecordExporter['export']>[1]) {
    this.inner.export(logs, (result) => {
      this.results.push(result);
      done(result);
    });
  }
  shutdown() {
    return this.inner.shutdown();
  }
  forceFlush() {
    return this.inner.forceFlush();
  }
}

async function emitThrough(inner: LogRecordExporter, records: ApiLogRecord[], resource: Record<string, string> = {}) {
  const exporter = new Recorded(inner);
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'deployment.environment': 'staging', 'host.name': 'web-1', ...resource }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('checkout-lib', '1.2.3');
  for (const record of records) logger.emit(record);
  await provider.forceFlush();
  await provider.shutdown();
  return exporter.results;
}

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';
const spanContext = () => trace.setSpanContext(context.active(), { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
/** 2026-06-15T12:00:00.123456789Z as an OTel HrTime. */
const WHEN: [number, number] = [1781524800, 123456789];

function sample(): ApiLogRecord[] {
  return [
    {
      severityNumber: SeverityNumber.ERROR2,
      severityText: 'ERROR',
      body: 'payment failed',
      timestamp: WHEN,
      attributes: { 'order.id': 'ord_123', amount: 29.5, attempts: 3, retried: true, tags: ['a', 'b'], 'event.name': 'payment.failed' },
      context: spanContext(),
    },
    { severityText: 'Warning', body: { user: 'u1', cart: { items: 2 } }, eventName: 'cart.updated' },
    { body: 'no level' },
  ];
}

function expectSample(records: Record<string, unknown>[], environment = 'staging') {
  expect(records).toHaveLength(3);
  const [error, warn, plain] = records;
  expect(error).toMatchObject({
    project_id: 'default',
    environment,
    timestamp: '2026-06-15T12:00:00.123456Z',
    severity: 'error',
    severity_number: 18,
    message: 'payment failed',
    service: 'checkout',
    action: 'payment.failed',
    trace_id: TRACE_ID,
    span_id: SPAN_ID,
    trace_flags: 1,
    receiver: 'otlp',
    tags: [],
  });
  expect(error.properties).toEqual({
    'order.id': 'ord_123', amount: 29.5, attempts: 3, retried: true, tags: ['a', 'b'], 'event.name': 'payment.failed',
    'otel.scope.name': 'checkout-lib', 'otel.scope.version': '1.2.3',
  });
  expect(error.resource).toMatchObject({ 'service.name': 'checkout', 'deployment.environment': environment, 'host.name': 'web-1' });
  expect(error.id).toMatch(/^[0-9a-f-]{36}$/);
  expect(Date.parse(error.observed_timestamp as string)).toBeGreaterThan(Date.parse('2026-01-01'));
  expect(warn).toMatchObject({ severity: 'warn', severity_number: 13, action: 'cart.updated', trace_id: null, span_id: null, trace_flags: null });
  expect(JSON.parse(warn.message as string)).toEqual({ user: 'u1', cart: { items: 2 } });
  expect(warn.properties).toMatchObject({ body: { user: 'u1', cart: { items: 2 } } });
  // No event time: the SDK's observed time stands in.
  expect(warn.timestamp).toBe(warn.observed_timestamp);
  expect(plain).toMatchObject({ severity: 'info', severity_number: 9, message: 'no level', action: null });
}

describe('OTLP receiver through the OpenTelemetry JS SDK', () => {
  it('takes http/json', async () => {
    const exporter = new JsonExporter({ url: logsUrl(), headers: { authorization: `Bearer ${h.keys.goodlogs_secret}` } });
    const { result, records } = await newRecords(() => emitThrough(exporter, sample()));
    expect(result.map((r) => r.code)).toEqual([0, 0, 0]);
    expectSample(records);
  });

  it('takes http/protobuf, gzip-compressed', async () => {
    const exporter = new ProtoExporter({ url: logsUrl(), headers: { 'x-api-key': h.keys.logtrace }, compression: 'gzip' as never });
    const { result, records } = await newRecords(() => emitThrough(exporter, sample(), { 'deployment.environment': 'production' }));
    expect(result.map((r) => r.code)).toEqual([0, 0, 0]);
    // The LogTrace key may write production only.
    expectSample(records, 'production');
  });

  it('takes gRPC, gzip-compressed', async () => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${h.keys.posthog_personal}`);
    const exporter = new GrpcExporter({ url: grpcUrl(), metadata, compression: 'gzip' as never });
    const { result, records } = await newRecords(() => emitThrough(exporter, sample()));
    expect(result.map((r) => r.code)).toEqual([0, 0, 0]);
    expectSample(records);
  });
});
