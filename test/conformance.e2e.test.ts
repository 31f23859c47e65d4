import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../core/tables.js';
import { FileMetaStore } from '../storage/meta/file-store.js';
import { answerOutcome, judge, loadCases, SPEC_DIR, tally, type Case, type Outcome } from './helpers/conformance.js';
import { runLoglake, startLoglake, type BootstrapFile, type LoglakeProcess } from './helpers/loglake.js';
import { waitFor } from './helpers/ports.js';

/**
 * The conformance corpus through the real service, as its README prescribes: loglake started as its own
 * process with the query clock pinned to the cases' `now`, the dataset in the bootstrap project, every
 * case sent to its dialect's endpoint, the answers compared like the in-process run compares them.
 *
 * The dataset is loaded both ways the README names, each into a data directory of its own, and both must
 * pass: normalised records through the bus and writer (`loglake import`, run before the service starts,
 * since the embedded bus belongs to one process), and the raw records through GoodLogs ingest (logs and
 * events; alert events have no ingest API, so they are imported).
 */

const cases = loadCases();

/** The query clock is the process's; cases with another `now` need a process of their own. */
const byNow = [...cases.reduce((groups, c) => groups.set(c.now, [...(groups.get(c.now) ?? []), c]), new Map<string, Case[]>())];

const dataset = (file: string) => JSON.parse(readFileSync(join(SPEC_DIR, 'fixtures', file), 'utf8')) as Record<(typeof TABLES)[number], unknown[]>;
const stored = dataset('dataset.json');

interface Keys {
  goodlogs: string;
  posthog: string;
  logtrail: string;
  logtrace: string;
  project: string;
}

interface Loading {
  name: string;
  /** Run on the data directory before any service holds it. */
  beforeStart(dataDir: string): Promise<void>;
  /** Run once, through the first service started on it. */
  throughService?(p: LoglakeProcess, keys: Keys): Promise<void>;
}

const importTable = (dataDir: string, file: string, table: string) =>
  runLoglake(['import', join(SPEC_DIR, 'fixtures', file), '--table', table, '--project', 'default'], { dataDir });

const LOADINGS: Loading[] = [
  {
    name: 'loaded with loglake import',
    async beforeStart(dataDir) {
      for (const table of TABLES) await importTable(dataDir, 'dataset.json', table);
    },
  },
  {
    name: 'sent through GoodLogs ingest',
    beforeStart: (dataDir) => importTable(dataDir, 'dataset.json', 'alert_events').then(() => undefined),
    async throughService(p, keys) {
      const raw = dataset('dataset.ingest.json');
      for (const [table, path] of [['logs', '/v1/logs'], ['events', '/v1/events']] as const) {
        const res = await post(p, path, { authorization: `Bearer ${keys.goodlogs}` }, { batch: raw[table] });
        expect([res.status, res.body.accepted], JSON.stringify(res.body)).toEqual([202, raw[table].length]);
      }
    },
  },
];

async function post(p: LoglakeProcess, path: string, auth: Record<string, string>, body: unknown) {
  const res = await fetch(`${p.url}${path}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
}

/**
 * The admin API and `loglake keys` hold a Logtrail key to one environment, as the seed's keys are; the
 * dataset spans three. So the test writes keys for every environment straight into the metadata store, as
 * `loglake keys` does (its lock makes that safe while the service runs).
 */
async function allEnvironmentKeys(dataDir: string, boot: BootstrapFile): Promise<Keys> {
  const meta = new FileMetaStore(join(dataDir, 'meta'));
  await meta.open();
  try {
    const reader = async (family: 'logtrail' | 'logtrace') => (await meta.createKey({
      org_id: boot.org_id, project_id: boot.project_id, family, kind: 'secret', scopes: ['logs:read'], environments: null, region: 'eu', name: 'conformance',
    })).secret;
    return { goodlogs: boot.keys.goodlogs_secret, posthog: boot.keys.posthog_personal, logtrail: await reader('logtrail'), logtrace: await reader('logtrace'), project: boot.project_id };
  } finally {
    await meta.close();
  }
}

/** Every record of the dataset is queryable (an explicit window, so the pinned clock does not matter). */
async function loaded(p: LoglakeProcess, keys: Keys): Promise<void> {
  for (const table of TABLES) {
    const q = `from:${table} | count | since 2000-01-01 until 2100-01-01`;
    await waitFor(`${stored[table].length} ${table}`, async () => {
      const res = await post(p, '/v1/gql/query', { authorization: `Bearer ${keys.goodlogs}` }, { q });
      return res.body.data?.results?.[0]?.value === stored[table].length;
    }, 60_000, 200);
  }
}

/** The README's mapping of dialects to endpoints. */
function request(c: Case, keys: Keys): [string, Record<string, string>, unknown] {
  switch (c.dialect) {
    case 'gql': return ['/v1/gql/query', { authorization: `Bearer ${keys.goodlogs}` }, { q: c.query, source: c.source }];
    case 'lcql': return ['/api/v1/workspace/logs/query', { 'x-api-key': keys.logtrail }, { query: c.query, ...c.params }];
    case 'kql': return ['/v1/logs/query', { authorization: `Bearer ${keys.logtrace}` }, { filter: c.query, ...c.params }];
    case 'structured': return [`/api/projects/${keys.project}/logs/query`, { authorization: `Bearer ${keys.posthog}` }, { query: c.query }];
  }
}

async function outcome(p: LoglakeProcess, keys: Keys, c: Case): Promise<Outcome> {
  const res = await post(p, ...request(c, keys));
  if (res.status === 200) return answerOutcome(c.dialect, res.body, (name) => res.headers.get(name) ?? undefined);
  // Logtrail names the error type `error_code`; the other surfaces answer `{error: {code, type}}`.
  return c.dialect === 'lcql'
    ? { kind: 'error', status: res.status, type: res.body.error_code }
    : { kind: 'error', status: res.status, type: res.body.error?.type, code: res.body.error?.code };
}

describe.each(LOADINGS)('conformance through HTTP, dataset $name', (loading) => {
  const results = tally('conformance (HTTP)');
  let dataDir: string;
  let keys: Keys | null = null;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'loglake-conformance-'));
    await loading.beforeStart(dataDir);
  }, 180_000);
  afterAll(() => {
    console.log(`${results.line()} [dataset ${loading.name}]`);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  describe.each(byNow)('now = %s', (now, group) => {
    let p: LoglakeProcess;

    beforeAll(async () => {
      p = await startLoglake({ dataDir, env: { LOGLAKE_QUERY_NOW: now } });
      if (!keys) {
        keys = await allEnvironmentKeys(dataDir, p.bootstrap());
        await loading.throughService?.(p, keys);
      }
      await loaded(p, keys);
    }, 180_000);
    // A clean stop: the next `now` restarts on the same directory.
    afterAll(async () => {
      await p?.kill('SIGTERM');
    });

    it.each(group.map((c) => [c.id, c] as const))('%s', async (id, c) => {
      const problem = judge(c, await outcome(p, keys!, c));
      results.record(id, problem);
      expect(problem, `${id}: ${typeof c.query === 'string' ? c.query : JSON.stringify(c.query)}`).toBeNull();
    });
  });
});
