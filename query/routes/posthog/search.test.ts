// POST …/logs/query: PostHog's page shape, structured filters, order, limit and cursor pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestFirst, log, sampleLogs, serviceOf, startPosthogTest, type LogItem, type PosthogTest } from '../../../test/helpers/posthog.js';

let p: PosthogTest;
let sample: LogItem[];
let recent: LogItem[];

beforeAll(async () => {
  p = await startPosthogTest();
  sample = sampleLogs(p.now);
  sample[0] = { ...sample[0], trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', action: 'db.query' } as LogItem;
  recent = sample.slice(0, 48);
  await p.ingest(sample);
});
afterAll(() => p.t.close());

const ids = (items: LogItem[]) => latestFirst(items).map((i) => i.id);

async function search(query: Record<string, unknown>) {
  const res = await p.ph('POST', 'query', { query });
  expect(res.status).toBe(200);
  return res.body;
}

describe('query', () => {
  it("answers a page in PostHog's shape", async () => {
    const query = { dateRange: { date_from: '-1h' }, limit: 2 };
    const body = await search(query);
    expect(Object.keys(body)).toEqual(['query', 'results', 'hasMore', 'nextCursor', 'maxExportableLogs']);
    expect(body).toMatchObject({ query, hasMore: true, nextCursor: expect.any(String), maxExportableLogs: 10_000 });
    expect(body.results[0]).toEqual({
      id: sample[0].id,
      uuid: sample[0].id,
      timestamp: sample[0].timestamp,
      observed_timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      body: 'timeout talking to db (request 0)',
      severity_text: 'debug',
      severity_number: 5,
      level: 'debug',
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7',
      trace_flags: 0,
      // `$ip` is what ingest adds from the sender's address.
      attributes: { plan: 'free', amount: '0', service: 'billing', $ip: '127.0.0.1' },
      resource_attributes: { 'host.name': 'ip-10-0-1-0', 'service.name': 'billing' },
      event_name: 'db.query',
    });
    expect(body.results[1]).toMatchObject({ uuid: sample[1].id, resource_attributes: { 'service.name': 'checkout', 'host.name': 'ip-10-0-0-1' }, event_name: '' });
  });

  it('filters by severity, service, search term, attributes, resource attributes and window', async () => {
    const cases: [Record<string, unknown>, LogItem[]][] = [
      [{ severityLevels: ['error', 'FATAL'] }, recent.filter((i) => ['error', 'fatal'].includes(i.severity))],
      [{ serviceNames: ['checkout', 'billing'] }, recent.filter((i) => serviceOf(i) !== null)],
      [{ searchTerm: 'Timeout DB' }, recent.filter((i) => i.message!.startsWith('timeout'))],
      [{ filterGroup: { type: 'AND', values: [{ type: 'AND', values: [
        { key: 'amount', operator: 'gt', value: 200, type: 'log_attribute' },
        { key: 'host.name', operator: 'icontains', value: 'IP-10-0-0', type: 'log_resource_attribute' },
      ] }] } }, recent.filter((i) => (i.properties!.amount as number) > 200 && i.resource!['host.name'].startsWith('ip-10-0-0'))],
      [{ filterGroup: { type: 'OR', values: [
        { key: 'plan', operator: 'exact', value: ['pro'], type: 'log' },
        { key: 'message', operator: 'icontains', value: 'request 7,', type: 'log' },
      ] } }, recent.filter((i) => i.properties!.plan === 'pro' || i.message === 'request 7, "ok"')],
      // `service` is the column (spec 2.2), `properties.service` the attribute.
      [{ filterGroup: [{ key: 'service', operator: 'is_not_set', type: 'log' }] }, recent.filter((i) => serviceOf(i) === null)],
      [{ filterGroup: [{ key: 'properties.service', operator: 'is_not_set', type: 'log' }] }, recent.filter((i) => i.properties!.service === undefined)],
      [{ dateRange: { date_from: '-30d' }, serviceNames: ['billing'], severityLevels: ['error'] },
        sample.filter((i) => serviceOf(i) === 'billing' && i.severity === 'error')],
      [{ dateRange: { date_from: new Date(p.now.getTime() - 600_000).toISOString(), date_to: new Date(p.now.getTime() - 300_000).toISOString() } },
        recent.filter((i) => p.now.getTime() - Date.parse(i.timestamp) <= 600_000 && p.now.getTime() - Date.parse(i.timestamp) > 300_000)],
    ];
    for (const [query, expected] of cases) {
      expect(expected.length, JSON.stringify(query)).toBeGreaterThan(0);
      const body = await search({ ...query, limit: 1000 });
      expect(body.results.map((r: { uuid: string }) => r.uuid), JSON.stringify(query)).toEqual(ids(expected));
      expect(body.hasMore).toBe(false);
      expect(body.nextCursor).toBeNull();
    }
  });

  it('orders earliest first and limits, with hasMore', async () => {
    const body = await search({ orderBy: 'earliest', limit: 5 });
    expect(body.results.map((r: { uuid: string }) => r.uuid)).toEqual(ids(recent).reverse().slice(0, 5));
    expect(body.hasMore).toBe(true);
    expect((await search({})).results).toHaveLength(48);
  });

  it('pages through with nextCursor, without repeats or gaps, while newer logs arrive', async () => {
    const arrived: string[] = [];
    for (const orderBy of ['latest', 'earliest'] as const) {
      const arrivedBefore = arrived.length;
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const body = await search({ dateRange: { date_from: '-1h' }, orderBy, limit: 7, ...(after ? { after } : {}) });
        seen.push(...body.results.map((r: { uuid: string }) => r.uuid));
        after = body.nextCursor;
        expect(body.hasMore).toBe(after !== null);
        // A log newer than every other one lands while the client is between pages.
        const newer = log(p.now, 20 - arrived.length * 0.1, { message: 'arrived late' });
        await p.ingest([newer]);
        arrived.push(newer.id);
      } while (after);
      expect(new Set(seen).size).toBe(seen.length);
      const original = orderBy === 'latest' ? ids(recent) : ids(recent).reverse();
      // Newest first never reaches them; oldest first reaches, in order, all that were there when it began
      // and perhaps some that arrived while it paged.
      if (orderBy === 'latest') expect(seen).toEqual(original);
      else {
        expect(seen.slice(0, 48)).toEqual(original);
        expect(seen.length - 48).toBeGreaterThanOrEqual(arrivedBefore);
        expect(seen.slice(48)).toEqual(arrived.slice(0, seen.length - 48));
      }
    }
  });
});
