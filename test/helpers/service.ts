import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { configSchema } from '../../config/schema.js';
import type { BootstrapInfo } from '../../storage/meta/bootstrap.js';
import type { MetaStore } from '../../storage/meta/store.js';
import { freePort, waitFor } from './ports.js';
import { startService, type Service } from '../../app/service.js';

/**
 * What server tests share: the whole service in this process, built by the composition root (so every
 * route it registers is there, including ones added later), on a fresh data directory with the embedded
 * bus and every listener on loopback.
 */
export interface TestService {
  service: Service;
  http: FastifyInstance;
  /** The service's own metadata store (usage counters include what it has not flushed). */
  meta: MetaStore;
  dataDir: string;
  bootstrap: BootstrapInfo;
  /** OTLP/HTTP's base URL (its own listener). */
  otlpUrl: string;
  /** A JSON request on the API port. */
  request(method: string, url: string, opts?: { token?: string; apiKey?: string; body?: unknown; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  /** `{token, user}` for a new user; without `org` the user gets an org of their own. */
  signup(email: string, org?: { id: string; token: string }): Promise<{ token: string; user: { id: string; org_ids: string[] } }>;
  close(): Promise<void>;
}

/** `storage`: settings merged into the test's own (its data directory and the embedded bus), e.g. the writer's. */
export async function startTestService(overrides: Record<string, unknown> = {}, storage: Record<string, unknown> = {}): Promise<TestService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'loglake-server-'));
  const otlpPort = await freePort();
  const config = configSchema.parse({
    receivers: {
      goodlogs: {},
      logtrail: {},
      logtrace: {},
      otlp: { http: { host: '127.0.0.1', port: otlpPort }, grpc: { host: '127.0.0.1', port: 0 } },
      logstash: { host: '127.0.0.1', port: 0 },
    },
    http: { host: '127.0.0.1', port: 0 },
    storage: { data_dir: dataDir, bus: { kind: 'embedded' }, writer: { flush_interval_ms: 100 }, ...storage },
    log_level: 'silent',
    ...overrides,
  });
  const service = await startService(config, 'all', pino({ level: 'silent' }));
  const http = service.http!;
  const request: TestService['request'] = (method, url, opts = {}) =>
    http.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.apiKey ? { 'x-api-key': opts.apiKey } : {}),
        ...opts.headers,
      },
      ...(opts.body !== undefined ? { payload: JSON.stringify(opts.body) } : {}),
    });
  return {
    service,
    http,
    meta: service.meta,
    dataDir,
    bootstrap: service.bootstrapInfo!,
    otlpUrl: `http://127.0.0.1:${otlpPort}`,
    request,
    async signup(email, org) {
      const res = await request('POST', '/api/auth/signup', { body: { email, password: 'correct horse battery', ...(org ? { org: org.id } : {}) }, token: org?.token });
      if (res.statusCode !== 201) throw new Error(`signup ${email}: ${res.statusCode} ${res.body}`);
      return res.json();
    },
    async close() {
      await service.stop();
      // The embedded bus may still save a consumer's ack floor on its 50 ms timer after stopping.
      await new Promise((resolve) => setTimeout(resolve, 200));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Until the writer holds none of the project's logs: a query counts a row as soon as the writer holds it
 * (freshness), while compaction merges only what is in files.
 */
export async function logsInFiles(t: TestService, project = t.bootstrap.project_id): Promise<void> {
  const writer = t.service.storage.lake!.writer;
  await waitFor('the logs in files', async () => writer.pending.pending(project, 'logs', null, null).length === 0);
}
