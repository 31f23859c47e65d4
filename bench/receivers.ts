/**
 * `npm run bench:receivers`: records/s through each other ingest surface, beside the GoodLogs HTTP figure of
 * `npm run bench`: OTLP/HTTP protobuf, OTLP/gRPC and Logstash TCP (json_lines). Each runs alone for
 * `--seconds` against a fresh process; "accepted" counts what the protocol acknowledged, "end to end" is
 * until every record is in Parquet.
 *
 *   npm run bench:receivers -- [--seconds 20] [--clients 8] [--surface otlp-http|otlp-grpc|logstash] [--cpu-prof DIR]
 *
 * `--surface` runs one surface only; `--cpu-prof DIR` writes each started process's CPU profile into DIR.
 */
import { connect as tcpConnect } from 'node:net';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import type protobuf from 'protobufjs';
import { startLoglake, type LoglakeProcess } from '../test/helpers/loglake.js';
import { lakeRowCount } from '../test/helpers/lake.js';
import { cpuSeconds, profileEnv } from './process.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '20' }, clients: { type: 'string', default: '8' }, surface: { type: 'string' }, 'cpu-prof': { type: 'string' } },
});
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
const BATCH = 500;
const v1 = (generated as unknown as { opentelemetry: { proto: { collector: { logs: { v1: Record<string, protobuf.Type> } } } } }).opentelemetry.proto.collector.logs.v1;

/** One OTLP request of 500 records, like an SDK's batch processor sends. */
function otlpRequest(b: number): Buffer {
  const now = BigInt(Date.now()) * 1_000_000n;
  const logRecords = Array.from({ length: BATCH }, (_, i) => ({
    timeUnixNano: String(now + BigInt(i)),
    severityNumber: i % 10 === 0 ? 17 : 9,
    severityText: i % 10 === 0 ? 'ERROR' : 'INFO',
    body: { stringValue: `request ${b * BATCH + i} handled in ${i % 997} ms` },
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

interface Figures { surface: string; accepted_records_per_s: number; end_to_end_records_per_s: number; cpu_s_per_million_records: number; failures: number }

async function untilInLake(p: LoglakeProcess, expected: number, started: number): Promise<number> {
  const { project_id } = p.bootstrap();
  for (;;) {
    const rows = await lakeRowCount(p.dataDir, project_id, 'logs');
    if (rows >= expected) return Math.round(rows / ((Date.now() - started) / 1000));
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function drive(surface: string, send: (p: LoglakeProcess, client: number, deadline: number) => Promise<{ records: number; failures: number }>): Promise<Figures> {
  const p = await startLoglake({ env: profileEnv(values['cpu-prof']) });
  process.on('exit', () => p.proc.kill('SIGKILL'));
  const cpuAtStart = cpuSeconds(p.proc.pid!);
  const started = Date.now();
  const deadline = started + SECONDS * 1000;
  const results = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => send(p, c, deadline)));
  const records = results.reduce((n, r) => n + r.records, 0);
  const accepted = Math.round(records / ((Date.now() - started) / 1000));
  const endToEnd = await untilInLake(p, records, started);
  const cpu = cpuSeconds(p.proc.pid!) - cpuAtStart;
  await p.kill('SIGTERM');
  return { surface, accepted_records_per_s: accepted, end_to_end_records_per_s: endToEnd, cpu_s_per_million_records: +((cpu / records) * 1e6).toFixed(1), failures: results.reduce((n, r) => n + r.failures, 0) };
}

const bodies = Array.from({ length: 16 }, (_, b) => otlpRequest(b));

const otlpHttp = (p: LoglakeProcess, c: number, deadline: number) => (async () => {
  const { keys } = p.bootstrap();
  let records = 0;
  let failures = 0;
  for (let i = c; Date.now() < deadline; i += CLIENTS) {
    const res = await fetch(`http://127.0.0.1:${p.env.LOGLAKE_OTLP_HTTP_PORT}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${keys.goodlogs_secret}` }, body: new Uint8Array(bodies[i % bodies.length]) });
    await res.arrayBuffer();
    if (res.status === 200) records += BATCH;
    else failures++;
  }
  return { records, failures };
})();

const otlpGrpc = (p: LoglakeProcess, c: number, deadline: number) => (async () => {
  const { keys } = p.bootstrap();
  const client = new grpc.Client(`127.0.0.1:${p.env.LOGLAKE_OTLP_GRPC_PORT}`, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${keys.goodlogs_secret}`);
  let records = 0;
  let failures = 0;
  for (let i = c; Date.now() < deadline; i += CLIENTS) {
    const ok = await new Promise<boolean>((resolve) => {
      client.makeUnaryRequest('/opentelemetry.proto.collector.logs.v1.LogsService/Export', (b: Buffer) => b, (b: Buffer) => b, bodies[i % bodies.length], metadata, (err) => resolve(!err));
    });
    if (ok) records += BATCH;
    else failures++;
  }
  client.close();
  return { records, failures };
})();

/** A shipper's stream: newline-delimited JSON written as fast as the socket drains (TCP backpressure). */
const logstashTcp = (p: LoglakeProcess, c: number, deadline: number) => new Promise<{ records: number; failures: number }>((resolve, reject) => {
  const socket = tcpConnect(Number(p.env.LOGLAKE_LOGSTASH_PORT), '127.0.0.1');
  const chunk = Array.from({ length: BATCH }, (_, i) => JSON.stringify({ '@timestamp': new Date().toISOString(), level: i % 10 === 0 ? 'error' : 'info', message: `request ${c}-${i} handled`, service: `svc-${i % 5}`, fields: { route: `/r/${i % 40}`, duration_ms: i % 997 } })).join('\n') + '\n';
  let records = 0;
  const pump = () => {
    while (Date.now() < deadline) {
      records += BATCH;
      if (!socket.write(chunk)) return socket.once('drain', pump);
    }
    socket.end(() => resolve({ records, failures: 0 }));
  };
  socket.on('connect', pump);
  socket.on('error', reject);
});

const surfaces = { 'otlp-http': ['OTLP/HTTP protobuf', otlpHttp], 'otlp-grpc': ['OTLP/gRPC', otlpGrpc], logstash: ['Logstash TCP json_lines', logstashTcp] } as const;
const figures: Figures[] = [];
for (const [id, [surface, send]] of Object.entries(surfaces)) {
  if (!values.surface || values.surface === id) figures.push(await drive(surface, send));
}
console.table(figures);
