/**
 * The ingest surfaces the benchmarks drive, and the request bodies each is sent: built here once, so the
 * end-to-end runs (`e2e.ts`) and the in-process stage ceilings (`ceilings.ts`) work on the same bytes.
 * Every body holds `BATCH` records; with a marker, its first record carries it where a query finds it
 * (the message; `distinct_id` for events), which is how a sampled record's visibility is timed.
 */
import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import type protobuf from 'protobufjs';
import { eventItem, logItem } from '../test/helpers/load.js';

export const BATCH = 500;

export const SURFACE_IDS = ['goodlogs-logs', 'goodlogs-events', 'otlp-http', 'otlp-grpc', 'logstash', 'logtrail', 'logtrace'] as const;
export type SurfaceId = (typeof SURFACE_IDS)[number];

export interface Surface {
  id: SurfaceId;
  name: string;
  table: 'logs' | 'events';
  /** Request `b`'s body. */
  body(b: number, marker?: string): Buffer;
}

const v1 = (generated as unknown as { opentelemetry: { proto: { collector: { logs: { v1: Record<string, protobuf.Type> } } } } }).opentelemetry.proto.collector.logs.v1;

/** One OTLP request of `BATCH` records, like an SDK's batch processor sends. */
function otlpRequest(b: number, marker?: string): Buffer {
  const now = BigInt(Date.now()) * 1_000_000n;
  const logRecords = Array.from({ length: BATCH }, (_, i) => ({
    timeUnixNano: String(now + BigInt(i)),
    severityNumber: i % 10 === 0 ? 17 : 9,
    severityText: i % 10 === 0 ? 'ERROR' : 'INFO',
    body: { stringValue: i === 0 && marker ? marker : `request ${b * BATCH + i} handled in ${i % 997} ms` },
    attributes: [
      { key: 'http.route', value: { stringValue: `/r/${i % 40}` } },
      { key: 'duration_ms', value: { intValue: String(i % 997) } },
      { key: 'user.id', value: { stringValue: `u_${i % 321}` } },
    ],
  }));
  const request = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: `svc-${b % 5}` } }] }, scopeLogs: [{ scope: { name: 'bench' }, logRecords }] }] };
  const type = v1.ExportLogsServiceRequest;
  return Buffer.from(type.encode(type.fromObject(request)).finish());
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const records = <T>(b: number, make: (n: number, i: number) => T) => Array.from({ length: BATCH }, (_, i) => make(b * BATCH + i, i));
/** Without the item's own id: the records are sent many times over, and each time must be new records. */
const withoutId = (item: Record<string, unknown>) => {
  delete item.id;
  return item;
};

export const SURFACES: Record<SurfaceId, Surface> = {
  'goodlogs-logs': {
    id: 'goodlogs-logs', name: 'GoodLogs /v1/logs', table: 'logs',
    body: (b, marker) => json({ batch: records(b, (n, i) => ({ ...withoutId(logItem(n)), ...(i === 0 && marker ? { message: marker } : {}) })) }),
  },
  'goodlogs-events': {
    id: 'goodlogs-events', name: 'GoodLogs /v1/events', table: 'events',
    body: (b, marker) => json({ batch: records(b, (n, i) => ({ ...withoutId(eventItem(n)), ...(i === 0 && marker ? { distinctId: marker } : {}) })) }),
  },
  'otlp-http': { id: 'otlp-http', name: 'OTLP/HTTP protobuf', table: 'logs', body: otlpRequest },
  'otlp-grpc': { id: 'otlp-grpc', name: 'OTLP/gRPC', table: 'logs', body: otlpRequest },
  // A shipper's stream: one chunk of newline-delimited JSON is what one write puts on the socket.
  logstash: {
    id: 'logstash', name: 'Logstash TCP json_lines', table: 'logs',
    body: (b, marker) => Buffer.from(records(b, (n, i) => JSON.stringify({
      '@timestamp': new Date().toISOString(), level: i % 10 === 0 ? 'error' : 'info', message: i === 0 && marker ? marker : `request ${n} handled`,
      service: `svc-${i % 5}`, fields: { route: `/r/${i % 40}`, duration_ms: i % 997 },
    })).join('\n') + '\n'),
  },
  logtrail: {
    id: 'logtrail', name: 'Logtrail bulk', table: 'logs',
    body: (b, marker) => json(records(b, (n, i) => ({
      action: `request.${i % 7}`, level: i % 10 === 0 ? 'error' : 'info', message: i === 0 && marker ? marker : `request ${n} handled in ${i % 997} ms`,
      clientTimestamp: new Date().toISOString(), tags: ['bench'], actor: { id: `u_${i % 321}` }, metadata: { route: `/r/${i % 40}`, duration_ms: i % 997 },
    }))),
  },
  logtrace: {
    id: 'logtrace', name: 'LogTrace ingest', table: 'logs',
    body: (b, marker) => json({ logs: records(b, (n, i) => ({
      level: i % 10 === 0 ? 'ERROR' : 'INFO', message: i === 0 && marker ? marker : `request ${n} handled in ${i % 997} ms`,
      service: `svc-${i % 5}`, attributes: { route: `/r/${i % 40}`, duration_ms: i % 997, user_id: `u_${i % 321}` },
    })) }),
  },
};

/** `--surfaces all` or a comma-separated list of ids. */
export function surfacesOf(arg: string): Surface[] {
  const ids = arg === 'all' ? [...SURFACE_IDS] : arg.split(',').map((s) => s.trim());
  return ids.map((id) => {
    if (!(id in SURFACES)) throw new Error(`unknown surface "${id}" (known: ${SURFACE_IDS.join(', ')}, all)`);
    return SURFACES[id as SurfaceId];
  });
}
