import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './helpers/ports.js';
import { startTestService, type TestService } from './helpers/service.js';

/**
 * The explorer turns a GQL search into the logs query API's structured filters (for alerts and saved
 * views) and a view's filters back into GQL. Each direction must select the same rows as the search it
 * came from, checked through the real routes.
 */
const SEARCHES = [
  'service:billing',
  'service:billing severity:error',
  'severity!=info',
  'amount>20',
  'orderId is not null service:billing',
  'message~card',
  '"card_declined"',
  'http.path:"/a b"',
];

describe('the explorer\'s structured filters', () => {
  let t: TestService;
  let filters: { structuredFilters(echo: unknown): any; viewFilters(echo: unknown, q: string, source: string, range: unknown): any; viewSearch(f: unknown, r: unknown): any };
  const key = () => t.bootstrap.keys.posthog_personal;

  const gqlIds = async (q: string) => {
    const res = await t.request('POST', '/v1/gql/query', { token: t.bootstrap.keys.goodlogs_secret, body: { q: q ? `${q} | last 1h` : "last 1h" } });
    expect(res.statusCode, res.body).toBe(200);
    return { echo: res.json().query, ids: res.json().data.results.map((r: any) => r.id).sort() };
  };
  const structuredIds = async (query: unknown) => {
    const res = await t.request('POST', '/api/projects/default/logs/query/', { token: key(), body: { query } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().results.map((r: any) => r.uuid).sort();
  };

  beforeAll(async () => {
    filters = await import(pathToFileURL(join(import.meta.dirname, '../web/public/filters.js')).href);
    t = await startTestService();
    const batch = [
      { severity: 'error', message: 'Payment failed: card_declined', properties: { service: 'billing', orderId: 'o1', amount: 29 } },
      { severity: 'warn', message: 'retrying card', properties: { service: 'billing', amount: 5 } },
      { severity: 'info', message: 'ok', properties: { service: 'api', 'http.path': '/a b' } },
      { severity: 'error', message: 'timeout', properties: { service: 'api', 'http.path': '/c' } },
    ];
    expect((await t.request('POST', '/v1/logs', { token: t.bootstrap.keys.goodlogs_secret, body: { batch } })).statusCode).toBe(202);
    await waitFor('the logs', async () => (await gqlIds('')).ids.length === batch.length);
  });
  afterAll(() => t.close());

  it.each(SEARCHES)('%s selects the same rows as structured filters, and back as GQL', async (q) => {
    const { echo, ids } = await gqlIds(q);
    expect(ids.length).toBeGreaterThan(0);
    const structured = filters.structuredFilters(echo);
    expect(await structuredIds({ ...structured, dateRange: { date_from: '-1h' } })).toEqual(ids);
    // A view saved by another client has no `gql`: it reopens as the GQL of its structured filters.
    const view = filters.viewFilters(echo, q, 'logs', { last: '1h' });
    expect(filters.viewSearch(view, null)).toEqual({ q, source: 'logs', range: { last: '1h' } });
    const { gql: _text, ...foreign } = view;
    const reopened = filters.viewSearch(foreign, null);
    expect(reopened.range).toEqual({ last: '1h' });
    expect((await gqlIds(reopened.q)).ids).toEqual(ids);
  });

  it('has no structured form for or, not and aggregates', async () => {
    for (const q of ['service:api or severity:warn', 'not service:api']) expect(filters.structuredFilters((await gqlIds(q)).echo)).toBeNull();
    const aggregate = await gqlIds('count by service');
    expect(filters.viewFilters(aggregate.echo, 'count by service', 'logs', { last: '1h' })).toEqual({ dateRange: { date_from: '-1h' }, gql: 'count by service' });
  });
});
