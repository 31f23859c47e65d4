import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../../test/helpers/service.js';

let t: TestService;
let gl: string;
let ph: string;
let project: string;

beforeAll(async () => {
  // Rules are checked every minute from creation; nothing here waits for a check.
  t = await startTestService({ alerts: { enabled: false } });
  gl = t.bootstrap.keys.goodlogs_secret;
  ph = t.bootstrap.keys.posthog_personal;
  project = t.bootstrap.project_id;
});
afterAll(() => t.close());

const goodlogs = async (method: string, url: string, body?: unknown, token = gl) => {
  const res = await t.request(method, url, { token, body });
  return { status: res.statusCode, body: res.body ? res.json() : undefined };
};
const posthog = async (method: string, path: string, body?: unknown) => {
  const res = await t.request(method, `/api/projects/${project}/logs/alerts${path}`, { token: ph, body });
  return { status: res.statusCode, body: res.body ? res.json() : undefined };
};

const rule = { name: 'Checkout errors', query: 'severity:error service:checkout', threshold: 5 };

async function refusedField(send: () => Promise<{ status: number; body: any }>, field: string): Promise<any> {
  const res = await send();
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_ERROR');
  expect(res.body.error.details.field).toBe(field);
  expect(res.body.error.message).toMatch(new RegExp(`^${field}: `));
  return res.body.error;
}

describe('GoodLogs /v1/alerts', () => {
  it('refuses destinations at link-local addresses (cloud metadata), by IP or by a name that resolves there', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://[fe80::1]:8080/hook', 'http://[::ffff:169.254.169.254]/']) {
      const error = await refusedField(() => goodlogs('POST', '/v1/alerts', { ...rule, destinations: [{ type: 'webhook', url }] }), 'destinations');
      expect(error.message).toMatch(/link-local/);
    }
    const created = await goodlogs('POST', '/v1/alerts', { ...rule, destinations: [{ type: 'webhook', url: 'http://127.0.0.1:9/hook' }] });
    expect(created.status, 'private addresses are allowed by default').toBe(201);
    await refusedField(() => goodlogs('PUT', `/v1/alerts/${created.body.id}`, { destinations: [{ type: 'slack', url: 'http://169.254.169.254/' }] }), 'destinations');
    await refusedField(() => posthog('POST', '', { name: 'x', threshold_count: 1, destinations: [{ type: 'webhook', url: 'http://169.254.169.254/' }] }), 'destinations');
    expect((await goodlogs('DELETE', `/v1/alerts/${created.body.id}`)).status).toBe(200);
  });

  it('creates a rule with defaults, lists it, updates the fields sent and deletes it', async () => {
    const created = await goodlogs('POST', '/v1/alerts', { ...rule, destinations: [{ type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' }] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      ...rule, operator: 'above', window_minutes: 5, check_interval_minutes: 1, evaluation_periods: 1, datapoints_to_alarm: 1,
      cooldown_minutes: 0, snooze_until: null, enabled: true, filters: null, state: 'not_firing', destination_types: ['slack'],
      consecutive_failures: 0, last_error_message: null, last_checked_at: null,
    });
    expect(created.body.next_check_at).toBe(created.body.created_at);
    expect(created.body.state_timeline).toEqual([{ start: created.body.created_at, end: null, state: 'not_firing', enabled: true }]);
    const id = created.body.id;

    expect((await goodlogs('GET', '/v1/alerts')).body.alerts.map((r: { id: string }) => r.id)).toContain(id);

    const updated = await goodlogs('PUT', `/v1/alerts/${id}`, { threshold: 10, operator: 'below', enabled: false });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: rule.name, query: rule.query, threshold: 10, operator: 'below', enabled: false, next_check_at: null });
    expect(updated.body.state_timeline.map((i: { enabled: boolean }) => i.enabled)).toEqual([true, false]);

    // An answer sent back as a body: the fields it only shows are ignored.
    const back = await goodlogs('PUT', `/v1/alerts/${id}`, { ...updated.body, name: 'Renamed' });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body.name).toBe('Renamed');

    expect(await goodlogs('DELETE', `/v1/alerts/${id}`)).toEqual({ status: 200, body: { id, deleted: true } });
    expect((await goodlogs('DELETE', `/v1/alerts/${id}`)).status).toBe(404);
    expect((await goodlogs('PUT', `/v1/alerts/${id}`, { threshold: 1 })).body.error.code).toBe('NOT_FOUND');
  });

  it('refuses an invalid rule naming the field at fault', async () => {
    const post = (body: unknown) => () => goodlogs('POST', '/v1/alerts', body);
    await refusedField(post({ query: 'x', threshold: 1 }), 'name');
    await refusedField(post({ name: 'n', threshold: 1 }), 'query');
    await refusedField(post({ ...rule, threshold: 'five' }), 'threshold');
    await refusedField(post({ ...rule, operator: 'sideways' }), 'operator');
    await refusedField(post({ ...rule, window_minutes: 0 }), 'window_minutes');
    await refusedField(post({ ...rule, check_interval_minutes: 1.5 }), 'check_interval_minutes');
    await refusedField(post({ ...rule, evaluation_periods: 3, datapoints_to_alarm: 4 }), 'datapoints_to_alarm');
    await refusedField(post({ ...rule, cooldown_minutes: -1 }), 'cooldown_minutes');
    await refusedField(post({ ...rule, snooze_until: 'tomorrow' }), 'snooze_until');
    await refusedField(post({ ...rule, destinations: [{ type: 'email', url: 'https://example.com' }] }), 'destinations');
    await refusedField(post({ ...rule, destinations: [{ type: 'webhook', url: 'ftp://example.com/x' }] }), 'destinations');
    await refusedField(post({ ...rule, treshold: 3 }), 'treshold');
    await refusedField(post([rule]), 'body');
    // A condition is one number over the rule's own window.
    await refusedField(post({ ...rule, query: 'severity:error last 1h' }), 'query');
    await refusedField(post({ ...rule, query: 'count by service' }), 'query');
    await refusedField(post({ ...rule, query: 'severity:error | limit 5' }), 'query');
    expect((await goodlogs('GET', '/v1/alerts')).body.alerts).toEqual([]);
  });

  it('refuses a query that does not parse with its query error', async () => {
    const res = await goodlogs('POST', '/v1/alerts', { ...rule, query: 'severity: | count' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', type: 'VALIDATION_QUERY_SYNTAX', position: 10, details: { field: 'query' } });
    expect(res.body.error.message).toMatch(/^query: /);
  });

  it('accepts aggregates and other sources as conditions', async () => {
    for (const query of ['count | where severity = \'error\'', 'p95(duration_ms) from:logs', 'from:events | count_distinct(distinct_id)', '']) {
      const res = await goodlogs('POST', '/v1/alerts', { ...rule, query });
      expect(res.status, `${query}: ${JSON.stringify(res.body)}`).toBe(201);
      await goodlogs('DELETE', `/v1/alerts/${res.body.id}`);
    }
  });

  it('keeps each project’s rules to its own keys', async () => {
    const { id } = (await goodlogs('POST', '/v1/alerts', rule)).body;
    const other = await t.meta.createProject('default', 'other', 'unlimited');
    const { secret } = await t.meta.createKey({
      org_id: 'default', project_id: other.id, family: 'goodlogs', kind: 'secret', scopes: ['alerts:read', 'alerts:write'], environments: null, region: 'eu', name: 'other',
    });
    expect((await goodlogs('GET', '/v1/alerts', undefined, secret)).body.alerts).toEqual([]);
    expect((await goodlogs('PUT', `/v1/alerts/${id}`, { threshold: 1 }, secret)).status).toBe(404);
    expect((await goodlogs('DELETE', `/v1/alerts/${id}`, undefined, secret)).status).toBe(404);
    expect((await goodlogs('GET', '/v1/alerts')).body.alerts[0]).toMatchObject({ id, threshold: 5 });
    await goodlogs('DELETE', `/v1/alerts/${id}`);
  });
});

describe('PostHog-style /api/projects/:project_id/logs/alerts', () => {
  const filters = { severityLevels: ['error'], serviceNames: ['checkout'] };

  it('creates, retrieves, patches, replaces and deletes a rule with every field of the seed', async () => {
    const created = await posthog('POST', '', {
      name: 'Checkout errors', filters, threshold_count: 5, threshold_operator: 'above', window_minutes: 10, evaluation_periods: 3,
      datapoints_to_alarm: 2, cooldown_minutes: 15, snooze_until: null, destinations: [{ type: 'webhook', url: 'https://example.com/hook' }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    for (const field of [
      'id', 'name', 'enabled', 'filters', 'threshold_count', 'threshold_operator', 'window_minutes', 'check_interval_minutes', 'state',
      'evaluation_periods', 'datapoints_to_alarm', 'cooldown_minutes', 'snooze_until', 'next_check_at', 'last_notified_at', 'last_checked_at',
      'consecutive_failures', 'last_error_message', 'state_timeline', 'destination_types', 'created_at', 'created_by', 'updated_at',
    ]) expect(created.body, field).toHaveProperty(field);
    expect(created.body).toMatchObject({ filters, threshold_count: 5, evaluation_periods: 3, datapoints_to_alarm: 2, destination_types: ['webhook'], state: 'not_firing' });
    const id = created.body.id;

    expect((await posthog('GET', `/${id}/`)).body).toEqual(created.body);
    const patched = await posthog('PATCH', `/${id}`, { snooze_until: '2030-01-01T00:00:00Z', threshold_count: 7 });
    expect(patched.body).toMatchObject({ snooze_until: '2030-01-01T00:00:00.000Z', threshold_count: 7, window_minutes: 10 });

    const replaced = await posthog('PUT', `/${id}`, { name: 'All logs', threshold_count: 100 });
    expect(replaced.body).toMatchObject({ name: 'All logs', threshold_count: 100, filters: {}, window_minutes: 5, evaluation_periods: 1, snooze_until: null, destinations: [] });
    await refusedField(() => posthog('PUT', `/${id}`, { name: 'no threshold' }), 'threshold_count');

    expect((await posthog('DELETE', `/${id}`)).status).toBe(204);
    expect((await posthog('GET', `/${id}`)).status).toBe(404);
  });

  it('refuses invalid rules naming the field, and filters that do not parse with their query error', async () => {
    await refusedField(() => posthog('POST', '', { name: 'n', threshold_count: 1.5 }), 'threshold_count');
    await refusedField(() => posthog('POST', '', { name: 'n', threshold_count: -1 }), 'threshold_count');
    await refusedField(() => posthog('POST', '', { name: 'n', threshold_count: 1, threshold_operator: 'over' }), 'threshold_operator');
    await refusedField(() => posthog('POST', '', { name: 'n', threshold_count: 1, filters: { dateRange: { date_from: '-1h' } } }), 'filters');
    const res = await posthog('POST', '', { name: 'n', threshold_count: 1, filters: { filterGroup: { type: 'AND', values: [{ key: 'a', operator: 'regex', value: 'x' }] } } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'VALIDATION_QUERY_SYNTAX', details: { field: 'filters', path: '/filterGroup/values/0/operator' } });
  });

  it('lists in pages of count, next, previous and results', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await posthog('POST', '', { name: `r${i}`, threshold_count: i })).body.id);
    const first = await posthog('GET', '?limit=2');
    expect(first.body).toMatchObject({ count: 3, previous: null });
    expect(first.body.results.map((r: { id: string }) => r.id)).toEqual(ids.slice(0, 2));
    expect(first.body.next).toMatch(new RegExp(`/api/projects/${project}/logs/alerts\\?limit=2&offset=2$`));
    const second = await posthog('GET', '/?limit=2&offset=2');
    expect(second.body.results.map((r: { id: string }) => r.id)).toEqual(ids.slice(2));
    expect(second.body.next).toBeNull();
    expect(second.body.previous).toMatch(/\?limit=2&offset=0$/);
    expect((await posthog('GET', '?limit=0')).status).toBe(400);
    for (const id of ids) await posthog('DELETE', `/${id}`);
  });

  it('shows the same rules as GoodLogs: one model, each API’s spelling', async () => {
    const fromGoodlogs = (await goodlogs('POST', '/v1/alerts', rule)).body;
    const fromPosthog = (await posthog('POST', '', { name: 'PostHog rule', filters, threshold_count: 3, threshold_operator: 'below' })).body;
    expect((await posthog('GET', `/${fromGoodlogs.id}`)).body).toMatchObject({ query: rule.query, filters: null, threshold_count: 5, threshold_operator: 'above' });
    const listed = (await goodlogs('GET', '/v1/alerts')).body.alerts.find((r: { id: string }) => r.id === fromPosthog.id);
    expect(listed).toMatchObject({ query: null, filters, threshold: 3, operator: 'below' });
    // A condition written through the other API replaces the one there was.
    expect((await goodlogs('PUT', `/v1/alerts/${fromPosthog.id}`, { query: 'severity:fatal' })).body).toMatchObject({ query: 'severity:fatal', filters: null });
    expect((await posthog('PATCH', `/${fromGoodlogs.id}`, { filters })).body).toMatchObject({ query: null, filters });
    await goodlogs('DELETE', `/v1/alerts/${fromGoodlogs.id}`);
    await goodlogs('DELETE', `/v1/alerts/${fromPosthog.id}`);
  });
});
