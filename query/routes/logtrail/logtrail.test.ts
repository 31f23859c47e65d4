import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hourWindow } from '../../../server/limits/windows.js';
import { waitFor } from '../../../test/helpers/ports.js';
import { latestFirst, log, startPosthogTest, type LogItem, type PosthogTest } from '../../../test/helpers/posthog.js';

/**
 * The Logtrail query routes through the whole service: `GET /logs` answers what its LCQL equivalent
 * answers, keyset pages neither repeat nor skip while logs arrive, `GET /logs/{id}` finds a log of any
 * age in the key's environments only, and every refusal is in Logtrail's envelope.
 */

const ENVIRONMENTS = ['production', 'staging', 'development'] as const;
const LEVELS = ['info', 'warn', 'error', 'debug'] as const;
const ACTIONS = ['user.login', 'user.login_failed', 'payment.charge'] as const;
const TAGS = [['auth'], ['billing', 'critical'], []];

let p: PosthogTest;
let key: string;
let recent: LogItem[];
let old: LogItem;

type Answer = { status: number; body: any; headers: Record<string, unknown> };

async function lt(method: 'GET' | 'POST', path: string, opts: { body?: unknown; key?: string } = {}): Promise<Answer> {
  const res = await p.t.request(method, `/api/v1/workspace${path}`, { body: opts.body, apiKey: opts.key ?? key });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

const ids = (entries: { id: string }[]) => entries.map((e) => e.id);

beforeAll(async () => {
  p = await startPosthogTest();
  const { org_id, project_id } = p.t.bootstrap;
  key = (await p.t.meta.createKey({ org_id, project_id, family: 'logtrail', kind: 'secret', scopes: ['logs:read', 'logs:write'], environments: null, region: 'eu', name: 'all environments' })).secret;
  recent = Array.from({ length: 60 }, (_, i) => log(p.now, i * 50 + 10, {
    environment: ENVIRONMENTS[i % 3],
    severity: LEVELS[i % 4],
    action: ACTIONS[i % 3],
    message: i % 5 === 0 ? `Connection TIMEOUT to db-${i}` : `request ${i} served`,
    tags: TAGS[i % 3],
    properties: { actor: { email: `user${i % 4}@example.com` }, metadata: { status_code: 200 + i } },
  }));
  old = log(p.now, 3 * 86_400, { environment: 'production', action: 'user.login', message: 'three days ago' });
  await p.ingest([...recent, old]);
}, 120_000);
afterAll(() => p?.t.close());

describe('GET /logs', () => {
  const equivalents: [string, string, Record<string, unknown>?][] = [
    ['levels=error,warn', 'level=error,warn'],
    ['action=login', 'action~"login"'],
    ['message=timeout', 'message~"timeout"'],
    ['action=user.login*&levels=INFO,debug', 'action~"user.login*" level=info,debug'],
    ['environments=staging&tags=critical', 'environment=staging tags=critical'],
    ['tags=auth&tags=billing', 'tags=auth,billing'],
    ['environments=production,development&pageSize=10', 'environment=production,development', { pageSize: 10 }],
    ['from=-30m&levels=warn', 'level=warn', { from: '-30m' }],
  ];

  it.each(equivalents)('?%s answers what LCQL `%s` answers', async (querystring, lcql, params = {}) => {
    const got = await lt('GET', `/logs?${querystring}`);
    const expected = await lt('POST', '/logs/query', { body: { query: lcql, ...params } });
    expect(got.status, JSON.stringify(got.body)).toBe(200);
    expect(expected.status).toBe(200);
    expect(got.body.length).toBeGreaterThan(0);
    expect(got.body).toEqual(expected.body);
    for (const h of ['x-has-more', 'x-next-cursor-ts', 'x-next-cursor-id']) expect(got.headers[h]).toEqual(expected.headers[h]);
  });

  it('filters as the seed describes, newest first, 50 a page by default', async () => {
    const all = await lt('GET', '/logs');
    expect(ids(all.body)).toEqual(ids(latestFirst(recent)).slice(0, 50));
    expect(all.headers['x-has-more']).toBe('true');

    const errors = await lt('GET', '/logs?levels=error&environments=production&action=LOGIN');
    const expected = recent.filter((l) => l.severity === 'error' && l.environment === 'production' && l.action!.includes('login'));
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(errors.body)).toEqual(ids(latestFirst(expected)));
    expect(errors.headers['x-has-more']).toBe('false');
    expect(errors.headers['x-next-cursor-id']).toBeUndefined();
  });

  it('treats a filter value as one quoted value, never as query text', async () => {
    const answer = await lt('GET', `/logs?action=${encodeURIComponent('x" level="error')}&tags=${encodeURIComponent('a" OR "b')}`);
    expect(answer).toMatchObject({ status: 200, body: [] });
  });

  it('pages with the cursor headers without repeats or gaps while newer logs arrive', async () => {
    const snapshot = ids(latestFirst(recent));
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; ; page++) {
      const answer = await lt('GET', `/logs?pageSize=10${cursor}`);
      expect(answer.status).toBe(200);
      seen.push(...ids(answer.body));
      if (answer.headers['x-has-more'] !== 'true') break;
      cursor = `&cursorTS=${encodeURIComponent(String(answer.headers['x-next-cursor-ts']))}&cursorID=${answer.headers['x-next-cursor-id']}`;
      // Newer than every log so far: it belongs before the first page, never on a later one.
      if (page === 0) await p.ingest([log(p.now, 1, { message: 'arrived between pages' })]);
    }
    expect(seen).toEqual(snapshot);
  });

  it('refuses what it cannot answer in Logtrail’s envelope', async () => {
    const refusals: [string, number, string][] = [
      ['pageSize=9', 400, 'VALIDATION_QUERY_CONSTRAINT'],
      ['pageSize=101', 400, 'VALIDATION_QUERY_CONSTRAINT'],
      ['from=2026-06-15T10:00:00Z&to=2026-06-15T09:00:00Z', 400, 'VALIDATION_QUERY_TIME_RANGE'],
      ['from=yesterday', 400, 'VALIDATION_QUERY_SYNTAX'],
      ['cursorTS=2026-06-15T10:00:00Z', 400, 'VALIDATION_QUERY_SYNTAX'],
      [`cursorTS=2026-06-15T10:00:00Z&cursorID=not-a-uuid`, 400, 'VALIDATION_QUERY_SYNTAX'],
      ['levels=loud', 400, 'VALIDATION_FAILED'],
      ['level=error', 400, 'VALIDATION_FAILED'],
      ['environments=moon', 400, 'VALIDATION_INVALID_ENVIRONMENT'],
    ];
    for (const [querystring, status, code] of refusals) {
      const answer = await lt('GET', `/logs?${querystring}`);
      expect([answer.status, answer.body.error_code], querystring).toEqual([status, code]);
      expect(answer.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.body.details).toBeTypeOf('object');
    }
  });
});

describe('POST /logs/query', () => {
  it('ANDs the SearchLogsRequest members with the LCQL query', async () => {
    const answer = await lt('POST', '/logs/query', { body: { query: 'level=error,warn', action: 'login', environments: ['staging'], pageSize: 100 } });
    const expected = recent.filter((l) => ['error', 'warn'].includes(l.severity) && l.action!.includes('login') && l.environment === 'staging');
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(answer.body)).toEqual(ids(latestFirst(expected)));
  });

  it('answers LogEntry objects, nesting actor and metadata again', async () => {
    const answer = await lt('POST', '/logs/query', { body: { query: `metadata.status_code=${200 + 7}` } });
    const item = recent[7];
    expect(answer.body).toEqual([{
      id: item.id, environment: item.environment, level: item.severity, action: item.action, message: item.message, tags: item.tags,
      actor: { email: 'user3@example.com' }, target: {}, context: {}, metadata: { status_code: 207 },
      client_timestamp: item.timestamp, server_timestamp: expect.any(String),
    }]);
  });

  it('points a syntax error at the query the client wrote, with position and expected in details', async () => {
    const answer = await lt('POST', '/logs/query', { body: { query: 'level=error OR level=warn', action: 'login' } });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error_code: 'VALIDATION_QUERY_SYNTAX', details: { position: 12, end: 14, dialect: 'lcql' } });
    const missing = await lt('POST', '/logs/query', { body: { query: 'level=', tags: 'auth' } });
    expect(missing.body).toMatchObject({ error_code: 'VALIDATION_QUERY_SYNTAX', details: { position: 6, expected: ['value'] } });
  });

  it('refuses bodies that are not a search request', async () => {
    const send = async (payload: string, contentType = 'application/json') => {
      const res = await p.t.http.inject({ method: 'POST', url: '/api/v1/workspace/logs/query', headers: { 'x-api-key': key, 'content-type': contentType }, payload });
      return [res.statusCode, res.json().error_code];
    };
    expect(await send('{"query": ')).toEqual([400, 'VALIDATION_INVALID_JSON']);
    expect(await send('')).toEqual([400, 'VALIDATION_EMPTY_BODY']);
    expect(await send('query=x', 'text/plain')).toEqual([400, 'VALIDATION_INVALID_CONTENT_TYPE']);
    expect(await send('{"query": "level=error", "limit": 5}')).toEqual([400, 'VALIDATION_FAILED']);
    expect(await send('{"query": 5}')).toEqual([400, 'VALIDATION_FAILED']);
    expect(await send('{"pageSize": 500}')).toEqual([400, 'VALIDATION_QUERY_CONSTRAINT']);
  });
});

describe('environment-scoped keys', () => {
  it('read only their environments, and are refused another one by name', async () => {
    const { org_id, project_id } = p.t.bootstrap;
    const staging = (await p.t.meta.createKey({ org_id, project_id, family: 'logtrail', kind: 'secret', scopes: ['logs:read'], environments: ['staging'], region: 'eu', name: 'staging' })).secret;
    const answer = await lt('GET', '/logs?pageSize=100', { key: staging });
    expect(ids(answer.body)).toEqual(ids(latestFirst(recent.filter((l) => l.environment === 'staging'))));
    expect((await lt('POST', '/logs/query', { key: staging, body: { query: 'environment=production' } })).body).toEqual([]);
    const refused = await lt('GET', '/logs?environments=production', { key: staging });
    expect([refused.status, refused.body.error_code]).toEqual([400, 'VALIDATION_INVALID_ENVIRONMENT']);
    expect((await lt('GET', `/logs/${recent[0].id}`, { key: staging })).status).toBe(404);
  });
});

describe('GET /logs/{id}', () => {
  it('finds a log of any age, outside every default window', async () => {
    const answer = await lt('GET', `/logs/${old.id}`);
    expect(answer).toMatchObject({ status: 200, body: { id: old.id, message: 'three days ago', client_timestamp: old.timestamp } });
    expect((await lt('GET', `/logs/${old.id.toUpperCase()}`)).body.id).toBe(old.id);
  });

  it('answers 404 LOG_NOT_FOUND for an unknown id or one that is not a UUID', async () => {
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const answer = await lt('GET', `/logs/${id}`);
      expect([answer.status, answer.body.error_code]).toEqual([404, 'LOG_NOT_FOUND']);
    }
  });

  // Last in the file: these logs are sent through Logtrail's own ingest, beside the oracle's count.
  it('finds logs whose ids loglake minted, near their mint time or not', async () => {
    const send = async (clientTimestamp: string) => {
      const res = await lt('POST', '/logs', { body: { action: 'minted', level: 'info', clientTimestamp } });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const fresh = await send(new Date(Date.now() - 60_000).toISOString());
    const backfilled = await send(new Date(Date.now() - 5 * 86_400_000).toISOString());
    expect(fresh[14]).toBe('7');
    for (const id of [fresh, backfilled]) {
      const found = await waitFor(`log ${id}`, async () => ((await lt('GET', `/logs/${id}`)).status === 200 ? true : null));
      expect(found).toBe(true);
    }
  });
});

describe('the hourly query budget', () => {
  it('counts Logtrail queries against the plan and refuses past it', async () => {
    const project = await p.t.meta.createProject(p.t.bootstrap.org_id, 'standard plan', 'standard', 'on_standard');
    const standard = (await p.t.meta.createKey({ org_id: p.t.bootstrap.org_id, project_id: project.id, family: 'logtrail', kind: 'secret', scopes: ['logs:read'], environments: null, region: 'eu', name: 'standard' })).secret;
    const first = await lt('GET', '/logs', { key: standard });
    expect(first).toMatchObject({ status: 200, headers: { 'x-ratelimit-limit': '2000', 'x-ratelimit-remaining': '1999' } });
    p.t.meta.addUsage(project.id, 'query_requests', hourWindow(new Date()).key, 1999);
    const refused = await lt('POST', '/logs/query', { key: standard, body: { query: '' } });
    expect([refused.status, refused.body.error_code]).toEqual([429, 'RATE_LIMIT_PLAN_EXCEEDED']);
    expect(refused.headers['retry-after']).toBeDefined();
  });
});
