/**
 * A client of each surface, as a sender would call it: HTTP on a keep-alive connection, gRPC on one
 * channel, Logstash as one TCP stream. Every request names itself with an `Idempotency-Key` (HTTP header,
 * gRPC metadata): the bodies repeat, and without a key the body's digest would name the request and the
 * bus store it once. Logstash TCP has no request id, so nothing there is de-duplicated.
 */
import { Agent } from 'node:http';
import { connect as tcpConnect, type Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { LoglakeProcess } from '../test/helpers/loglake.js';
import { post } from './measure.js';
import type { SurfaceId } from './surfaces.js';

export interface Sender {
  /** Resolves true once the surface acknowledged the body as stored; for TCP, once the socket took it. */
  send(body: Buffer, requestKey: string): Promise<boolean>;
  close(): void;
}

/** Whether a surface answers once a body is stored (TCP `json_lines` never answers). */
export const acknowledges = (id: SurfaceId) => id !== 'logstash';

type Keys = ReturnType<LoglakeProcess['bootstrap']>['keys'];

/** The HTTP surfaces: where they listen, how they authenticate and the status of a stored body. */
function httpRoute(id: SurfaceId, p: LoglakeProcess, keys: Keys): { url: URL; headers: Record<string, string>; stored: number } | null {
  const json = 'application/json';
  switch (id) {
    case 'goodlogs-logs': return { url: new URL('/v1/logs', p.url), headers: { 'content-type': json, authorization: `Bearer ${keys.goodlogs_secret}` }, stored: 202 };
    case 'goodlogs-events': return { url: new URL('/v1/events', p.url), headers: { 'content-type': json, authorization: `Bearer ${keys.goodlogs_secret}` }, stored: 202 };
    case 'otlp-http': return { url: new URL(`http://127.0.0.1:${p.env.LOGLAKE_OTLP_HTTP_PORT}/v1/logs`), headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${keys.goodlogs_secret}` }, stored: 200 };
    case 'logtrail': return { url: new URL('/api/v1/workspace/logs/bulk', p.url), headers: { 'content-type': json, 'x-api-key': keys.logtrail_rw }, stored: 201 };
    case 'logtrace': return { url: new URL('/v1/logs/ingest', p.url), headers: { 'content-type': json, authorization: `Bearer ${keys.logtrace}` }, stored: 202 };
    default: return null;
  }
}

function grpcSender(p: LoglakeProcess, keys: Keys): Sender {
  const client = new grpc.Client(`127.0.0.1:${p.env.LOGLAKE_OTLP_GRPC_PORT}`, grpc.credentials.createInsecure());
  return {
    send: (body, requestKey) => new Promise((resolve) => {
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${keys.goodlogs_secret}`);
      metadata.set('idempotency-key', requestKey);
      client.makeUnaryRequest('/opentelemetry.proto.collector.logs.v1.LogsService/Export', (b: Buffer) => b, (b: Buffer) => b, body, metadata, (err) => resolve(!err));
    }),
    close: () => client.close(),
  };
}

/** Writes as fast as the socket drains: TCP backpressure is the only flow control a shipper gets. */
function tcpSender(p: LoglakeProcess): Sender {
  const socket: Socket = tcpConnect(Number(p.env.LOGLAKE_LOGSTASH_PORT), '127.0.0.1');
  const connected = new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return {
    async send(body) {
      await connected;
      if (!socket.write(body)) await new Promise((resolve) => socket.once('drain', resolve));
      return true;
    },
    close: () => socket.end(),
  };
}

/** One client's connection to the surface `id` of `p`. */
export function senderFor(id: SurfaceId, p: LoglakeProcess): Sender {
  const keys = p.bootstrap().keys;
  if (id === 'otlp-grpc') return grpcSender(p, keys);
  if (id === 'logstash') return tcpSender(p);
  const route = httpRoute(id, p, keys)!;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    send: async (body, requestKey) => (await post(agent, route.url, { ...route.headers, 'idempotency-key': requestKey }, body)) === route.stored,
    close: () => agent.destroy(),
  };
}
