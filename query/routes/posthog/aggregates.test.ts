// count-ranges, sparkline, services and values against counts computed here from the logs sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleLogs, serviceOf, startPosthogTest, type LogItem, type PosthogTest } from '../../../test/helpers/posthog.js';

let p: PosthogTest;
let sample: LogItem[];
let recent: LogItem[];

beforeAll(async () => {
  p = await startPosthogTest();
  sample = sampleLogs(p.now);
  recent = sample.slice(0, 48);
  await p.ingest(sample);
});
afterAll(() => p.t.close());

const RANK = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const bucketOf = (item: LogItem, seconds: number) => Math.floor(Date.parse(item.timestamp) / 1000 / seconds) * seconds * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Counts per distinct key, in first-seen order. */
function tally<K>(items: LogItem[], keyOf: (i: LogItem) => K): { key: K; count: number }[] {
  const counts = new Map<string, { key: K; count: number }>();
  for (const item of items) {
    const key = keyOf(item);
    const id = JSON.stringify(key);
    counts.set(id, { key, count: (counts.get(id)?.count ?? 0) + 1 });
  }
  return [...counts.values()];
}

/** Service order: by name, no service last. */
const byService = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

async function post(route: string, query: Record<string, unknown>) {
  const res = await p.ph('POST', route, { query });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

describe('count-ranges', () => {
  const ranges = (items: LogItem[], seconds: number) => tally(items, (i) => bucketOf(i, seconds))
    .sort((a, b) => a.key - b.key)
    .map(({ key, count }) => ({ date_from: iso(key), date_to: iso(key + seconds * 1000), count }));

  it('counts the window in about ten round buckets, listing the non-empty ones', async () => {
    const body = await post('count-ranges', { dateRange: { date_from: '-1h' } });
    expect(body).toEqual({ ranges: ranges(recent, 300), interval: '5m' });
    expect(body.ranges.reduce((n: number, r: { count: number }) => n + r.count, 0)).toBe(48);
  });

  it('honours targetBuckets and the filters', async () => {
    expect(await post('count-ranges', { dateRange: { date_from: '-1h' }, targetBuckets: 2 })).toEqual({ ranges: ranges(recent, 1800), interval: '30m' });
    const errors = recent.filter((i) => i.severity === 'error' && serviceOf(i) === 'checkout');
    expect(await post('count-ranges', { dateRange: { date_from: '-1h' }, severityLevels: ['error'], serviceNames: ['checkout'] }))
      .toEqual({ ranges: ranges(errors, 300), interval: '5m' });
  });

  it('spans an open window by its logs, and answers no ranges for an empty one', async () => {
    const old = sample.slice(48);
    // From the oldest log to date_to: 12 s in ten buckets snap to one second.
    expect(await post('count-ranges', { dateRange: { date_to: iso(p.now.getTime() - 172_790_000) } })).toEqual({ ranges: ranges(old, 1), interval: '1s' });
    expect(await post('count-ranges', { dateRange: { date_to: iso(p.now.getTime() - 86_400_000) } })).toMatchObject({ interval: '2h' });
    const empty = await post('count-ranges', { dateRange: { date_from: '-1h', date_to: iso(p.now.getTime() - 3_570_000) } });
    expect(empty).toEqual({ ranges: [], interval: '1s' });
  });
});

describe('sparkline', () => {
  /** The default window is 24 h: 50 buckets snap to 30 minutes. */
  const points = (by: ('severity' | 'service')[], items = recent) => tally(items, (i) => [bucketOf(i, 1800), i.severity, serviceOf(i)] as const)
    .map(({ key: [time, severity, service], count }) => ({ time, severity, service, count }))
    .reduce<{ time: number; severity?: string; service?: string | null; count: number }[]>((acc, pt) => {
      const key = { time: pt.time, ...(by.includes('severity') ? { severity: pt.severity } : {}), ...(by.includes('service') ? { service: pt.service } : {}) };
      const same = acc.find((a) => a.time === key.time && a.severity === key.severity && a.service === key.service);
      if (same) same.count += pt.count; else acc.push({ ...key, count: pt.count });
      return acc;
    }, [])
    .sort((a, b) => a.time - b.time || RANK.indexOf(a.severity ?? '') - RANK.indexOf(b.severity ?? '') || byService(a.service ?? null, b.service ?? null))
    .map((pt) => ({ ...pt, time: iso(pt.time), ...('service' in pt ? { service: pt.service ?? '(no service)' } : {}) }));

  it('breaks counts over time down by severity and service', async () => {
    const body = await post('sparkline', {});
    expect(body).toEqual({ results: points(['severity', 'service']) });
    expect(body.results[0]).toEqual({ time: expect.any(String), severity: expect.any(String), service: expect.any(String), count: expect.any(Number) });
  });

  it('keeps one key with sparklineBreakdownBy, and applies the filters', async () => {
    expect(await post('sparkline', { sparklineBreakdownBy: 'severity' })).toEqual({ results: points(['severity']) });
    expect(await post('sparkline', { sparklineBreakdownBy: 'service', searchTerm: 'timeout' }))
      .toEqual({ results: points(['service'], recent.filter((i) => i.message!.startsWith('timeout'))) });
  });
});

describe('services', () => {
  it('lists volume, errors and error rate per service, with each one over time', async () => {
    const body = await post('services', { dateRange: { date_from: '-30d' } });
    expect(body.services).toEqual([
      { service_name: 'billing', log_count: 18, error_count: 2, error_rate: 0.1111 },
      { service_name: 'checkout', log_count: 16, error_count: 8, error_rate: 0.5 },
      { service_name: '(no service)', log_count: 16, error_count: 8, error_rate: 0.5 },
    ]);
    // 30 days in about 50 buckets snap to 12 hours.
    const expected = tally(sample, (i) => [bucketOf(i, 43_200), serviceOf(i)] as const)
      .sort((a, b) => a.key[0] - b.key[0] || byService(a.key[1], b.key[1]))
      .map(({ key: [time, service], count }) => ({ time: iso(time), service_name: service ?? '(no service)', count }));
    expect(body.sparkline).toEqual(expected);
    expect(body.sparkline.reduce((n: number, s: { count: number }) => n + s.count, 0)).toBe(50);
  });

  it('applies the filters to both', async () => {
    const body = await post('services', { severityLevels: ['fatal', 'error'] });
    expect(body.services).toEqual([
      { service_name: 'checkout', log_count: 8, error_count: 8, error_rate: 1 },
      { service_name: '(no service)', log_count: 8, error_count: 8, error_rate: 1 },
    ]);
    expect(body.sparkline.every((s: { service_name: string }) => s.service_name !== 'billing')).toBe(true);
  });
});

describe('patterns', () => {
  it('lists the message patterns of the window and filters, most common first, with first and last seen and a sample', async () => {
    const body = await post('patterns', { dateRange: { date_from: '-1h' } });
    const timeouts = recent.filter((i) => i.message!.startsWith('timeout'));
    expect(body.results).toEqual([
      { pattern_id: expect.stringMatching(/^[0-9a-f]{16}$/), template: 'request <*>, "ok"', count: 36, first_seen: expect.any(String), last_seen: expect.any(String), sample: 'request 47, "ok"' },
      {
        pattern_id: expect.stringMatching(/^[0-9a-f]{16}$/), template: 'timeout talking to db (request <*>)', count: 12,
        first_seen: timeouts[timeouts.length - 1].timestamp, last_seen: timeouts[0].timestamp, sample: timeouts[timeouts.length - 1].message,
      },
    ]);
    const errors = await post('patterns', { dateRange: { date_from: '-30d' }, severityLevels: ['error'], serviceNames: ['billing'] });
    expect(errors.results.map((r: { template: string; count: number }) => [r.template, r.count])).toEqual([['old', 2]]);
    expect((await p.ph('POST', 'patterns/', { query: {}, limit: 1 })).body.results).toHaveLength(1);
  });
});

describe('values', () => {
  const values = async (query: string) => {
    const res = await p.ph('GET', `values?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.refreshing).toBe(false);
    return res.body.results.map((r: { id: string; name: string }) => {
      expect(r.name).toBe(r.id);
      return r.id;
    });
  };
  const ranked = (items: LogItem[], valueOf: (i: LogItem) => string) => tally(items, valueOf)
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1)).map((t) => t.key);

  it('lists an attribute\'s values, most frequent first, as text', async () => {
    expect(await values('key=plan')).toEqual(['free', 'pro']);
    expect(await values('key=plan&value=PR')).toEqual(['pro']);
    expect(await values('key=amount&value=47')).toEqual(['470']);
    expect(await values('key=no.such.key')).toEqual([]);
  });

  it('lists resource attribute values, within the filters and window', async () => {
    expect(await values('attribute_type=resource&key=host.name')).toEqual(ranked(recent, (i) => i.resource!['host.name']));
    const checkout = encodeURIComponent(JSON.stringify(['checkout']));
    expect(await values(`attribute_type=resource&key=host.name&serviceNames=${checkout}`))
      .toEqual(ranked(recent.filter((i) => serviceOf(i) === 'checkout'), (i) => i.resource!['host.name']));
    const onlyOld = encodeURIComponent(JSON.stringify({ date_from: '-30d', date_to: '-1d' }));
    expect(await values(`key=plan&dateRange=${onlyOld}`)).toEqual(['pro']);
    const group = encodeURIComponent(JSON.stringify([{ key: 'amount', operator: 'lt', value: 40, type: 'log_attribute' }]));
    expect(await values(`key=amount&filterGroup=${group}`)).toEqual(['0', '10', '20', '30']);
  });

  it('lists every surface\'s services as resource service.name, not only those sent as a resource', async () => {
    expect(await values('attribute_type=resource&key=service.name')).toEqual(ranked(recent.filter((i) => serviceOf(i) !== null), (i) => serviceOf(i)!));
    expect(await values('attribute_type=resource&key=service.name&value=bill')).toEqual(['billing']);
  });
});
