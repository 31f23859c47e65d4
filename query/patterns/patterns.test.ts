// `pattern`, the message template, as GQL reads it: grouped by, filtered on, over logs ingested for real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logsInFiles, startTestService, type TestService } from '../../test/helpers/service.js';
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

  it('has its values suggested', async () => {
    const res = await t.request('GET', '/v1/gql/autocomplete?q=pattern:&cursor=8', { token: t.bootstrap.keys.goodlogs_secret });
    expect(res.json().suggestions.map((s: { text: string }) => s.text)).toContain('"Connection timeout to db-<*> after <*>s"');
  });

  it('sorts search rows', async () => {
    const { body } = await gql('severity:info | sort pattern asc | limit 1');
    expect(body.data.results[0].message).toBe('Cache warmed');
  });

  it('is not part of search rows', async () => {
    const { body } = await gql('pattern:"Cache warmed"');
    expect(body.data.results).toHaveLength(2);
    expect(body.data.results[0]).not.toHaveProperty('pattern');
  });
});

describe('patterns mined by compaction', () => {
  const ingest = async (messages: string[]) => {
    const before = (await gql('count')).body.data.results[0].value as number;
    const batch = messages.map((message) => ({ severity: 'warn', service: 'pool', message }));
    expect((await t.request('POST', '/v1/logs', { token: t.bootstrap.keys.goodlogs_secret, body: { batch } })).statusCode).toBe(202);
    await waitFor('the batch', async () => (await gql('count')).body.data?.results[0].value === before + messages.length);
    await logsInFiles(t);
  };

  it('groups wordings the masking cannot once compacted, and the patterns view lists them', async () => {
    // Two flushes, two files of this hour.
    await ingest(['Worker pool alpha started on port 80']);
    await ingest(['Worker pool bravo started on port 81', 'Worker pool bravo started on port 82']);
    // Not yet mined: each masked template is a pattern of its own.
    expect((await gql('service:pool | count by pattern')).body.data.results).toEqual([
      { pattern: 'Worker pool bravo started on port <*>', value: 2 },
      { pattern: 'Worker pool alpha started on port <*>', value: 1 },
    ]);
    // An hour later this hour is closed, and compaction merges its files.
    expect(await t.service.storage.lake!.compactor!.runOnce(new Date(Date.now() + 2 * 3_600_000))).toBeGreaterThan(0);
    expect((await gql('service:pool | count by pattern')).body.data.results).toEqual([{ pattern: 'Worker pool <*> started on port <*>', value: 3 }]);
    const { body } = await gql('service:pool | patterns');
    expect(body.data.results).toEqual([{
      pattern_id: expect.stringMatching(/^[0-9a-f]{16}$/), template: 'Worker pool <*> started on port <*>', count: 3,
      first_seen: expect.any(String), last_seen: expect.any(String), sample: 'Worker pool alpha started on port 80',
    }]);
    const id = body.data.results[0].pattern_id as string;
    expect((await gql(`pattern_id:${id} | count`)).body.data.results[0].value).toBe(3);
    // Rows not compacted yet whose masked template was mined take its pattern at query time.
    await ingest(['Worker pool bravo started on port 83']);
    expect((await gql(`pattern_id:${id} | count`)).body.data.results[0].value).toBe(4);
    // The saved patterns, all time: what compaction mined (the rows it merged).
    const saved = await t.request('GET', '/v1/patterns?limit=50', { token: t.bootstrap.keys.goodlogs_secret });
    expect(saved.json().patterns).toContainEqual({ id, template: 'Worker pool <*> started on port <*>', count: 3, first_seen: expect.any(String), last_seen: expect.any(String), sample: 'Worker pool alpha started on port 80' });
    // A key held to staging reads the patterns of its own logs (none here), never the saved ones of every environment.
    const staging = (await t.meta.createKey({ org_id: 'default', project_id: 'default', family: 'goodlogs', kind: 'secret', scopes: ['data:read'], environments: ['staging'], region: 'eu', name: 's' })).secret;
    expect((await t.request('GET', '/v1/patterns', { token: staging })).json()).toEqual({ patterns: [], total: 0 });
    const production = (await t.meta.createKey({ org_id: 'default', project_id: 'default', family: 'goodlogs', kind: 'secret', scopes: ['data:read'], environments: ['production'], region: 'eu', name: 'p' })).secret;
    expect((await t.request('GET', '/v1/patterns', { token: production })).json().patterns)
      .toContainEqual({ id, template: 'Worker pool <*> started on port <*>', count: 4, first_seen: expect.any(String), last_seen: expect.any(String), sample: 'Worker pool alpha started on port 80' });
    // The whole lake's view: every pattern, most common first.
    const all = (await gql('patterns')).body.data.results as { template: string; count: number }[];
    expect(all.map((p) => [p.template, p.count]).slice(0, 2)).toEqual([['Connection timeout to db-<*> after <*>s', 6], ['Worker pool <*> started on port <*>', 4]]);
  });

  it('is a stage only alone in its segment, of logs only', async () => {
    expect((await gql('message:patterns | count')).status).toBe(200);
    expect((await gql('patterns | count')).status).toBe(400);
    expect((await gql('from:events | patterns')).status).toBe(422);
  });
});
