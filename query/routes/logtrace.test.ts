import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hourWindow } from '../../server/limits/windows.js';
import { latestFirst, log, startPosthogTest, type LogItem, type PosthogTest } from '../../test/helpers/posthog.js';

/**
 * LogTrace's `POST /v1/logs/query` through the whole service: the seed's request, cursor pages, the key's
 * environments, the `{error: {...}}` envelope with the query error object, and the hourly query budget.
 */

let p: PosthogTest;
let logs: LogItem[];

type Answer = { status: number; body: any; headers: Record<string, unknown> };

async function query(body: unknown, key = p.t.bootstrap.keys.logtrace): Promise<Answer> {
  const res = await p.t.request('POST', '/v1/logs/query', { body, token: key });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

beforeAll(async () => {
  p = await startPosthogTest();
  logs = Array.from({ length: 45 }, (_, i) => log(p.now, i * 60 + 5, {
    environment: i % 3 === 0 ? 'staging' : 'production',
    severity: i % 2 ? 'error' : 'info',
    message: `Connection timeout on db-primary-0${i % 4}`,
    resource: { 'service.name': i % 5 ? 'payment-gateway' : 'auth' },
  }));
  await p.ingest(logs);
}, 120_000);
afterAll(() => p?.t.close());

describe('POST /v1/logs/query', () => {
  it('answers the seed example with the bootstrap key, in its production environment only', async () => {
    const answer = await query({ filter: 'service:payment-gateway AND level:ERROR', from: '-24h', limit: 50 });
    const expected = logs.filter((l) => l.environment === 'production' && l.severity === 'error' && l.resource!['service.name'] === 'payment-gateway');
    expect(answer.status).toBe(200);
    expect(ids(answer.body.results)).toEqual(ids(latestFirst(expected)));
    expect(answer.body).toMatchObject({ has_more: false, next_cursor: null });
    expect(answer.body.results[0]).toMatchObject({ severity: 'error', service: 'payment-gateway', environment: 'production' });
  });

  it('pages with next_cursor, without repeats or gaps', async () => {
    const production = ids(latestFirst(logs.filter((l) => l.environment === 'production')));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const answer = await query({ filter: '', limit: 7, ...(cursor ? { cursor } : {}) });
      expect(answer.status).toBe(200);
      seen.push(...ids(answer.body.results));
      cursor = answer.body.next_cursor ?? undefined;
      expect(answer.body.has_more).toBe(cursor !== undefined);
    } while (cursor);
    expect(seen).toEqual(production);
    // Without a filter the body may leave it out; 100 a page by default.
    expect(ids((await query({})).body.results)).toEqual(production);
  });

  it('answers query errors as {error: <the query error object>}', async () => {
    const syntax = await query({ filter: 'level=error' });
    expect(syntax.status).toBe(400);
    expect(syntax.body.error).toMatchObject({ code: 'VALIDATION_ERROR', type: 'VALIDATION_QUERY_SYNTAX', position: 5, end: 6, expected: expect.any(Array) });
    const cases: [unknown, string][] = [
      [{ filter: 'level:error', limit: 0 }, 'VALIDATION_QUERY_CONSTRAINT'],
      [{ filter: 'level:error', limit: 1001 }, 'VALIDATION_QUERY_CONSTRAINT'],
      [{ filter: 'level:error', from: '-1h', to: '-2h' }, 'VALIDATION_QUERY_TIME_RANGE'],
      [{ filter: 'level:error', from: '-3x' }, 'VALIDATION_QUERY_SYNTAX'],
      [{ filter: 'level:error', cursor: 'not a cursor' }, 'VALIDATION_QUERY_SYNTAX'],
    ];
    for (const [body, type] of cases) {
      const answer = await query(body);
      expect([answer.status, answer.body.error?.code, answer.body.error?.type], JSON.stringify(body)).toEqual([400, 'VALIDATION_ERROR', type]);
    }
    const member = await query({ filter: 'level:error', size: 5 });
    expect([member.status, member.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
  });

  it('counts against the plan’s hourly query budget and refuses past it', async () => {
    const { org_id } = p.t.bootstrap;
    const project = await p.t.meta.createProject(org_id, 'standard plan', 'standard', 'trace_standard');
    const key = (await p.t.meta.createKey({ org_id, project_id: project.id, family: 'logtrace', kind: 'secret', scopes: ['read:logs'], environments: null, region: 'eu', name: 'standard' })).secret;
    expect(await query({ filter: '' }, key)).toMatchObject({ status: 200, headers: { 'x-ratelimit-limit': '2000', 'x-ratelimit-remaining': '1999' } });
    p.t.meta.addUsage(project.id, 'query_requests', hourWindow(new Date()).key, 1999);
    const refused = await query({ filter: '' }, key);
    expect([refused.status, refused.body.error.code]).toEqual([429, 'RATE_LIMITED']);
    expect(refused.headers['retry-after']).toBeDefined();
  });
});
