import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Table } from '../core/records.js';
import type { KeyFamily, NewKey } from '../storage/meta/store.js';
import { monthWindow } from '../server/limits/windows.js';
import { startTestService, type TestService } from './helpers/service.js';

/**
 * Tenancy, route by route: no request reads or writes where its credentials do not reach, and no answer
 * leaks another tenant's data or any secret.
 *
 * Two tenants: A (alice, org and project "Alpha …", holding data) and B (bob, "Bravo …"). For every route
 * in ROUTES, A's own credentials must succeed (so the refusals below are about credentials, not a bad
 * request), and each of these must be refused with the route's surface's status and code:
 *   key routes:     no key; an unknown key; A's revoked key; A's session token used as a key; A's public
 *                   key on a route that takes secret keys only; A's key without the route's scope; for
 *                   routes that write, A's key held to `staging` writing to `production`.
 *   session routes: no token; a forged token; an expired token; an API key; a non-member's token; a
 *                   project of another org under A's org; A's project under a non-member's own org.
 * B's key must reach B only: on a path naming A's project it is refused; on B's own path (or a route
 * whose project is the key's) its writes count against B's usage and never A's, and its answers never
 * hold A's data. No answer in any case holds A's names, A's data, a key's secret or hash, or a password hash.
 *
 * To put a new route under these checks, add one line to ROUTES:
 *   { method, path, surface, key: { family, scope, public? } | session: true (or both), body?, writes?, reads?, ok }
 * `path` may use `:org`, `:project` (A's), `:key` (a key of A's, for key-management routes), `:log` (A's log) and
 * `:alert`, `:view`, `:page` and `:incident` (a new alert rule, saved view, status page, or incident on that page, of A's for each
 * request, so that deleting it leaves the next request one); `body`
 * gets the environment to write to; `writes` names the table a route writes (its environment is then
 * checked against the key's); `reads` marks routes that answer with stored records (a key held to
 * `staging` must not read A's `production` data); `ok` is the status A's own request gets, `hidden` what a key that
 * may not see A's log gets where that is not `ok`. A new surface also adds an entry
 * to SURFACES: how its requests are sent and how it words each refusal.
 */

type Refusal = 'missing' | 'invalid' | 'public' | 'scope' | 'environment' | 'member' | 'project';

interface Surface {
  /** Where requests go: the API port or OTLP/HTTP's own listener. */
  listener: 'api' | 'otlp';
  /** How a key is presented. */
  header: 'bearer' | 'x-api-key';
  code(body: any): string | undefined;
  refusals: Partial<Record<Refusal, [number, string]>>;
}

const SURFACES: Record<string, Surface> = {
  goodlogs: {
    listener: 'api', header: 'bearer', code: (b) => b?.error?.code,
    refusals: { missing: [401, 'UNAUTHORIZED'], invalid: [401, 'UNAUTHORIZED'], public: [403, 'FORBIDDEN'], scope: [403, 'FORBIDDEN'], environment: [403, 'FORBIDDEN'] },
  },
  logtrail: {
    listener: 'api', header: 'x-api-key', code: (b) => b?.error_code,
    refusals: {
      missing: [401, 'AUTH_MISSING_API_KEY'], invalid: [401, 'AUTH_INVALID_API_KEY'], public: [401, 'AUTH_INVALID_API_KEY'],
      scope: [403, 'AUTH_API_KEY_SCOPE_MISMATCH'], environment: [400, 'VALIDATION_INVALID_ENVIRONMENT'],
    },
  },
  logtrace: {
    listener: 'api', header: 'bearer', code: (b) => b?.error?.code,
    refusals: { missing: [401, 'UNAUTHORIZED'], invalid: [401, 'UNAUTHORIZED'], public: [401, 'UNAUTHORIZED'], scope: [403, 'FORBIDDEN'], environment: [403, 'FORBIDDEN'] },
  },
  // google.rpc.Status codes; a record outside the key's environments is rejected in a partial success.
  otlp: {
    listener: 'otlp', header: 'bearer', code: (b) => (b?.partialSuccess?.rejectedLogRecords ? 'REJECTED' : ({ 7: 'PERMISSION_DENIED', 16: 'UNAUTHENTICATED' } as Record<number, string>)[b?.code]),
    refusals: { missing: [401, 'UNAUTHENTICATED'], invalid: [401, 'UNAUTHENTICATED'], public: [403, 'PERMISSION_DENIED'], scope: [403, 'PERMISSION_DENIED'], environment: [200, 'REJECTED'] },
  },
  posthog: {
    listener: 'api', header: 'bearer', code: (b) => b?.error?.code,
    refusals: { missing: [401, 'UNAUTHORIZED'], invalid: [401, 'UNAUTHORIZED'], public: [401, 'UNAUTHORIZED'], scope: [403, 'FORBIDDEN'], project: [403, 'FORBIDDEN'], member: [403, 'FORBIDDEN'] },
  },
  dashboard: {
    listener: 'api', header: 'bearer', code: (b) => b?.error?.code,
    refusals: { missing: [401, 'UNAUTHORIZED'], invalid: [401, 'UNAUTHORIZED'], member: [403, 'FORBIDDEN'], project: [404, 'NOT_FOUND'] },
  },
};

interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  surface: keyof typeof SURFACES;
  key?: { family: KeyFamily; scope: string; public?: boolean };
  session?: true;
  body?: (environment: string) => unknown;
  writes?: Table;
  reads?: true;
  ok: number;
  /** The status a credential that may not see A's records gets, when it is not `ok` (a read by id: 404). */
  hidden?: number;
}

const clientTimestamp = new Date().toISOString();
const logtrailLog = (environment: string) => ({ action: 'probe', level: 'info', clientTimestamp, environment });
const otlpLogs = (environment: string) => ({
  resourceLogs: [{ resource: { attributes: [{ key: 'deployment.environment', value: { stringValue: environment } }] }, scopeLogs: [{ logRecords: [{ body: { stringValue: 'probe' } }] }] }],
});

/** Slugs are global: each page made through the table gets its own. */
let probePages = 0;
const probePage = () => ({ slug: `probe-${++probePages}`, title: 'Probe status', components: [{ name: 'API' }] });

const ROUTES: Route[] = [
  { method: 'POST', path: '/v1/logs', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'ingest:write' }, body: (environment) => ({ batch: [{ severity: 'info', message: 'probe', environment }] }), writes: 'logs', ok: 202 },
  { method: 'POST', path: '/v1/events', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'ingest:write', public: true }, body: (environment) => ({ batch: [{ event: 'probe', environment }] }), writes: 'events', ok: 202 },
  // `loglake import`'s routes (not metered: no `writes`; their environment refusal is checked in collector/import/plugin.test.ts).
  { method: 'POST', path: `/v1/imports/${'a'.repeat(64)}/batches`, surface: 'goodlogs', key: { family: 'goodlogs', scope: 'ingest:write' }, body: (environment) => ({ table: 'logs', batches: 1, index: 0, records: [{ id: randomUUID(), timestamp: clientTimestamp, severity: 'info', message: 'probe', environment }] }), ok: 200 },
  { method: 'GET', path: `/v1/imports/${'b'.repeat(64)}?table=logs`, surface: 'goodlogs', key: { family: 'goodlogs', scope: 'ingest:write' }, ok: 404 },
  { method: 'GET', path: '/v1/info', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'data:read' }, ok: 200 },
  { method: 'POST', path: '/v1/gql/query', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'data:read' }, body: () => ({ q: 'severity:info last:7d' }), reads: true, ok: 200 },
  { method: 'POST', path: '/v1/gql', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'data:read' }, body: () => ({ queries: ['severity:info last:7d', 'count | last 7d'] }), reads: true, ok: 200 },
  { method: 'POST', path: '/v1/gql/nl', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'data:read' }, body: () => ({ prompt: 'errors in the last hour' }), reads: true, ok: 200 },
  { method: 'POST', path: '/v1/ai/chat', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'ai:chat' }, body: () => ({ message: 'info logs', session_id: 'probe' }), reads: true, ok: 200 },
  { method: 'POST', path: '/v1/ai/chat/stream', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'ai:chat' }, body: () => ({ message: 'info logs', session_id: 'probe' }), reads: true, ok: 200 },
  { method: 'GET', path: '/v1/schema', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'data:read' }, ok: 200 },
  { method: 'GET', path: '/v1/gql/autocomplete?q=service%3A', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'data:read' }, ok: 200 },
  { method: 'GET', path: '/v1/patterns', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'data:read' }, reads: true, ok: 200 },
  { method: 'GET', path: '/v1/alerts', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'alerts:read' }, ok: 200 },
  { method: 'POST', path: '/v1/replay/sessions', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'ingest:write' }, body: () => ({ session_id: 'probe-session' }), ok: 201 },
  { method: 'GET', path: '/v1/replay/sessions', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'data:read' }, ok: 200 },
  { method: 'GET', path: '/v1/profiles/chunks', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'data:read' }, ok: 200 },
  { method: 'POST', path: '/v1/alerts', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'alerts:write' }, body: () => ({ name: 'probe rule', query: 'severity:error', threshold: 1 }), ok: 201 },
  { method: 'PUT', path: '/v1/alerts/:alert', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'alerts:write' }, body: () => ({ threshold: 2 }), ok: 200, hidden: 404 },
  { method: 'DELETE', path: '/v1/alerts/:alert', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'alerts:write' }, ok: 200, hidden: 404 },
  { method: 'GET', path: '/v1/status-pages', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'alerts:read' }, ok: 200 },
  { method: 'POST', path: '/v1/status-pages', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'alerts:write' }, body: probePage, ok: 201 },
  { method: 'GET', path: '/v1/status-pages/:page', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'alerts:read' }, ok: 200, hidden: 404 },
  { method: 'PATCH', path: '/v1/status-pages/:page', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'alerts:write' }, body: () => ({ title: 'Probe status' }), ok: 200, hidden: 404 },
  { method: 'DELETE', path: '/v1/status-pages/:page', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'alerts:write' }, ok: 200, hidden: 404 },
  { method: 'GET', path: '/v1/status-pages/:page/incidents', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'alerts:read' }, ok: 200, hidden: 404 },
  { method: 'POST', path: '/v1/status-pages/:page/incidents', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'alerts:write' }, body: () => ({ title: 'Probe incident' }), ok: 201, hidden: 404 },
  { method: 'PATCH', path: '/v1/status-pages/:page/incidents/:incident', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'alerts:write' }, body: () => ({ status: 'resolved' }), ok: 200, hidden: 404 },
  { method: 'DELETE', path: '/v1/status-pages/:page/incidents/:incident', surface: 'goodlogs', key: { family: 'goodlogs', scope: 'alerts:write' }, ok: 200, hidden: 404 },
  { method: 'POST', path: '/api/v1/workspace/logs', surface: 'logtrail', key: { family: 'logtrail', scope: 'logs:write' }, body: logtrailLog, writes: 'logs', ok: 201 },
  { method: 'POST', path: '/api/v1/workspace/logs/bulk', surface: 'logtrail', key: { family: 'logtrail', scope: 'logs:write' }, body: (environment) => [logtrailLog(environment)], writes: 'logs', ok: 201 },
  { method: 'POST', path: '/api/v1/workspace/logs/validate', surface: 'logtrail', key: { family: 'logtrail', scope: 'logs:write' }, body: logtrailLog, ok: 200 },
  { method: 'GET', path: '/api/v1/workspace/info', surface: 'logtrail', key: { family: 'logtrail', scope: 'logs:read' }, ok: 200 },
  { method: 'GET', path: '/api/v1/workspace/usage', surface: 'logtrail', key: { family: 'logtrail', scope: 'logs:read' }, ok: 200 },
  { method: 'GET', path: '/api/v1/workspace/logs?pageSize=10', surface: 'logtrail', key: { family: 'logtrail', scope: 'logs:read' }, reads: true, ok: 200 },
  { method: 'POST', path: '/api/v1/workspace/logs/query', surface: 'logtrail', key: { family: 'logtrail', scope: 'logs:read' }, body: () => ({ query: 'level=info', from: '-7d' }), reads: true, ok: 200 },
  { method: 'GET', path: '/api/v1/workspace/logs/:log', surface: 'logtrail', key: { family: 'logtrail', scope: 'logs:read' }, reads: true, ok: 200, hidden: 404 },
  { method: 'POST', path: '/v1/logs/ingest', surface: 'logtrace', key: { family: 'logtrace', scope: 'logs:write' }, body: (environment) => ({ environment, logs: [{ level: 'INFO', message: 'probe' }] }), writes: 'logs', ok: 202 },
  { method: 'POST', path: '/v1/logs/query', surface: 'logtrace', key: { family: 'logtrace', scope: 'logs:read' }, body: () => ({ filter: 'level:info', from: '-7d' }), reads: true, ok: 200 },
  { method: 'POST', path: '/api/projects/:project/logs/query', surface: 'posthog', key: { family: 'posthog', scope: 'logs:read' }, body: () => ({ query: {} }), reads: true, ok: 200 },
  { method: 'POST', path: '/api/environments/:project/logs/explainLogWithAI/', surface: 'posthog', key: { family: 'posthog', scope: 'logs:write' }, body: () => ({ uuid: ALPHA_LOG }), ok: 201, hidden: 404 },
  { method: 'POST', path: '/api/projects/:project/logs/export', surface: 'posthog', key: { family: 'posthog', scope: 'logs:read' }, body: () => ({ query: {} }), reads: true, ok: 201 },
  { method: 'POST', path: '/api/projects/:project/logs/count-ranges', surface: 'posthog', key: { family: 'posthog', scope: 'logs:read' }, body: () => ({}), ok: 200 },
  { method: 'POST', path: '/api/projects/:project/logs/sparkline', surface: 'posthog', key: { family: 'posthog', scope: 'logs:read' }, body: () => ({}), ok: 200 },
  { method: 'POST', path: '/api/projects/:project/logs/services', surface: 'posthog', key: { family: 'posthog', scope: 'logs:read' }, body: () => ({}), ok: 200 },
  { method: 'POST', path: '/api/projects/:project/logs/patterns', surface: 'posthog', key: { family: 'posthog', scope: 'logs:read' }, body: () => ({ query: { dateRange: { date_from: '-7d' } } }), reads: true, ok: 200 },
  { method: 'GET', path: '/api/projects/:project/logs/values?key=AlphaField', surface: 'posthog', key: { family: 'posthog', scope: 'logs:read' }, ok: 200 },
  { method: 'GET', path: '/api/projects/:project/logs/has_logs', surface: 'posthog', key: { family: 'posthog', scope: 'logs:read' }, ok: 200 },
  { method: 'GET', path: '/api/projects/:project/logs/alerts', surface: 'posthog', key: { family: 'posthog', scope: 'logs:read' }, ok: 200 },
  { method: 'POST', path: '/api/projects/:project/logs/alerts', surface: 'posthog', key: { family: 'posthog', scope: 'logs:write' }, body: () => ({ name: 'probe rule', threshold_count: 1 }), ok: 201 },
  { method: 'GET', path: '/api/projects/:project/logs/alerts/:alert', surface: 'posthog', key: { family: 'posthog', scope: 'logs:read' }, ok: 200, hidden: 404 },
  { method: 'PATCH', path: '/api/projects/:project/logs/alerts/:alert', surface: 'posthog', key: { family: 'posthog', scope: 'logs:write' }, body: () => ({ threshold_count: 2 }), ok: 200, hidden: 404 },
  { method: 'PUT', path: '/api/projects/:project/logs/alerts/:alert', surface: 'posthog', key: { family: 'posthog', scope: 'logs:write' }, body: () => ({ name: 'probe rule', threshold_count: 2 }), ok: 200, hidden: 404 },
  { method: 'DELETE', path: '/api/projects/:project/logs/alerts/:alert', surface: 'posthog', key: { family: 'posthog', scope: 'logs:write' }, ok: 204, hidden: 404 },
  { method: 'GET', path: '/api/environments/:project/logs/has_logs', surface: 'posthog', key: { family: 'posthog', scope: 'logs:read' }, ok: 200 },
  { method: 'GET', path: '/api/environments/:project/logs/alerts/', surface: 'posthog', key: { family: 'posthog', scope: 'logs:read' }, ok: 200 },
  { method: 'GET', path: '/api/environments/:project/logs/views/', surface: 'posthog', key: { family: 'posthog', scope: 'logs:read' }, session: true, ok: 200 },
  { method: 'POST', path: '/api/environments/:project/logs/views/', surface: 'posthog', key: { family: 'posthog', scope: 'logs:write' }, session: true, body: () => ({ name: 'probe view', filters: { severityLevels: ['error'] } }), ok: 201 },
  { method: 'GET', path: '/api/environments/:project/logs/views/:view/', surface: 'posthog', key: { family: 'posthog', scope: 'logs:read' }, session: true, ok: 200, hidden: 404 },
  { method: 'PATCH', path: '/api/environments/:project/logs/views/:view/', surface: 'posthog', key: { family: 'posthog', scope: 'logs:write' }, session: true, body: () => ({ pinned: true }), ok: 200, hidden: 404 },
  { method: 'DELETE', path: '/api/environments/:project/logs/views/:view/', surface: 'posthog', key: { family: 'posthog', scope: 'logs:write' }, session: true, ok: 204, hidden: 404 },
  { method: 'POST', path: '/v1/logs', surface: 'otlp', key: { family: 'logtrail', scope: 'logs:write' }, body: otlpLogs, writes: 'logs', ok: 200 },
  { method: 'POST', path: '/api/orgs/:org/projects', surface: 'dashboard', session: true, body: () => ({ name: 'probe' }), ok: 201 },
  { method: 'GET', path: '/api/orgs/:org/projects', surface: 'dashboard', session: true, ok: 200 },
  { method: 'GET', path: '/api/orgs/:org/members', surface: 'dashboard', session: true, ok: 200 },
  { method: 'POST', path: '/api/orgs/:org/projects/:project/keys', surface: 'dashboard', session: true, body: () => ({ format: 'goodlogs', kind: 'secret' }), ok: 201 },
  { method: 'GET', path: '/api/orgs/:org/projects/:project/keys', surface: 'dashboard', session: true, ok: 200 },
  { method: 'DELETE', path: '/api/orgs/:org/projects/:project/keys/:key', surface: 'dashboard', session: true, ok: 200 },
  { method: 'GET', path: '/api/orgs/:org/projects/:project/schema', surface: 'dashboard', session: true, ok: 200 },
  { method: 'GET', path: '/api/orgs/:org/projects/:project/gql?q=count%20by%20message', surface: 'dashboard', session: true, ok: 200 },
  { method: 'GET', path: '/api/orgs/:org/projects/:project/gql/autocomplete?q=service%3A', surface: 'dashboard', session: true, ok: 200 },
  { method: 'POST', path: '/api/orgs/:org/projects/:project/gql/nl', surface: 'dashboard', session: true, body: () => ({ prompt: 'count by service' }), ok: 200 },
  { method: 'GET', path: '/api/orgs/:org/projects/:project/status-pages', surface: 'dashboard', session: true, ok: 200 },
  { method: 'POST', path: '/api/orgs/:org/projects/:project/status-pages', surface: 'dashboard', session: true, body: probePage, ok: 201 },
  { method: 'PATCH', path: '/api/orgs/:org/projects/:project/status-pages/:page', surface: 'dashboard', session: true, body: () => ({ title: 'Probe status' }), ok: 200 },
  { method: 'POST', path: '/api/orgs/:org/projects/:project/status-pages/:page/incidents', surface: 'dashboard', session: true, body: () => ({ title: 'Probe incident' }), ok: 201 },
  { method: 'DELETE', path: '/api/orgs/:org/projects/:project/status-pages/:page/incidents/:incident', surface: 'dashboard', session: true, ok: 200 },
];

// A member's session token reaches every PostHog-style route, as PostHog's own app calls them (server/posthog-session.ts).
for (const route of ROUTES) if (route.surface === 'posthog') route.session = true;

/** Every scope a key of each family may hold, and what a key lacking one holds instead. */
const ALL_SCOPES: Record<KeyFamily, string[]> = {
  goodlogs: ['data:read', 'alerts:read', 'alerts:write', 'ingest:write', 'ai:chat'],
  logtrail: ['logs:read', 'logs:write'],
  logtrace: ['logs:read', 'logs:write'],
  posthog: ['logs:read', 'logs:write'],
};
const LACKING: Record<string, string[]> = {
  'ingest:write': ['data:read'], 'data:read': ['ingest:write'], 'logs:write': ['logs:read'], 'logs:read': ['logs:write'],
  'alerts:read': ['alerts:write'], 'alerts:write': ['alerts:read'], 'ai:chat': ['data:read'],
};

interface Tenant {
  org: string;
  project: string;
  token: string;
}

let t: TestService;
let A: Tenant;
let B: Tenant;
/** A key of A's that key-management routes may revoke. */
let spareKey: string;
/** A's one log, by id. */
const ALPHA_LOG = '0b5c1f7e-3a2d-4c6b-9e8f-a1b2c3d4e5f6';
const secrets: string[] = [];

async function key(tenant: Tenant, family: KeyFamily, opts: Partial<Pick<NewKey, 'kind' | 'scopes' | 'environments'>> & { revoked?: boolean } = {}): Promise<string> {
  const { key: created, secret } = await t.meta.createKey({
    org_id: tenant.org, project_id: tenant.project, family, kind: opts.kind ?? 'secret', scopes: opts.scopes ?? ALL_SCOPES[family],
    environments: opts.environments ?? null, region: 'eu', name: tenant === A ? 'Alpha key' : 'Bravo key',
  });
  if (opts.revoked) await t.meta.revokeKey(tenant.project, created.id);
  secrets.push(secret);
  return secret;
}

async function tenant(email: string, project: string): Promise<Tenant> {
  const { token, user } = await t.signup(email);
  const org = user.org_ids[0];
  const created = await t.request('POST', `/api/orgs/${org}/projects`, { token, body: { name: project } });
  return { org, project: created.json().id, token };
}

interface Answer {
  status: number;
  text: string;
  json: any;
}

let viewWriter: string | undefined;
async function alphaView(): Promise<string> {
  viewWriter ??= await key(A, 'posthog');
  const res = await t.request('POST', `/api/environments/${A.project}/logs/views/`, { token: viewWriter, body: { name: 'probe view' } });
  return res.json().short_id;
}

let alertWriter: string | undefined;
async function alphaAlert(): Promise<string> {
  alertWriter ??= await key(A, 'goodlogs');
  const res = await t.request('POST', '/v1/alerts', { token: alertWriter, body: { name: 'probe rule', query: 'severity:info', threshold: 1 } });
  return res.json().id;
}

let pageWriter: string | undefined;
async function alphaPage(): Promise<string> {
  pageWriter ??= await key(A, 'goodlogs');
  const res = await t.request('POST', '/v1/status-pages', { token: pageWriter, body: probePage() });
  return res.json().slug;
}

async function alphaIncident(page: string): Promise<string> {
  const res = await t.request('POST', `/v1/status-pages/${page}/incidents`, { token: pageWriter, body: { title: 'Probe incident' } });
  return res.json().id;
}

async function send(route: Route, opts: { key?: string; token?: string; environment?: string; org?: string; project?: string } = {}): Promise<Answer> {
  const surface = SURFACES[route.surface];
  let path = route.path.replace(':org', opts.org ?? A.org).replace(':project', opts.project ?? A.project).replace(':key', spareKey).replace(':log', ALPHA_LOG);
  if (path.includes(':alert')) path = path.replace(':alert', await alphaAlert());
  if (path.includes(':view')) path = path.replace(':view', await alphaView());
  if (path.includes(':page')) {
    const page = await alphaPage();
    path = path.replace(':page', page);
    if (path.includes(':incident')) path = path.replace(':incident', await alphaIncident(page));
  }
  const credential = opts.key ?? opts.token;
  const headers: Record<string, string> = {};
  if (credential) {
    if (surface.header === 'x-api-key') headers['x-api-key'] = credential;
    else headers.authorization = `Bearer ${credential}`;
  }
  const body = route.body?.(opts.environment ?? 'production');
  if (body !== undefined) headers['content-type'] = 'application/json';
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (surface.listener === 'otlp') {
    const res = await fetch(`${t.otlpUrl}${path}`, { method: route.method, headers, body: payload });
    const text = await res.text();
    return { status: res.status, text, json: parsed(text) };
  }
  const res = await t.http.inject({ method: route.method, url: path, headers, payload });
  return { status: res.statusCode, text: res.body, json: parsed(res.body) };
}

/** Answers are JSON but for exports (NDJSON, CSV). */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Nothing of A's (names, emails, data, secrets) and no secret of anyone's. */
function expectNoLeak(answer: Answer): void {
  for (const text of ['Alpha', 'alice', ...secrets]) expect(answer.text, `answer holds "${text}"`).not.toContain(text);
  for (const k of t.meta.listProjects().flatMap((p) => t.meta.listKeys(p.id))) expect(answer.text).not.toContain(k.hash);
  expect(answer.text).not.toMatch(/password|scrypt\$/);
}

function expectRefused(route: Route, answer: Answer, refusal: Refusal): void {
  const expected = SURFACES[route.surface].refusals[refusal];
  if (!expected) throw new Error(`SURFACES.${route.surface} has no ${refusal} refusal`);
  expect([answer.status, SURFACES[route.surface].code(answer.json)], answer.text).toEqual(expected);
  expectNoLeak(answer);
}

beforeAll(async () => {
  t = await startTestService();
  A = await tenant('alice@example.com', 'Alpha Secret Project');
  B = await tenant('bob@example.com', 'Bravo Project');
  await t.meta.createProject(A.org, 'Alpha Other Project', 'unlimited', 'alpha-other');
  spareKey = t.meta.findKey(await key(A, 'goodlogs'))!.id;
  // A's data, queryable before any check runs, so that reading routes have something to leak.
  const write = await t.request('POST', '/v1/logs', { token: await key(A, 'goodlogs'), body: { batch: [{ id: ALPHA_LOG, severity: 'info', message: 'Alpha payload', properties: { AlphaField: 1 } }] } });
  expect(write.statusCode).toBe(202);
  const probe = await key(A, 'goodlogs');
  for (let i = 0; ; i++) {
    const found = await t.request('POST', '/v1/gql/query', { token: probe, body: { q: 'severity:info last:7d' } });
    const schema = await t.request('GET', '/v1/schema', { token: probe });
    if (found.body.includes('Alpha payload') && schema.body.includes('AlphaField')) break;
    if (i > 100) throw new Error(`A's data never became queryable: ${found.body} ${schema.body}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});
afterAll(() => t.close());

const keyRoutes = ROUTES.filter((r) => r.key);
const sessionRoutes = ROUTES.filter((r) => r.session);
const label = (r: Route) => `${r.surface} ${r.method} ${r.path}`;

describe.each(keyRoutes.map((r) => [label(r), r] as const))('%s', (_name, route) => {
  const { family, scope } = route.key!;

  it('answers A’s own key', async () => {
    expect((await send(route, { key: await key(A, family) })).status).toBe(route.ok);
  });

  it('refuses no key, an unknown key, a revoked key and a session token', async () => {
    expectRefused(route, await send(route), 'missing');
    expectRefused(route, await send(route, { key: `${(await key(A, family)).slice(0, -8)}00000000` }), 'invalid');
    expectRefused(route, await send(route, { key: await key(A, family, { revoked: true }) }), 'invalid');
    // Routes that also take session tokens (`session` too) are checked for them below.
    if (!route.session) expectRefused(route, await send(route, { key: A.token }), 'invalid');
  });

  if (!route.key!.public) {
    it('refuses a public key', async () => {
      expectRefused(route, await send(route, { key: await key(A, 'goodlogs', { kind: 'public', scopes: ['ingest:write'] }) }), 'public');
    });
  }

  it(`refuses a key without ${scope}`, async () => {
    expectRefused(route, await send(route, { key: await key(A, family, { scopes: LACKING[scope] }) }), 'scope');
  });

  if (route.reads) {
    it('shows a key held to staging none of A’s production data', async () => {
      const answer = await send(route, { key: await key(A, family, { environments: ['staging'] }) });
      expect(answer.status, answer.text).toBe(route.hidden ?? route.ok);
      expect(answer.text).not.toContain('Alpha payload');
    });
  }

  const table = route.writes;
  if (table) {
    it('refuses a key held to staging writing to production', async () => {
      const before = t.meta.getUsage(A.project, table, monthWindow(new Date()).key);
      expectRefused(route, await send(route, { key: await key(A, family, { environments: ['staging'] }), environment: 'production' }), 'environment');
      expect(t.meta.getUsage(A.project, table, monthWindow(new Date()).key)).toBe(before);
    });
  }

  it('takes another project’s key to that project only', async () => {
    const month = monthWindow(new Date()).key;
    const usage = (tenant: Tenant) => (route.writes ? t.meta.getUsage(tenant.project, route.writes, month) : 0);
    const [a, b] = [usage(A), usage(B)];
    const bKey = await key(B, family);
    if (route.path.includes(':project')) expectRefused(route, await send(route, { key: bKey }), 'project');
    const answer = await send(route, { key: bKey, org: B.org, project: B.project });
    expect(answer.status, answer.text).toBe(route.hidden ?? route.ok);
    expectNoLeak(answer);
    expect(usage(A)).toBe(a);
    if (route.writes) expect(usage(B)).toBeGreaterThan(b);
  });
});

describe.each(sessionRoutes.map((r) => [label(r), r] as const))('%s', (_name, route) => {
  const forged = () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(t.meta.findUserByEmail('alice@example.com')!.id).setIssuer('loglake').setAudience('loglake-dashboard').setExpirationTime('1h');

  it('answers a member of A’s org', async () => {
    expect((await send(route, { token: A.token })).status).toBe(route.ok);
  });

  it('refuses no token, a forged token, an expired token and an API key', async () => {
    expectRefused(route, await send(route), 'missing');
    expectRefused(route, await send(route, { token: await forged().sign(new TextEncoder().encode('not the server secret at all!!')) }), 'invalid');
    const secret = Buffer.from(readFileSync(join(t.dataDir, 'jwt-secret'), 'utf8'), 'base64url');
    expectRefused(route, await send(route, { token: await forged().setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(secret) }), 'invalid');
    expectRefused(route, await send(route, { token: await key(A, 'goodlogs') }), 'invalid');
  });

  it('refuses a non-member of the org', async () => {
    expectRefused(route, await send(route, { token: B.token }), 'member');
  });

  if (route.path.includes(':project')) {
    it('refuses a project of another org, under A’s org or under the caller’s own', async () => {
      expectRefused(route, await send(route, { token: A.token, project: B.project }), 'project');
      expectRefused(route, await send(route, { token: B.token, org: B.org }), 'project');
    });
  }
});
