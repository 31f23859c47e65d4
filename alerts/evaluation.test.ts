// Alerting end to end in one process on the real clock: logs in through ingest, rules checked every second
// through the query engine, notifications to real HTTP receivers, state changes back through the bus.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../test/helpers/service.js';
import { waitFor } from '../test/helpers/ports.js';
import { startReceiver, type Receiver } from './testing.js';

const INTERVAL_MS = 1000;

let t: TestService;
let gl: string;
const receivers: Record<string, Receiver> = {};
const ids: Record<string, string> = {};
let burstAccepted = 0;

const rule = (id: string) => t.meta.getAlert(t.bootstrap.project_id, ids[id])!;
const firingSince = (id: string) => rule(id).status.state_timeline.find((i) => i.state === 'firing')?.start;

beforeAll(async () => {
  t = await startTestService({ alerts: { check_interval_override_seconds: INTERVAL_MS / 1000 } });
  gl = t.bootstrap.keys.goodlogs_secret;
  for (const name of ['webhook', 'slack', 'flaky', 'cooled', 'snoozed', 'm_of_n']) {
    receivers[name] = await startReceiver(name === 'flaky' ? (n) => (n <= 2 ? 503 : 200) : undefined);
  }
  const create = async (id: string, body: Record<string, unknown>) => {
    const res = await t.request('POST', '/v1/alerts', { token: gl, body: { query: 'severity:error service:checkout', threshold: 3, window_minutes: 1, ...body } });
    expect(res.statusCode, res.body).toBe(201);
    ids[id] = res.json().id;
  };
  await create('main', {
    name: 'Checkout errors',
    destinations: [{ type: 'webhook', url: receivers.webhook.url }, { type: 'slack', url: receivers.slack.url }, { type: 'webhook', url: receivers.flaky.url }],
  });
  await create('cooled', { name: 'Cooled', cooldown_minutes: 10, destinations: [{ type: 'webhook', url: receivers.cooled.url }] });
  await create('snoozed', { name: 'Snoozed', snooze_until: new Date(Date.now() + 3_600_000).toISOString(), destinations: [{ type: 'webhook', url: receivers.snoozed.url }] });
  // A key held to staging makes a rule that reads staging only: the burst (production) is not its to count.
  const { secret: staging } = await t.meta.createKey({
    org_id: 'default', project_id: t.bootstrap.project_id, family: 'goodlogs', kind: 'secret', scopes: ['alerts:write'], environments: ['staging'], region: 'eu', name: 'staging',
  });
  const held = await t.request('POST', '/v1/alerts', { token: staging, body: { name: 'Staging only', query: 'severity:error service:checkout', threshold: 0, window_minutes: 1 } });
  expect(held.statusCode, held.body).toBe(201);
  ids.staging = held.json().id;
  const mOfN = await t.request('POST', `/api/projects/${t.bootstrap.project_id}/logs/alerts`, {
    token: t.bootstrap.keys.posthog_personal,
    body: {
      name: 'Three of three', filters: { severityLevels: ['error'], serviceNames: ['checkout'] }, threshold_count: 3, window_minutes: 1,
      evaluation_periods: 3, datapoints_to_alarm: 3, destinations: [{ type: 'webhook', url: receivers.m_of_n.url }],
    },
  });
  expect(mOfN.statusCode, mOfN.body).toBe(201);
  ids.m_of_n = mOfN.json().id;

  await waitFor('a first check of every rule', async () => Object.keys(ids).every((id) => rule(id).status.last_checked_at !== null), 10_000, 50);
  expect(rule('main').status.state).toBe('not_firing');

  // Errors from 50 s ago: inside the one-minute window now, out of it ten seconds later, so the burst stops by itself.
  const timestamp = new Date(Date.now() - 50_000).toISOString();
  const batch = Array.from({ length: 5 }, (_, i) => ({ severity: 'error', message: `card declined ${i}`, timestamp, properties: { service: 'checkout' } }));
  const res = await t.request('POST', '/v1/logs', { token: gl, body: { batch: [...batch, { severity: 'error', message: 'other', properties: { service: 'search' } }] } });
  expect(res.statusCode).toBe(202);
  burstAccepted = Date.now();
}, 60_000);

afterAll(async () => {
  await t.close();
  await Promise.all(Object.values(receivers).map((r) => r.close()));
});

describe('alert evaluation', () => {
  it('fires on a burst of errors within two check intervals and tells every destination once', async () => {
    await waitFor('the rule to fire', async () => rule('main').status.state === 'firing', 10_000, 20);
    expect(Date.parse(firingSince('main')!) - burstAccepted).toBeLessThan(2 * INTERVAL_MS + 500);
    expect(rule('main').status.last_value).toBe(5);
    expect(rule('staging').status).toMatchObject({ state: 'not_firing', last_value: 0 });

    await waitFor('the webhook', async () => receivers.webhook.received.length === 1);
    const notice = receivers.webhook.received[0].body;
    expect(notice).toMatchObject({
      rule: { id: ids.main, name: 'Checkout errors', project_id: t.bootstrap.project_id },
      state: 'firing', previous_state: 'not_firing', value: 5, threshold: 3, operator: 'above', query: 'severity:error service:checkout',
      window: { minutes: 1 },
    });
    expect(Date.parse(notice.window.to) - Date.parse(notice.window.from)).toBe(60_000);
    expect(decodeURIComponent(notice.link)).toMatch(new RegExp(`^http://localhost:\\d+/api/orgs/default/projects/${t.bootstrap.project_id}/gql\\?q=severity:error service:checkout \\| last 1m$`));

    await waitFor('the Slack message', async () => receivers.slack.received.length === 1);
    expect(receivers.slack.received[0].body.text).toBe('Alert "Checkout errors" :rotating_light: is firing: 5 (threshold: above 3, last 1 min)');
    expect(receivers.slack.received[0].body.blocks.length).toBeGreaterThan(0);

    // The flaky receiver fails twice; the queue tries again after 1 s, then 2 s.
    await waitFor('the flaky receiver to accept', async () => receivers.flaky.received.at(-1)?.status === 200, 10_000);
    expect(receivers.flaky.received.map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('fires the M-of-N rule (PostHog filters) only after three breaching checks in a row', async () => {
    await waitFor('three of three', async () => rule('m_of_n').status.state === 'firing', 10_000, 20);
    expect(rule('m_of_n').status.datapoints).toEqual([true, true, true]);
    expect(Date.parse(firingSince('m_of_n')!) - Date.parse(firingSince('main')!)).toBeGreaterThanOrEqual(INTERVAL_MS - 100);
  });

  it('resolves when the burst leaves the window, telling destinations once more; nothing in between', async () => {
    await waitFor('the rule to resolve', async () => rule('main').status.state === 'resolved', 30_000, 50);
    await waitFor('the resolved notice', async () => receivers.webhook.received.length === 2);
    expect(receivers.webhook.received.map((r) => r.body.state)).toEqual(['firing', 'resolved']);
    await waitFor('the resolved Slack message', async () => receivers.slack.received.length === 2);
    expect(receivers.slack.received[1].body.text).toMatch(/^Alert "Checkout errors" :white_check_mark: is resolved: 0 /);
    expect(rule('main').status.state_timeline.map((i) => i.state)).toEqual(['not_firing', 'firing', 'resolved']);
  });

  it('holds the resolved notice inside the cooldown, and announces nothing while snoozed', async () => {
    await waitFor('the other rules to resolve', async () => ['cooled', 'snoozed', 'm_of_n'].every((id) => rule(id).status.state === 'resolved'), 30_000, 50);
    await new Promise((resolve) => setTimeout(resolve, 2 * INTERVAL_MS));
    expect(receivers.cooled.received.map((r) => r.body.state)).toEqual(['firing']);
    expect(rule('cooled').status.notified_state).toBe('firing');
    expect(receivers.snoozed.received).toEqual([]);
    expect(rule('snoozed').status.state_timeline.map((i) => i.state)).toEqual(['not_firing', 'firing', 'resolved']);
  });

  it('writes every state change to alert_events: `from:alert_events | last 7d` is the timeline', async () => {
    const changes = (rows: { alert_id: string; state: string }[], id: string) => rows.filter((r) => r.alert_id === ids[id]);
    const rows = await waitFor('the alert events in the lake', async () => {
      const res = await t.request('POST', '/v1/gql/query', { token: gl, body: { q: 'from:alert_events | last 7d' } });
      const results = res.json().data.results as { alert_id: string; state: string }[];
      return Object.keys(ids).every((id) => changes(results, id).length === (id === 'staging' ? 0 : 2)) && results;
    }, 10_000);
    // Newest first, as every search answers.
    expect(changes(rows, 'main')).toEqual([
      expect.objectContaining({ alert_name: 'Checkout errors', state: 'resolved', value: 0, threshold: 3 }),
      expect.objectContaining({ alert_name: 'Checkout errors', state: 'firing', value: 5, threshold: 3 }),
    ]);
    expect(changes(rows, 'snoozed').map((r) => r.state)).toEqual(['resolved', 'firing']);
    const firing = await t.request('POST', '/v1/gql/query', { token: gl, body: { q: `from:alert_events | where state:firing alert_id = "${ids.main}" | count | last 7d` } });
    expect(firing.json().data.results[0].value).toBe(1);
  });
});
