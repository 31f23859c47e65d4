// The structured dialect answers in PostHog's log row shape (seed 001), keeping `id` for every surface.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFixtureDb } from '../../test/helpers/fixture-db.js';
import { runQuery } from './index.js';

const now = new Date('2026-06-15T12:00:00Z');
let db: Awaited<ReturnType<typeof openFixtureDb>>;
beforeAll(async () => { db = await openFixtureDb(); });
afterAll(() => db.close());

async function row(id: string) {
  const text = { dateRange: { date_from: '-1d' }, filterGroup: [{ key: 'id', operator: 'exact', value: id }] };
  const r = await runQuery(db.runner, { dialect: 'structured', text, now });
  if (r.dialect !== 'structured') throw new Error('not structured');
  expect(r.body.results).toHaveLength(1);
  return r.body.results[0];
}

describe('structured rows', () => {
  it('are PostHog log rows: text attributes, the service as service.name', async () => {
    expect(await row('1bfc83ff-3691-4d13-b549-85d11919d79b')).toEqual({
      id: '1bfc83ff-3691-4d13-b549-85d11919d79b',
      uuid: '1bfc83ff-3691-4d13-b549-85d11919d79b',
      timestamp: '2026-06-15T11:49:48.424Z',
      observed_timestamp: '2026-06-15T11:49:49.565Z',
      body: 'Search for "a_b" returned 0 results',
      severity_text: 'info',
      severity_number: 9,
      level: 'info',
      trace_id: '357ad46824f37bb2ad3f0bc842b24d57',
      span_id: 'dfbb01b6aafa2a8f',
      trace_flags: 0,
      attributes: { query: 'a_b', results: '0', service: 'search', env: 'prod' },
      resource_attributes: { 'service.name': 'search' },
      event_name: 'search.query',
    });
  });

  it('read absent values as PostHog defaults', async () => {
    const r = await row('8133412a-a9c8-405b-b147-cf4326e352f5');
    expect(r.body).toBe('');
    expect(typeof r.trace_id).toBe('string');
    expect(typeof r.event_name).toBe('string');
  });
});
