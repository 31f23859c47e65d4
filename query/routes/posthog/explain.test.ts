// POST …/logs/explainLogWithAI/: the facts of one log, gathered from the lake, cached per log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mutate, random } from '../../../test/helpers/mutate.js';
import { log, startPosthogTest, type LogItem, type PosthogTest } from '../../../test/helpers/posthog.js';

let p: PosthogTest;
let target: LogItem;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

beforeAll(async () => {
  p = await startPosthogTest();
  const timeout = (secondsAgo: number, n: number, fields: Partial<LogItem> = {}) =>
    log(p.now, secondsAgo, { severity: 'error', message: `Connection timeout to db-${n} after ${n % 7}s`, properties: { service: 'billing', region: 'eu', attempt: n }, ...fields });
  const lastHour = Array.from({ length: 9 }, (_, i) => timeout(60 + i * 300, i));
  const hourBefore = Array.from({ length: 3 }, (_, i) => timeout(3_700 + i * 600, 20 + i));
  const yesterday = timeout(30 * 3600, 99, { properties: { service: 'checkout', region: 'eu' } });
  target = timeout(30, 17, { trace_id: TRACE });
  const traced = [
    log(p.now, 31, { severity: 'info', message: 'GET /checkout started', properties: { service: 'web' }, trace_id: TRACE }),
    log(p.now, 29, { severity: 'error', message: 'payment failed', properties: { service: 'web' }, trace_id: TRACE }),
  ];
  const other = log(p.now, 40, { message: 'User 12 signed in', properties: { service: 'auth', region: 'us' } });
  await p.ingest([...lastHour, ...hourBefore, yesterday, target, ...traced, other]);
});
afterAll(() => p.t.close());

const explain = (body: unknown, key?: string) => p.ph('POST', 'explainLogWithAI/', body, key === undefined ? {} : { key });

describe('explainLogWithAI', () => {
  it('answers 201 with the seed’s members and the facts of the log’s template, trace and shared properties', async () => {
    const res = await explain({ uuid: target.id, timestamp: target.timestamp });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ uuid: target.id, timestamp: target.timestamp, force_refresh: false, provider: 'offline', cached: false });
    const e = res.body.explanation;
    expect(e.template).toBe('Connection timeout to db-<*> after <*>s');
    expect(e.pattern_id).toMatch(/^[0-9a-f]{16}$/);
    expect(e.log).toMatchObject({ id: target.id, severity: 'error', service: 'billing', trace_id: TRACE });
    expect(e.similar).toMatchObject({ last_hour: 10, previous_hour: 3, last_day: 13 });
    expect(Date.parse(e.similar.first_seen)).toBe(Date.parse(new Date(p.now.getTime() - 30 * 3_600_000).toISOString()));
    // The one from checkout came 30 h ago: before the last day, within the lookback.
    expect(e.services).toEqual([{ service: 'billing', count: 13 }]);
    expect(e.severities).toEqual({ error: 13 });
    expect(e.shared_properties).toContainEqual({ key: 'region', value: 'eu', share: 1 });
    expect(e.trace.map((t: { message: string }) => t.message)).toEqual(['GET /checkout started', 'payment failed']);
    expect(e.summary).toContain('"Connection timeout to db-<*> after <*>s"');
    expect(e.summary).toContain('10 in the last hour, rising (10 against 3 in the hour before); 13 in the last 24 h; first seen 30 h ago');
    expect(e.summary).toMatch(/All of them share .*region=eu/);
    expect(e.summary).toContain('Its trace holds 2 other logs, 1 of them errors');
  });

  it('keeps an explanation per log until force_refresh, and finds a log without its timestamp', async () => {
    const first = await explain({ uuid: target.id });
    const again = await explain({ uuid: target.id });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body.cached).toBe(true);
    expect(again.body.generated_at).toBe(first.body.generated_at);
    const fresh = await explain({ uuid: target.id, force_refresh: true });
    expect(fresh.body).toMatchObject({ cached: false, force_refresh: true });
  });

  it('finds similar logs by pattern: wordings compaction mined into one pattern count together', async () => {
    const first = log(p.now, 3_900, { severity: 'warn', message: 'Worker pool alpha started on port 80', properties: { service: 'pool' } });
    await p.ingest([first]);
    await p.ingest([log(p.now, 3_800, { severity: 'warn', message: 'Worker pool bravo started on port 81', properties: { service: 'pool' } })]);
    const before = (await explain({ uuid: first.id, force_refresh: true })).body.explanation;
    expect([before.template, before.similar.last_day]).toEqual(['Worker pool alpha started on port <*>', 1]);
    // The hour before `now` is closed: its files merge, and the miner finds the pattern.
    expect(await p.t.service.storage.lake!.compactor!.runOnce(new Date(p.now.getTime() + 3_600_000))).toBeGreaterThan(0);
    const after = (await explain({ uuid: first.id, force_refresh: true })).body.explanation;
    expect([after.template, after.similar.last_day, after.services]).toEqual(['Worker pool <*> started on port <*>', 2, [{ service: 'pool', count: 2 }]]);
  });

  it('answers 404 for a log it cannot see and 400 for a body it cannot read', async () => {
    expect((await explain({ uuid: '0193f3c2-7b1e-7a4e-9d2c-5f6a7b8c9d0e' })).status).toBe(404);
    for (const bad of [{}, { uuid: 42 }, { uuid: target.id, timestamp: 'yesterday' }, { uuid: target.id, force_refresh: 'yes' }]) {
      const res = await explain(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await explain({ uuid: target.id }, 'phx_not_a_key')).status).toBe(401);
  });

  it('answers under the environments prefix too', async () => {
    const res = await p.t.request('POST', `/api/environments/${p.project}/logs/explainLogWithAI`, { token: p.key, body: { uuid: target.id } });
    expect(res.statusCode).toBe(201);
  });

  it('answers mutated bodies with a 4xx or success, never a 5xx', async () => {
    const rnd = random(99);
    const fives: string[] = [];
    for (let i = 0; i < 80; i++) {
      const body = mutate({ uuid: target.id, timestamp: target.timestamp, force_refresh: true }, rnd);
      const res = await explain(body);
      if (res.status >= 500) fives.push(`${JSON.stringify(body)} → ${JSON.stringify(res.body)}`);
    }
    expect(fives).toEqual([]);
  });
});
