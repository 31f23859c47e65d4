// Personal-key authentication held to the key's project, and the PostHog error envelope on every route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { log, startPosthogTest, type PosthogTest } from '../../../test/helpers/posthog.js';

let p: PosthogTest;
let otherProjectKey: string;
let writeOnlyKey: string;

beforeAll(async () => {
  p = await startPosthogTest();
  const other = await p.t.meta.createProject(p.t.bootstrap.org_id, 'other', 'unlimited');
  const spec = { org_id: p.t.bootstrap.org_id, family: 'posthog' as const, kind: 'secret' as const, environments: null, region: null };
  otherProjectKey = (await p.t.meta.createKey({ ...spec, project_id: other.id, scopes: ['logs:read'], name: 'other' })).secret;
  writeOnlyKey = (await p.t.meta.createKey({ ...spec, project_id: p.project, scopes: ['logs:write'], name: 'write only' })).secret;
  await p.ingest([log(p.now, 60, { message: 'hello' })]);
});
afterAll(() => p.t.close());

const ROUTES: ['GET' | 'POST', string, unknown][] = [
  ['POST', 'query', { query: {} }], ['POST', 'export', { query: {} }], ['POST', 'count-ranges', {}], ['POST', 'sparkline', {}],
  ['POST', 'services', {}], ['GET', 'values?key=plan', undefined], ['GET', 'has_logs', undefined],
];

describe('authentication', () => {
  it.each(ROUTES)('%s %s: 401 without a key or with a wrong one, 403 for another project or a missing scope', async (method, route, body) => {
    const missing = await p.ph(method, route, body, { key: null });
    expect([missing.status, missing.body.error.code]).toEqual([401, 'UNAUTHORIZED']);
    for (const key of ['phx_not_a_key', p.t.bootstrap.keys.goodlogs_secret]) {
      const wrong = await p.ph(method, route, body, { key });
      expect([wrong.status, wrong.body]).toEqual([401, { error: { code: 'UNAUTHORIZED', message: 'Invalid personal API key' } }]);
    }
    const otherProject = await p.ph(method, route, body, { key: otherProjectKey });
    expect([otherProject.status, otherProject.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const unknownProject = await p.ph(method, route, body, { project: 'no-such-project' });
    expect([unknownProject.status, unknownProject.body]).toEqual([otherProject.status, otherProject.body]);
    const writeOnly = await p.ph(method, route, body, { key: writeOnlyKey });
    expect([writeOnly.status, writeOnly.body.error.message]).toEqual([403, 'This key lacks the logs:read scope']);
  });

  it('lets a key read its own project by id, as @current, with or without the trailing slash', async () => {
    expect((await p.ph('GET', 'has_logs')).body).toEqual({ hasLogs: true });
    expect((await p.ph('GET', 'has_logs/', undefined, { project: '@current' })).body).toEqual({ hasLogs: true });
    const other = await p.ph('POST', 'query/', { query: {} }, { key: otherProjectKey, project: '@current' });
    expect([other.status, other.body.results]).toEqual([200, []]);
    expect((await p.ph('GET', 'has_logs', undefined, { key: otherProjectKey, project: '@current' })).body).toEqual({ hasLogs: false });
  });
});

describe('prefixes', () => {
  it.each([...ROUTES, ['GET', 'alerts', undefined] as const])('%s %s answers the same under /api/projects and /api/environments, with and without the slash', async (method, route, body) => {
    const [path, search] = route.split('?');
    const answers = [];
    for (const prefix of ['projects', 'environments']) {
      for (const slash of ['', '/']) {
        const url = `/api/${prefix}/${p.project}/logs/${path}${slash}${search ? `?${search}` : ''}`;
        const res = await p.t.request(method, url, { token: p.key, body });
        answers.push([url, res.statusCode, res.headers['content-type']]);
      }
    }
    const ok = method === 'POST' && route === 'export' ? 201 : 200;
    expect(answers.map(([, status]) => status), JSON.stringify(answers)).toEqual([ok, ok, ok, ok]);
    expect(new Set(answers.map(([, , type]) => type)).size).toBe(1);
  });
});

describe('errors', () => {
  const errorOf = async (method: 'GET' | 'POST', route: string, body?: unknown) => {
    const res = await p.ph(method, route, body);
    expect(res.status).toBe(400);
    return res.body.error;
  };

  it('answers a bad filter with the query error object and its JSON pointer, on every route that filters', async () => {
    const query = { filterGroup: { type: 'AND', values: [{ key: 'plan', operator: 'regex', value: '^p', type: 'log' }] } };
    for (const route of ['query', 'export', 'count-ranges', 'sparkline', 'services']) {
      expect(await errorOf('POST', route, { query })).toEqual({
        code: 'VALIDATION_ERROR', type: 'VALIDATION_QUERY_SYNTAX', message: "Unsupported operator 'regex' at /filterGroup/values/0/operator",
        position: null, end: null, expected: ['operator'], details: { dialect: 'structured', found: 'regex', path: '/filterGroup/values/0/operator' },
      });
    }
    const values = await errorOf('GET', `values?key=plan&filterGroup=${encodeURIComponent(JSON.stringify(query.filterGroup))}`);
    expect(values.details.path).toBe('/filterGroup/values/0/operator');
  });

  it('points at the member that is wrong', async () => {
    const pathOf = async (method: 'GET' | 'POST', route: string, body?: unknown) => (await errorOf(method, route, body)).details.path;
    expect(await pathOf('POST', 'sparkline', { query: { severityLevels: ['error', 'loud'] } })).toBe('/severityLevels/1');
    expect(await pathOf('POST', 'sparkline', { query: { sparklineBreakdownBy: 'host' } })).toBe('/sparklineBreakdownBy');
    expect(await pathOf('POST', 'services', { query: { filterGroup: [{ key: 'a', operator: 'exact', value: 'x', type: 'event' }] } })).toBe('/filterGroup/0/type');
    expect(await pathOf('POST', 'query', { query: { after: 'not a cursor' } })).toBe('/after');
    expect(await pathOf('GET', 'values')).toBe('/key');
    expect(await pathOf('GET', 'values?key=plan&attribute_type=event')).toBe('/attribute_type');
    expect(await pathOf('GET', 'values?key=plan&dateRange={oops')).toBe('/dateRange');
    const tooMany = await errorOf('POST', 'count-ranges', { query: { targetBuckets: 500 } });
    expect([tooMany.type, tooMany.details.path]).toEqual(['VALIDATION_QUERY_CONSTRAINT', '/targetBuckets']);
    expect((await errorOf('POST', 'query', { query: { limit: 5000 } })).type).toBe('VALIDATION_QUERY_CONSTRAINT');
    expect((await errorOf('POST', 'query', { query: { dateRange: { date_from: '-1h', date_to: '-2h' } } })).type).toBe('VALIDATION_QUERY_TIME_RANGE');
  });

  it('needs a query object on query and export, as PostHog does', async () => {
    for (const route of ['query', 'export']) {
      expect(await errorOf('POST', route, {})).toEqual({ code: 'VALIDATION_ERROR', message: 'No query provided' });
      expect(await errorOf('POST', route, { query: 'severity:error' })).toEqual({ code: 'VALIDATION_ERROR', message: 'query must be an object' });
    }
  });
});
