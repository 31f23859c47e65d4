/**
 * Each surface's receiver code path, in this process, from the body bytes to the batches it hands the
 * pipeline: the receivers' own functions (item checks and mapping, OTLP's `logsIngest`, Logstash's line
 * splitter, decoder and batcher), called as their routes call them. What only the routes do (HTTP, auth,
 * limits, the reply) is left out: those are the end-to-end run's. The route handlers' few lines of glue
 * (a loop over the items, the batch's context) are restated here, as short as the handlers have them.
 */
import { pino } from 'pino';
import type { Consumer } from '../collector/component.js';
import { goodlogsConfig } from '../collector/receivers/goodlogs/config.js';
import { toEventRecord, toLogRecord as goodlogsRecord } from '../collector/receivers/goodlogs/items.js';
import { Batcher } from '../collector/receivers/logstash/batcher.js';
import { logstashConfig } from '../collector/receivers/logstash/config.js';
import { decodeLine, documentsOf } from '../collector/receivers/logstash/decode.js';
import { LineSplitter } from '../collector/receivers/logstash/framing.js';
import { logtraceConfig } from '../collector/receivers/logtrace/config.js';
import { toLogRecord as logtraceRecord } from '../collector/receivers/logtrace/items.js';
import { logtrailConfig } from '../collector/receivers/logtrail/config.js';
import { checkLog } from '../collector/receivers/logtrail/items.js';
import { otlpConfig } from '../collector/receivers/otlp/config.js';
import { logsIngest, otlpRequestId } from '../collector/receivers/otlp/ingest.js';
import { decodeProtobuf } from '../collector/receivers/otlp/proto.js';
import type { Batch, EventRecord, LogRecord } from '../core/records.js';
import { ingestRequestId, bodyDigest } from '../server/idempotency.js';
import { allowsEnvironment, defaultEnvironment } from '../server/key-grants.js';
import { toLogEntry } from '../server/logtrail.js';
import type { ApiKey } from '../storage/meta/store.js';
import type { SurfaceId } from './surfaces.js';

export interface ReceiverPath {
  /** Only the body's parsing: JSON.parse, protobuf decoding, line splitting and each line's JSON.parse. */
  parse(body: Buffer): unknown;
  /** Parsing, validation and mapping into records, handed to `next` as the route hands them on. */
  accept(body: Buffer, next: Consumer): Promise<void>;
}

const PROJECT = 'default';
/** A key of every scope and environment: its checks run as they do for a sender's key. */
const KEY: ApiKey = {
  id: 'bench-key', org_id: 'bench', project_id: PROJECT, family: 'goodlogs', kind: 'secret', scopes: ['ingest:write', 'logs:write'], environments: null,
  region: null, name: 'bench', display: 'bench', hash: '', created_at: new Date().toISOString(), last_used_at: null, revoked_at: null, created_by: null,
} as ApiKey;
const REMOTE = '127.0.0.1';
let requests = 0;
/** The headers the end-to-end clients send, each request named by its own key. */
const headers = () => ({ 'content-type': 'application/json', authorization: 'Bearer bench', 'idempotency-key': `stage-${requests++}` });

function goodlogs(table: 'logs' | 'events'): ReceiverPath {
  const config = goodlogsConfig.parse({});
  const convert = table === 'logs' ? goodlogsRecord : toEventRecord;
  const parse = (body: Buffer) => JSON.parse(body.toString('utf8')) as { batch: unknown[] };
  return {
    parse,
    async accept(body, next) {
      const { batch } = parse(body);
      const now = new Date().toISOString();
      const itemConfig = { ...config, default_environment: defaultEnvironment(KEY, config.default_environment) as typeof config.default_environment };
      const records: (LogRecord | EventRecord)[] = [];
      for (const item of batch) {
        const result = convert(item, KEY.project_id, now, itemConfig);
        if (result.ok && allowsEnvironment(KEY, result.record.environment)) records.push(result.record);
      }
      const h = headers();
      const requestId = ingestRequestId(`goodlogs\0${table}\0${KEY.id}`, h, undefined);
      await next.consume({ table, projectId: PROJECT, records, context: { receiver: 'goodlogs', remoteAddress: REMOTE, headers: h, requestId } } as Batch);
    },
  };
}

/** HTTP and gRPC decode the same protobuf, digest it and call the same `logsIngest`. */
function otlp(): ReceiverPath {
  const config = otlpConfig.parse({});
  const logger = pino({ level: 'silent' });
  return {
    parse: decodeProtobuf,
    async accept(body, next) {
      const request = decodeProtobuf(body);
      const target = { projectId: PROJECT, key: KEY };
      const h = headers();
      await logsIngest(config, next, logger)(request, target, { receiver: 'otlp', remoteAddress: REMOTE, headers: h, requestId: otlpRequestId('otlp', target, h, bodyDigest(body)) });
    },
  };
}

/** What the TCP input does with a socket chunk: lines, each decoded, into the batcher (500 lines a batch). */
function logstash(): ReceiverPath {
  const config = logstashConfig.parse({});
  const routing = { project: config.project, defaultEnvironment: config.default_environment, findKey: () => null };
  const lines = (body: Buffer) => new LineSplitter(config.max_line_bytes, () => undefined).push(body);
  return {
    parse: (body) => lines(body).map(documentsOf),
    async accept(body, next) {
      const batcher = new Batcher({
        size: config.batch_size, waitMs: config.batch_wait_ms, receiver: 'logstash', consume: (batch) => next.consume(batch),
        delivered: () => undefined, refused: () => undefined, lost: () => undefined,
      });
      const now = new Date().toISOString();
      for (const line of lines(body)) {
        for (const decoded of decodeLine(line, routing, now)) if (decoded.ok) batcher.add({ record: decoded.record, remoteAddress: REMOTE });
      }
      await batcher.flush(config.shutdown_timeout_ms);
    },
  };
}

/** All or nothing, as the bulk route: every log checked, then each rendered as the 201's LogEntry. */
function logtrail(): ReceiverPath {
  const config = logtrailConfig.parse({});
  const parse = (body: Buffer) => JSON.parse(body.toString('utf8')) as unknown[];
  return {
    parse,
    async accept(body, next) {
      const ctx = { key: KEY, now: new Date().toISOString(), config };
      const checks = parse(body).map((raw, i) => checkLog(raw, i, ctx));
      const records = checks.flatMap((c) => (c.ok ? [c.record] : []));
      // The route renders the 201's entries before handing the records on (Fastify serialises them: not measured here).
      records.map(toLogEntry);
      const h = headers();
      await next.consume({ table: 'logs', projectId: PROJECT, records, context: { receiver: 'logtrail', remoteAddress: REMOTE, headers: h, requestId: ingestRequestId(`logtrail\0logs\0${KEY.id}`, h, undefined) } });
    },
  };
}

function logtrace(): ReceiverPath {
  const config = logtraceConfig.parse({});
  const parse = (body: Buffer) => JSON.parse(body.toString('utf8')) as { logs: unknown[] };
  return {
    parse,
    async accept(body, next) {
      const ctx = { key: KEY, environment: defaultEnvironment(KEY, config.default_environment), now: new Date().toISOString(), config };
      const records: LogRecord[] = [];
      for (const raw of parse(body).logs) {
        const result = logtraceRecord(raw, ctx);
        if (result.ok) records.push(result.record);
      }
      const h = headers();
      await next.consume({ table: 'logs', projectId: PROJECT, records, context: { receiver: 'logtrace', remoteAddress: REMOTE, headers: h, requestId: ingestRequestId(`logtrace\0logs\0${KEY.id}`, h, undefined) } });
    },
  };
}

export function receiverPath(id: SurfaceId): ReceiverPath {
  switch (id) {
    case 'goodlogs-logs': return goodlogs('logs');
    case 'goodlogs-events': return goodlogs('events');
    case 'otlp-http':
    case 'otlp-grpc': return otlp();
    case 'logstash': return logstash();
    case 'logtrail': return logtrail();
    case 'logtrace': return logtrace();
  }
}
