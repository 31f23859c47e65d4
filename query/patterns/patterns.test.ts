// `pattern`, the message template, as GQL reads it: grouped by, filtered on, over logs ingested for real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../../test/helpers/service.js';
import { waitFor } from '../../test/helpers/ports.js';

let t: TestService;
const gql = async (q: string) => {
  const res = await t.request('POST', '/v1/gql/query', { token: t.bootstrap.keys.goodlogs_secret, body: { q } });
  return { status: res.statusCode, body: res.json() };
};

beforeAll(async () => {
  t = await startTestService();
  const batch = [
    ...Array.from({ length: 6 }, (_, i) => ({ severity: 'error', message: `Connection timeout to db-${i} after ${i + 1}s` })),
    ...Array.from({ length: 3 }, (_, i) => ({ severity: 'info', message: `User ${100 + i} signed in from 10.0.0.${i}` })),
    { severity: 'info', message: 'Cache warmed' },
    { severity: 'info', properties: { pattern: 'a property, not the template' }, message: 'Cache warmed' },
  ];
  expect((await t.request('POST', '/v1/logs', { token: t.bootstrap.keys.goodlogs_secret, body: { batch } })).statusCode).toBe(202);
  await waitFor('the logs', async () => (await gql('count')).body.data?.results[0].value === batch.length);
});
afterAll(() => t.close());

describe('pattern', () => {
  it('groups logs by their message template', async () => {
    const { body } = await gql('count by pattern');
    expect(body.data.results).toEqual([
      { pattern: 'Connection timeout to db-<*> after <*>s', value: 6 },
      { pattern: 'User <*> signed in from <*>', value: 3 },
      { pattern: 'Cache warmed', value: 2 },
    ]);
  });

  it('filters on a template, and leaves a property of that name to properties.pattern', async () => {
    expect((await gql('pattern:"Connection timeout to db-<*> after <*>s" | count')).body.data.results[0].value).toBe(6);
    expect((await gql('severity:info pattern!="Cache warmed" | count')).body.data.results[0].value).toBe(3);
    expect((await gql('properties.pattern:"a property, not the template" | count')).body.data.results[0].value).toBe(1);
  });

  it('is not part of search rows', async () => {
    const { body } = await gql('pattern:"Cache warmed"');
    expect(body.data.results).toHaveLength(2);
    expect(body.data.results[0]).not.toHaveProperty('pattern');
  });
});
