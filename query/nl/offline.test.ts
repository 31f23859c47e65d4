import { describe, expect, it } from 'vitest';
import { offlineProvider } from './offline.js';
import type { NlMode, ProjectSchema } from './provider.js';
import { translate } from './translate.js';

const now = new Date('2026-06-15T12:34:00Z');
const schema: ProjectSchema = {
  services: ['billing', 'checkout', 'payment-gateway'],
  eventNames: ['signup', 'purchase', '$pageview'],
  properties: {
    logs: [{ key: 'duration_ms', type: 'number', volume: 10 }, { key: 'orderId', type: 'string', volume: 5 }, { key: 'status_code', type: 'number', volume: 5 }],
    events: [{ key: 'plan', type: 'string', volume: 9 }, { key: 'amount', type: 'number', volume: 9 }, { key: 'name', type: 'string', volume: 1 }],
  },
};
const nl = (prompt: string, mode: NlMode = 'explorer') => translate(offlineProvider, { prompt, mode, now, schema });

describe('offline natural language → GQL', () => {
  it.each([
    ['show me errors from the last hour', 'severity:error last:1h'],
    ['errors and warnings in checkout over the past 7 days', 'severity:error,warn service:checkout last:7d'],
    ['how many errors yesterday', 'severity:error since:2026-06-14 until:2026-06-15 | count'],
    ['count errors by service', 'severity:error | count by service'],
    ['top 5 services by errors in the last 24 hours', 'severity:error last:24h | count by service | top 5'],
    ['which services have the most errors today', 'severity:error since:2026-06-15 | count by service | top 10'],
    ['average duration_ms by service', 'avg(duration_ms) by service'],
    ['p95 duration ms for payment-gateway last 30 minutes', 'service:payment-gateway last:30m | p95(duration_ms)'],
    ['95th percentile of duration_ms', 'p95(duration_ms)'],
    ['warnings or worse from billing', 'severity>=warn service:billing'],
    ['logs containing "card declined" in production', 'environment:production "card declined"'],
    ['errors with status_code 503', 'severity:error status_code:503'],
    ['logs where duration_ms over 1000', 'duration_ms>1000'],
    ['how many signups per day this past month', 'event:signup last:30d from:events | count | timeslice 1d'],
    ['unique users last week', 'last:1w from:events | count_distinct(distinct_id)'],
    ['purchases where plan is pro', 'event:purchase plan:pro from:events'],
    ['count events by name', 'from:events | count by properties.name'],
    ['count events by event name', 'from:events | count by event'],
    ['the last 10 errors', 'severity:error | limit 10'],
    ['error count per hour', 'severity:error | count | timeslice 1h'],
    ['show me logs', 'from:logs'],
  ])('%s → %s', async (prompt, gql) => {
    const answer = await nl(prompt);
    expect(answer, answer.reason).toMatchObject({ gql, valid: true, provider: 'offline' });
  });

  it('says what it understood, as the seed shows', async () => {
    expect(await nl('show me errors from the last hour')).toEqual({
      gql: 'severity:error last:1h', valid: true, provider: 'offline',
      parsed: { source: 'logs', filters: [{ field: 'severity', op: 'eq', value: 'error' }] },
    });
  });

  it('answers alert conditions without a window or groups, with the threshold and window as hints', async () => {
    expect(await nl('alert me when there are more than 5 errors in checkout in 5 minutes', 'alert')).toMatchObject({
      gql: 'severity:error service:checkout', valid: true, alert: { threshold: 5, operator: 'above', window_minutes: 5 },
    });
    expect(await nl('average duration_ms above 800', 'alert')).toMatchObject({ gql: 'avg(duration_ms)', valid: true, alert: { threshold: 800 } });
    expect(await nl('errors by service', 'alert')).toMatchObject({ valid: false, reason: expect.stringMatching(/cannot group/) });
    expect(await nl('errors yesterday', 'alert')).toMatchObject({ valid: false, reason: expect.stringMatching(/window/) });
  });

  it('refuses rather than guesses', async () => {
    for (const prompt of ['what is the meaning of life', 'errors not from billing', 'average orderId', 'average', 'errors where orderId is', '', '   ?']) {
      const answer = await nl(prompt);
      expect(answer, prompt).toMatchObject({ gql: '', valid: false, reason: expect.any(String) });
    }
    expect((await nl('errors from zebra-service')).reason).toMatch(/'zebra-service'/);
    expect((await nl('average orderId')).reason).toMatch(/holds no numbers/);
  });
});
