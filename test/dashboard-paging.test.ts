import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './helpers/ports.js';
import { startTestService, type TestService } from './helpers/service.js';

/** The dashboard GQL route pages a search with the keyset cursor (spec 12.3), as the explorer scrolls. */
describe('GET /api/orgs/:org/projects/:project/gql with cursorTS and cursorID', () => {
  let t: TestService;
  let token: string;
  const gql = (query: Record<string, string>) => t.request('GET', `/api/orgs/default/projects/default/gql?${new URLSearchParams(query)}`, { token });

  beforeAll(async () => {
    t = await startTestService();
    token = (await t.request('POST', '/api/auth/login', { body: { email: t.bootstrap.admin.email, password: t.bootstrap.admin.password } })).json().token;
    // Two rows share each timestamp, so pages must break ties by id.
    const at = (i: number) => new Date(Date.now() - 60_000 + Math.floor(i / 2) * 1000).toISOString();
    const batch = Array.from({ length: 7 }, (_, i) => ({ timestamp: at(i), severity: 'info', message: `row ${i}` }));
    expect((await t.request('POST', '/v1/logs', { token: t.bootstrap.keys.goodlogs_secret, body: { batch } })).statusCode).toBe(202);
    await waitFor('the rows', async () => (await gql({ q: 'last 1h' })).json().data?.results?.length === 7);
  });
  afterAll(() => t.close());

  it('walks every row once, newest first, three at a time', async () => {
    const all = (await gql({ q: 'last 1h' })).json().data.results.map((r: any) => r.id);
    const seen: string[] = [];
    let cursor: { ts: string; id: string } | undefined;
    for (let page = 0; page < 5; page++) {
      const data = (await gql({ q: 'last 1h | limit 3', ...(cursor ? { cursorTS: cursor.ts, cursorID: cursor.id } : {}) })).json().data;
      seen.push(...data.results.map((r: any) => r.id));
      cursor = data.next_cursor;
      if (!data.has_more) break;
    }
    expect(seen).toEqual(all);
  });

  it('refuses half a cursor and a bad timestamp in the query error object', async () => {
    const half = await gql({ q: 'last 1h', cursorTS: new Date().toISOString() });
    expect(half.statusCode).toBe(400);
    expect(half.json().error).toMatchObject({ code: 'VALIDATION_ERROR' });
    const bad = await gql({ q: 'last 1h', cursorTS: 'yesterday-ish', cursorID: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('cursorTS');
  });

  it('leaves aggregates alone', async () => {
    const res = await gql({ q: 'count | last 1h', cursorTS: new Date().toISOString(), cursorID: 'x' });
    expect(res.json().data.results).toEqual([{ value: 7 }]);
  });
});
