import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber, type LogRecord as ApiLogRecord } from '@opentelemetry/api-logs';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiverHarness, type ReceiverHarness } from '../testing.js';
import { pino } from 'pino';
import { otlpConfig } from './config.js';
import { otlpReceiverFactory, type OtlpReceiver } from './factory.js';
import { logsIngest } from './ingest.js';
import { decodeJson } from './proto.js';
import { hourWindow, monthWindow } from '../../../server/limits/windows.js';

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
    // One export per flush: the records travel in one request, in order.
    processors: [new BatchLogRecordProcessor({ exporter })],
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
    expect(result.map((r) => r.code)).toEqual([0]);
    expectSample(records);
  });

  it('takes http/protobuf, gzip-compressed', async () => {
    const exporter = new ProtoExporter({ url: logsUrl(), headers: { 'x-api-key': h.keys.logtrace }, compression: 'gzip' as never });
    const { result, records } = await newRecords(() => emitThrough(exporter, sample(), { 'deployment.environment': 'production' }));
    expect(result.map((r) => r.code)).toEqual([0]);
    // The LogTrace key may write production only.
    expectSample(records, 'production');
  });

  it('takes gRPC, gzip-compressed', async () => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${h.keys.posthog_personal}`);
    const exporter = new GrpcExporter({ url: grpcUrl(), metadata, compression: 'gzip' as never });
    const { result, records } = await newRecords(() => emitThrough(exporter, sample()));
    expect(result.map((r) => r.code)).toEqual([0]);
    expectSample(records);
  });
});

const JSON_TYPE = { 'content-type': 'application/json' };
const PROTOBUF_TYPE = { 'content-type': 'application/x-protobuf' };
const post = (body: Uint8Array | string, headers: Record<string, string>, key: string | null = h.keys.goodlogs_secret) =>
  fetch(logsUrl(), {
    method: 'POST',
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });

const resourceLogs = (records: object[], resource: Record<string, string> = { 'service.name': 'api' }) => ({
  resource: { attributes: Object.entries(resource).map(([key, value]) => ({ key, value: { stringValue: value } })) },
  scopeLogs: [{ scope: { name: 'raw' }, logRecords: records }],
});
const jsonRequest = (...resources: object[]) => JSON.stringify({ resourceLogs: resources });
const line = (message: string, extra: object = {}) => ({ body: { stringValue: message }, ...extra });

describe('OTLP/JSON mapping', () => {
  it('follows the OTLP/JSON rules: hex ids, int64 strings, typed attributes, event_name', async () => {
    const body = jsonRequest(
      resourceLogs([
        {
          timeUnixNano: '1781524800123456789',
          observedTimeUnixNano: '1781524801000000000',
          severityNumber: 10,
          severityText: 'whatever',
          body: { stringValue: 'hello' },
          traceId: TRACE_ID.toUpperCase(),
          spanId: SPAN_ID,
          flags: 257,
          eventName: 'login',
          attributes: [
            { key: 'big', value: { intValue: '9007199254740993' } },
            { key: 'n', value: { intValue: '42' } },
            { key: 'd', value: { doubleValue: 1.5 } },
            { key: 'b', value: { boolValue: false } },
            { key: 'raw', value: { bytesValue: 'AQI=' } },
            { key: 'list', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: 1 }] } } },
            { key: 'kv', value: { kvlistValue: { values: [{ key: 'a', value: { stringValue: 'b' } }] } } },
          ],
        },
        { observedTimeUnixNano: '1781524800000001000', severityText: 'FATAL', body: { intValue: '7' }, traceId: '0'.repeat(32) },
      ]),
    );
    const { result: res, records } = await newRecords(() => post(body, JSON_TYPE));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({});
    const [first, second] = records;
    expect(first).toMatchObject({
      timestamp: '2026-06-15T12:00:00.123456Z',
      observed_timestamp: '2026-06-15T12:00:01.000Z',
      severity: 'info',
      severity_number: 10,
      message: 'hello',
      service: 'api',
      environment: 'production',
      action: 'login',
      trace_id: TRACE_ID,
      span_id: SPAN_ID,
      trace_flags: 1,
      resource: { 'service.name': 'api' },
    });
    expect(first.properties).toEqual({ big: '9007199254740993', n: 42, d: 1.5, b: false, raw: 'AQI=', list: ['x', 1], kv: { a: 'b' }, 'otel.scope.name': 'raw' });
    expect(second).toMatchObject({
      timestamp: '2026-06-15T12:00:00.000001Z',
      observed_timestamp: '2026-06-15T12:00:00.000001Z',
      severity: 'fatal',
      severity_number: 21,
      message: '7',
      trace_id: null,
      trace_flags: null,
    });
  });

  it('reports refused records as partial success and keeps the good ones around them', async () => {
    const body = jsonRequest(resourceLogs([line('a'), line('b', { traceId: 'abcd' }), line('c')]));
    const { result: res, records } = await newRecords(() => post(body, JSON_TYPE));
    expect(res.status).toBe(200);
    const answer = await res.json();
    expect(answer.partialSuccess).toEqual({ rejectedLogRecords: '1', errorMessage: expect.stringMatching(/trace_id: must be 16 bytes, got 2/) });
    expect(records.map((r) => r.message)).toEqual(['a', 'c']);
  });

  it('answers protobuf in protobuf, with partial_success', async () => {
    const body = encodeRequest({ resourceLogs: [resourceLogs([line('p1'), line('p2', { spanId: Buffer.from([1, 2, 3]) })])] });
    const { result: res, records } = await newRecords(() => post(body, PROTOBUF_TYPE));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    const answer = v1.ExportLogsServiceResponse.toObject(v1.ExportLogsServiceResponse.decode(new Uint8Array(await res.arrayBuffer())), { longs: Number });
    expect(answer).toEqual({ partialSuccess: { rejectedLogRecords: 1, errorMessage: expect.stringMatching(/span_id/) } });
    expect(records.map((r) => r.message)).toEqual(['p1']);
  });

  it('refuses environments an environment-scoped key may not write, per resource', async () => {
    const body = jsonRequest(resourceLogs([line('prod')], { 'deployment.environment.name': 'production' }), resourceLogs([line('stage')], { 'deployment.environment': 'staging' }), resourceLogs([line('qa')], { 'deployment.environment': 'qa' }));
    const { result: res, records } = await newRecords(() => post(body, JSON_TYPE, h.keys.logtrail_rw));
    expect((await res.json()).partialSuccess).toMatchObject({ rejectedLogRecords: '1', errorMessage: expect.stringMatching(/staging/) });
    expect(records.map((r) => [r.message, r.environment])).toEqual([['prod', 'production'], ['qa', 'production']]);
  });
});

describe('OTLP/HTTP errors', () => {
  const status = async (res: Response) =>
    res.headers.get('content-type')?.startsWith('application/json') ? ((await res.json()) as { code: number; message: string }) : decodeStatus(await res.arrayBuffer());

  it('answers undecodable bodies with 400 and a google.rpc.Status in the request encoding', async () => {
    const before = h.batches.length;
    const badProto = await post(Buffer.from([0x0a, 0xff, 0xff, 0x01]), PROTOBUF_TYPE);
    expect(badProto.status).toBe(400);
    expect(badProto.headers.get('content-type')).toBe('application/x-protobuf');
    expect(await status(badProto)).toMatchObject({ code: 3, message: expect.stringMatching(/protobuf/) });
    const badJson = await post('{"resourceLogs": [', JSON_TYPE);
    expect(badJson.status).toBe(400);
    expect(await status(badJson)).toMatchObject({ code: 3, message: expect.stringMatching(/not valid JSON/) });
    expect((await post('{"resourceLogs": {}}', JSON_TYPE)).status).toBe(400);
    expect((await post('[]', JSON_TYPE)).status).toBe(400);
    expect((await post(jsonRequest(resourceLogs([line('x', { traceId: 'not-hex' })])), JSON_TYPE)).status).toBe(400);
    expect((await post(jsonRequest(resourceLogs([line('x', { timeUnixNano: 'yesterday' })])), JSON_TYPE)).status).toBe(400);
    expect(h.batches.length).toBe(before);
  });

  it('treats an empty protobuf body as the empty request (success) and an empty JSON body as malformed', async () => {
    const before = h.batches.length;
    const empty = await post(new Uint8Array(0), PROTOBUF_TYPE);
    expect(empty.status).toBe(200);
    expect((await empty.arrayBuffer()).byteLength).toBe(0);
    expect((await post('', JSON_TYPE)).status).toBe(400);
    expect(h.batches.length).toBe(before);
  });

  it('answers unsupported content types and encodings with 415', async () => {
    const text = await post('hello', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(await status(text)).toMatchObject({ message: expect.stringMatching(/application\/x-protobuf or application\/json/) });
    expect((await post('hello', {})).status).toBe(415);
    expect((await post(jsonRequest(), { ...JSON_TYPE, 'content-encoding': 'br' })).status).toBe(415);
  });

  it('inflates gzip bodies, refuses broken ones and stops a gzip bomb at the size limit', async () => {
    const { result: ok, records } = await newRecords(() => post(gzipSync(jsonRequest(resourceLogs([line('zipped')]))), { ...JSON_TYPE, 'content-encoding': 'gzip' }));
    expect(ok.status).toBe(200);
    expect(records.map((r) => r.message)).toEqual(['zipped']);
    expect((await post(Buffer.from('not gzip'), { ...PROTOBUF_TYPE, 'content-encoding': 'gzip' })).status).toBe(400);
    const bomb = gzipSync(Buffer.alloc(17 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100_000);
    const res = await post(bomb, { ...PROTOBUF_TYPE, 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(await status(res)).toMatchObject({ code: 8, message: expect.stringMatching(/16777216/) });
  });

  it('refuses more records than the limit with 413, taking none of them', async () => {
    const before = h.batches.length;
    const res = await post(jsonRequest(resourceLogs(Array.from({ length: 101 }, (_, i) => line(`r${i}`)))), JSON_TYPE);
    expect(res.status).toBe(413);
    expect(await status(res)).toMatchObject({ message: expect.stringMatching(/101 log records; the limit is 100/) });
    expect(h.batches.length).toBe(before);
  });

  it('answers 401 without a valid key and 403 for a key that may not write logs', async () => {
    const body = jsonRequest(resourceLogs([line('x')]));
    const missing = await post(body, JSON_TYPE, null);
    expect(missing.status).toBe(401);
    expect(await status(missing)).toMatchObject({ code: 16, message: expect.stringMatching(/Missing API key/) });
    expect((await post(body, JSON_TYPE, 'gl_sk_eu_nope')).status).toBe(401);
    const pub = await post(body, JSON_TYPE, h.keys.goodlogs_public);
    expect(pub.status).toBe(403);
    expect(await status(pub)).toMatchObject({ code: 7 });
    expect((await post(body, { ...JSON_TYPE, 'x-api-key': h.keys.logtrail_rw }, null)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports.http}/v1/traces`, { method: 'POST' })).status).toBe(404);
  });

  it('never answers 200 when the bus did not take the batch: 503 with Retry-After, and the retry lands once', async () => {
    const body = jsonRequest(resourceLogs([line('retry me')]));
    h.failNext(1);
    const { result: refused, records: none } = await newRecords(() => post(body, JSON_TYPE));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await status(refused)).toMatchObject({ code: 14 });
    expect(none).toEqual([]);
    const { result: ok, records } = await newRecords(() => post(body, JSON_TYPE));
    expect(ok.status).toBe(200);
    expect(records.map((r) => r.message)).toEqual(['retry me']);
  });

  it('lets the SDK retry a bus outage until the batch is durable, without losing or doubling it', async () => {
    h.failNext(1);
    const exporter = new ProtoExporter({ url: logsUrl(), headers: { authorization: `Bearer ${h.keys.goodlogs_secret}` } });
    const { result, records } = await newRecords(() => emitThrough(exporter, [{ body: 'after outage', severityNumber: SeverityNumber.WARN }]));
    expect(result.map((r) => r.code)).toEqual([0]);
    expect(records.map((r) => r.message)).toEqual(['after outage']);
  });
});

// A client of raw bytes, to send what a foreign client would and read the status it gets.
const passThrough = (b: Buffer) => b;
const Client = grpc.makeGenericClientConstructor(
  {
    Export: {
      path: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
      requestStream: false,
      responseStream: false,
      requestSerialize: passThrough,
      requestDeserialize: passThrough,
      responseSerialize: passThrough,
      responseDeserialize: passThrough,
    },
  },
  'LogsService',
);
let client: InstanceType<typeof Client>;
beforeAll(() => {
  client = new Client(`127.0.0.1:${ports.grpc}`, grpc.credentials.createInsecure(), { 'grpc.default_compression_algorithm': grpc.compressionAlgorithms.gzip });
});
afterAll(() => client.close());

const call = (body: Buffer, key: string | null = h.keys.goodlogs_secret, idempotencyKey?: string) =>
  new Promise<{ err: grpc.ServiceError | null; res?: Buffer }>((resolve) => {
    const metadata = new grpc.Metadata();
    if (key) metadata.set('authorization', `Bearer ${key}`);
    if (idempotencyKey) metadata.set('idempotency-key', idempotencyKey);
    client.Export(body, metadata, (err: grpc.ServiceError | null, res?: Buffer) => resolve({ err, res }));
  });

describe('OTLP/gRPC errors', () => {
  it('answers a good request with an ExportLogsServiceResponse, partial_success included', async () => {
    const body = encodeRequest({ resourceLogs: [resourceLogs([line('g1'), line('g2', { traceId: Buffer.from([1]) })])] });
    const { result, records } = await newRecords(() => call(body));
    expect(result.err).toBeNull();
    const answer = v1.ExportLogsServiceResponse.toObject(v1.ExportLogsServiceResponse.decode(result.res!), { longs: Number });
    expect(answer).toEqual({ partialSuccess: { rejectedLogRecords: 1, errorMessage: expect.stringMatching(/trace_id/) } });
    expect(records.map((r) => r.message)).toEqual(['g1']);
  });

  it('uses INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED and RESOURCE_EXHAUSTED as the specification does', async () => {
    const good = encodeRequest({ resourceLogs: [resourceLogs([line('x')])] });
    expect((await call(Buffer.from([0x0a, 0xff, 0xff, 0x01]))).err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    const missing = await call(good, null);
    expect(missing.err).toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: expect.stringMatching(/Missing API key/) });
    expect((await call(good, 'gl_sk_eu_nope')).err?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await call(good, h.keys.goodlogs_public)).err?.code).toBe(grpc.status.PERMISSION_DENIED);
    const many = encodeRequest({ resourceLogs: [resourceLogs(Array.from({ length: 101 }, () => line('x')))] });
    expect((await call(many)).err?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    // Sent gzip-compressed (the client's default here): it inflates past the limit and is refused.
    expect((await call(Buffer.alloc(17 * 1024 * 1024))).err?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });

  it('answers a bus outage with UNAVAILABLE and a RetryInfo, and takes the retry', async () => {
    const body = encodeRequest({ resourceLogs: [resourceLogs([line('grpc retry')])] });
    h.failNext(1);
    const { result: refused, records: none } = await newRecords(() => call(body));
    expect(refused.err?.code).toBe(grpc.status.UNAVAILABLE);
    const [details] = refused.err!.metadata.get('grpc-status-details-bin') as Buffer[];
    expect(details.toString('latin1')).toContain('type.googleapis.com/google.rpc.RetryInfo');
    expect(none).toEqual([]);
    const { result: ok, records } = await newRecords(() => call(body));
    expect(ok.err).toBeNull();
    expect(records.map((r) => r.message)).toEqual(['grpc retry']);
  });

  it('names a request for the bus by its bytes or its Idempotency-Key, the same on every retry', async () => {
    const ids: (string | undefined)[] = [];
    const send = async (text: string, idempotencyKey?: string) => {
      const before = h.batches.length;
      expect((await call(encodeRequest({ resourceLogs: [resourceLogs([line(text)])] }), h.keys.goodlogs_secret, idempotencyKey)).err).toBeNull();
      ids.push(h.batches[before].context.requestId);
    };
    await send('same');
    await send('same');
    await send('other');
    await send('keyed', 'k-1');
    await send('keyed differently', 'k-1');
    const [a, b, c, d, e] = ids;
    expect(a).toMatch(/^[0-9a-f]{40}$/);
    expect([b, c === a, d === e, d === a]).toEqual([a, false, true, false]);
  });

  it('tells the SDK exporter the export failed when the bus refused it', async () => {
    h.failNext(1);
    const metadata = new grpc.Metadata();
    metadata.set('x-api-key', h.keys.goodlogs_secret);
    const { result, records } = await newRecords(() => emitThrough(new GrpcExporter({ url: grpcUrl(), metadata }), [{ body: 'refused' }]));
    expect(result[0].code).toBe(1);
    expect(result[0].error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(records).toEqual([]);
  });
});

describe('OTLP receiver without authentication', () => {
  it('writes to the configured project on a trusted network, and stops listening on shutdown', async () => {
    const open = await receiverHarness(otlpReceiverFactory, { ...LOOPBACK, auth: { enabled: false }, project: 'local', default_environment: 'development' }, ['logs']);
    const { http, grpc: grpcPort } = (open.receiver as OtlpReceiver).ports();
    const results = await emitThrough(new JsonExporter({ url: `http://127.0.0.1:${http}/v1/logs` }), [{ body: 'trusted' }], { 'deployment.environment': 'qa' });
    expect(results.map((r) => r.code)).toEqual([0]);
    expect(open.records('logs')).toMatchObject([{ project_id: 'local', environment: 'development', message: 'trusted' }]);
    await open.receiver.shutdown!();
    await open.close();
    await expect(fetch(`http://127.0.0.1:${http}/v1/logs`, { method: 'POST' })).rejects.toThrow();
    const probe = new grpc.Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
    await expect(new Promise((resolve, reject) => probe.waitForReady(Date.now() + 300, (err) => (err ? reject(err) : resolve(null))))).rejects.toThrow();
    probe.close();
  });
});

describe('OTLP backpressure', () => {
  it('asks senders to back off (429 / UNAVAILABLE, Retry-After) while max_in_flight batches wait on the bus', async () => {
    let release!: () => void;
    const consumer = { consume: () => new Promise<void>((resolve) => (release = resolve)) };
    const ingest = logsIngest(otlpConfig.parse({ max_in_flight: 1 }), consumer, pino({ level: 'silent' }));
    const request = () => decodeJson(Buffer.from(jsonRequest(resourceLogs([line('x')]))));
    const target = { projectId: 'default', key: null };
    const first = ingest(request(), target, { receiver: 'otlp' });
    await expect(ingest(request(), target, { receiver: 'otlp' })).rejects.toMatchObject({ status: 429, code: 'UNAVAILABLE', headers: { 'retry-after': '1' } });
    release();
    await expect(first).resolves.toEqual({ rejected: 0, errorMessage: '' });
  });
});

describe('OTLP under plan limits', () => {
  /** A goodlogs secret key of a new project on `plan`. */
  const keyOn = async (plan: string, project: string) => {
    await h.meta.createProject('default', project, plan, project);
    return (await h.meta.createKey({ org_id: 'default', project_id: project, family: 'goodlogs', kind: 'secret', scopes: [], environments: null, region: 'eu', name: project })).secret;
  };
  const body = () => encodeRequest({ resourceLogs: [resourceLogs([line('limited')])] });
  const retryInfo = (err: grpc.ServiceError | null) => (err?.metadata.get('grpc-status-details-bin') as Buffer[] | undefined)?.[0]?.toString('latin1') ?? '';

  it('refuses OTLP/HTTP over the hourly rate with 429, Retry-After and a RESOURCE_EXHAUSTED status, before reading the body', async () => {
    const key = await keyOn('standard', 'otlp_rate_http');
    h.meta.addUsage('otlp_rate_http', 'ingest_requests', hourWindow(new Date()).key, 9_999);
    const last = await post(body(), PROTOBUF_TYPE, key);
    expect(last.status).toBe(200);
    expect(last.headers.get('x-ratelimit-remaining')).toBe('0');
    const { result: refused, records } = await newRecords(() => post(body(), PROTOBUF_TYPE, key));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('x-ratelimit-limit')).toBe('10000');
    expect(decodeStatus(await refused.arrayBuffer())).toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED, message: expect.stringMatching(/10000 ingest requests per hour/) });
    expect(records).toEqual([]);
  });

  it('refuses OTLP/HTTP over the monthly log quota with 429 and Retry-After, in JSON for a JSON request', async () => {
    const key = await keyOn('free', 'otlp_quota_http');
    h.meta.addUsage('otlp_quota_http', 'logs', monthWindow(new Date()).key, 100_000);
    const { result: refused, records } = await newRecords(() => post(jsonRequest(resourceLogs([line('over')])), JSON_TYPE, key));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused.json()).toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED, message: expect.stringMatching(/100000 logs this month/) });
    expect(records).toEqual([]);
  });

  it('refuses OTLP/gRPC over the rate with RESOURCE_EXHAUSTED and a RetryInfo', async () => {
    const key = await keyOn('standard', 'otlp_rate_grpc');
    h.meta.addUsage('otlp_rate_grpc', 'ingest_requests', hourWindow(new Date()).key, 9_999);
    expect((await call(body(), key)).err).toBeNull();
    const { result: refused, records } = await newRecords(() => call(body(), key));
    expect(refused.err).toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED, details: expect.stringMatching(/requests per hour/) });
    expect(retryInfo(refused.err)).toContain('type.googleapis.com/google.rpc.RetryInfo');
    expect(records).toEqual([]);
  });

  it('refuses OTLP/gRPC over the quota with RESOURCE_EXHAUSTED and no RetryInfo: retrying this month does not help', async () => {
    const key = await keyOn('free', 'otlp_quota_grpc');
    h.meta.addUsage('otlp_quota_grpc', 'logs', monthWindow(new Date()).key, 100_000);
    const { result: refused, records } = await newRecords(() => call(body(), key));
    expect(refused.err).toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED, details: expect.stringMatching(/logs this month/) });
    expect(retryInfo(refused.err)).toBe('');
    expect(records).toEqual([]);
  });

  it('never limits an unlimited project, on either transport, and sends it no limit headers', async () => {
    // The bootstrap project is unlimited: usage far past every plan's figures changes nothing.
    h.meta.addUsage('default', 'ingest_requests', hourWindow(new Date()).key, 1_000_000);
    h.meta.addUsage('default', 'logs', monthWindow(new Date()).key, 100_000_000);
    const res = await post(body(), PROTOBUF_TYPE);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBeNull();
    const answers = await Promise.all(Array.from({ length: 20 }, () => call(body())));
    expect(answers.map((a) => a.err)).toEqual(Array(20).fill(null));
  });
});
