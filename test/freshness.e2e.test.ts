import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LakeFile } from '../storage/lake/manifest.js';
import { lakeRowCount } from './helpers/lake.js';
import { deleteStream, MACHINE_NATS, machineNatsAvailable } from './helpers/nats.js';
import { waitFor } from './helpers/ports.js';
import { startTestService, type TestService } from './helpers/service.js';

const post = async (t: TestService, token: string, path: string, body: unknown) => t.request('POST', path, { token, body });

async function count(t: TestService, token: string, marker: string): Promise<number> {
  const res = await post(t, token, '/v1/gql/query', { q: `properties.run:"${marker}" | count | last:1d` });
  if (res.statusCode !== 200) throw new Error(`count: ${res.statusCode} ${res.body}`);
  return res.json().data.results[0]?.value ?? 0;
}

async function ingest(t: TestService, token: string, records: unknown[]): Promise<void> {
  const res = await post(t, token, '/v1/logs', { batch: records });
  if (res.statusCode !== 202) throw new Error(`ingest: ${res.statusCode} ${res.body}`);
}

describe('a record is queryable before the writer flushes it', () => {
  let t: TestService;
  let secret: string;

  beforeAll(async () => {
    // Far longer than any test here: every row these tests read is one the writer holds, not one in a file.
    t = await startTestService({}, { writer: { flush_interval_ms: 20_000 } });
    secret = t.bootstrap.keys.goodlogs_secret;
  });
  afterAll(async () => t?.close());

  const key = async (project: string, environments: string[] | null = null) => (await t.meta.createKey({
    org_id: t.bootstrap.org_id, project_id: project, family: 'goodlogs', kind: 'secret', scopes: ['data:read', 'ingest:write'], environments, region: 'eu', name: 'freshness',
  })).secret;

  it('answers a count and a search within a second of the 202, with the flush interval at 20 s', async () => {
    const marker = `fresh-${Date.now()}`;
    const acked = Date.now();
    await ingest(t, secret, [{ severity: 'warn', message: `${marker} arrived`, properties: { run: marker, order: 7 } }]);
    await waitFor('the record counted', async () => (await count(t, secret, marker)) === 1, 1000, 20);
    expect(Date.now() - acked).toBeLessThan(1000);
    const found = (await post(t, secret, '/v1/gql/query', { q: `properties.run:"${marker}" properties.order:7 last:1h` })).json();
    expect(found.data.results).toMatchObject([{ message: `${marker} arrived`, severity: 'warn' }]);
    expect(await lakeRowCount(t.dataDir, t.bootstrap.project_id, 'logs')).toBe(0);
  });

  it("never shows another project's pending rows", async () => {
    const other = await t.meta.createProject(t.bootstrap.org_id, 'Other project', 'unlimited');
    const otherKey = await key(other.id);
    const marker = `tenant-${Date.now()}`;
    await ingest(t, otherKey, Array.from({ length: 3 }, (_, i) => ({ severity: 'info', message: `${marker} other ${i}`, properties: { run: marker } })));
    await ingest(t, secret, [{ severity: 'info', message: `${marker} own`, properties: { run: marker } }]);
    await waitFor("the other project's rows counted", async () => (await count(t, otherKey, marker)) === 3, 2000, 20);
    await waitFor('the own row counted', async () => (await count(t, secret, marker)) === 1, 2000, 20);
    expect(await count(t, secret, marker)).toBe(1);
    expect(await count(t, otherKey, marker)).toBe(3);
  });

  it("holds an environment-restricted key to its environments' pending rows", async () => {
    const production = await key(t.bootstrap.project_id, ['production']);
    const marker = `env-${Date.now()}`;
    await ingest(t, secret, [
      ...Array.from({ length: 2 }, (_, i) => ({ severity: 'info', message: `${marker} production ${i}`, environment: 'production', properties: { run: marker } })),
      ...Array.from({ length: 3 }, (_, i) => ({ severity: 'info', message: `${marker} staging ${i}`, environment: 'staging', properties: { run: marker } })),
    ]);
    await waitFor('all five counted', async () => (await count(t, secret, marker)) === 5, 2000, 20);
    expect(await count(t, production, marker)).toBe(2);
  });
});

/**
 * Clients post batches while a reader counts them without pause, across many flushes: every count lies
 * between the records answered 202 before it was asked and those posted before it was answered. A row
 * read both from its file and as pending would push a count past the upper bound, a row in neither below
 * the lower one.
 */
async function exactAcrossFlushes(t: TestService, minCommits = 4): Promise<void> {
  const secret = t.bootstrap.keys.goodlogs_secret;
  const marker = `exact-${Date.now()}`;
  const BATCH = 20;
  const BATCHES = 60;
  let commits = 0;
  const stop = t.service.storage.onCommitted((files: LakeFile[]) => (commits += files.length));
  let posted = 0;
  let acked = 0;
  let done = false;
  const client = async (c: number) => {
    for (let b = 0; b < BATCHES; b++) {
      posted += BATCH;
      await ingest(t, secret, Array.from({ length: BATCH }, (_, i) => ({ severity: 'info', message: `${marker} ${c}-${b}-${i}`, properties: { run: marker } })));
      acked += BATCH;
      await new Promise((r) => setTimeout(r, 40));
    }
  };
  const counts: { low: number; n: number; high: number }[] = [];
  const reader = async () => {
    while (!done) {
      const low = acked;
      const n = await count(t, secret, marker);
      counts.push({ low, n, high: posted });
    }
  };
  const reading = reader();
  await Promise.all([0, 1, 2].map(client));
  done = true;
  await reading;
  const total = 3 * BATCH * BATCHES;
  await waitFor('every row in a file', async () => (await lakeRowCount(t.dataDir, t.bootstrap.project_id, 'logs')) >= total);
  stop();
  expect(await count(t, secret, marker)).toBe(total);
  expect(commits).toBeGreaterThanOrEqual(minCommits);
  expect(counts.length).toBeGreaterThan(10);
  expect(counts.filter((c) => c.n < c.low || c.n > c.high)).toEqual([]);
}

describe('a record is counted once, before, during and after its flush', () => {
  it('on the embedded bus', async () => {
    const t = await startTestService({}, { writer: { flush_interval_ms: 150 } });
    try {
      await exactAcrossFlushes(t);
    } finally {
      await t.close();
    }
  });

  it('with a flush interval long enough that rows held over a second are converted ahead of the queries', async () => {
    const t = await startTestService({}, { writer: { flush_interval_ms: 1500 } });
    try {
      await exactAcrossFlushes(t, 2);
    } finally {
      await t.close();
    }
  });

  it('on JetStream, whose manifest learns of a commit by its watch', async (ctx) => {
    if (!(await machineNatsAvailable())) return ctx.skip(`no NATS with JetStream at ${MACHINE_NATS}`);
    const stream = `FRESH_${Date.now()}`;
    const t = await startTestService({}, { writer: { flush_interval_ms: 150 }, bus: { kind: 'jetstream', nats_url: MACHINE_NATS, stream, subject_prefix: stream.toLowerCase(), max_age_hours: 1 } });
    try {
      await exactAcrossFlushes(t);
    } finally {
      await t.close();
      await deleteStream(stream);
    }
  });
});
