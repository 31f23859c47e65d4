import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../core/errors.js';
import type { LogRecord } from '../../core/records.js';
import { encodeRow } from '../../storage/lake/encode.js';
import { partitionDir } from '../../storage/lake/layout.js';
import { Manifest } from '../../storage/lake/manifest.js';
import { ParquetWriter } from '../../storage/lake/parquet.js';
import { QueryEngine } from './engine.js';
import { Semaphore } from './semaphore.js';

function log(i: number, project: string, environment: string): LogRecord {
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, project_id: project, environment,
    timestamp: '2026-06-15T11:30:00.000Z', observed_timestamp: '2026-06-15T11:30:00.000Z', severity: 'info', severity_number: 9,
    message: `${project} secret ${i}`, service: 'svc', action: null, tags: [], trace_id: null, span_id: null, trace_flags: null,
    properties: {}, resource: {}, receiver: 'test',
  };
}

let lakeDir: string;
let manifest: Manifest;
let engine: QueryEngine;
const window = { from: new Date('2026-06-15T00:00:00Z'), to: new Date('2026-06-16T00:00:00Z') };

beforeAll(async () => {
  lakeDir = mkdtempSync(join(tmpdir(), 'loglake-engine-'));
  manifest = new Manifest(lakeDir);
  manifest.open();
  const writer = await ParquetWriter.create();
  for (const project of ['alpha', 'bravo']) {
    const staged = join(lakeDir, '..', `${project}-${process.pid}.ndjson`);
    const envs = ['production', 'staging', 'production'];
    writeFileSync(staged, envs.map((e, i) => encodeRow('logs', log(i, project, e))).join('\n'));
    const dir = partitionDir(lakeDir, project, 'logs', '2026-06-15T11');
    mkdirSync(dir, { recursive: true });
    const rows = await writer.fromNdjson('logs', [staged], join(dir, 'a.parquet'));
    manifest.commitSync('bus', [{ path: join(project, 'logs', 'date=2026-06-15', 'hour=11', 'a.parquet'), project, table: 'logs', hour: '2026-06-15T11', rows, bytes: statSync(join(dir, 'a.parquet')).size }], []);
  }
  writer.close();
  engine = new QueryEngine(manifest, { timeoutMs: 300, maxConcurrent: 2, memoryLimit: '1GB' });
  await engine.start();
});
afterAll(() => engine.close());

const count = (scope: { project: string; environments: string[] | null }, sql = 'SELECT count(*)::INTEGER AS n, min(message) AS m FROM logs') =>
  engine.withRelations(scope, ['logs'], window, (rel) => rel.all(sql));

describe('QueryEngine', () => {
  it('reads exactly one project’s files, in the scope’s environments', async () => {
    expect(await count({ project: 'alpha', environments: null })).toEqual([{ n: 3, m: 'alpha secret 0' }]);
    expect(await count({ project: 'bravo', environments: null })).toEqual([{ n: 3, m: 'bravo secret 0' }]);
    expect((await count({ project: 'alpha', environments: ['staging'] }))[0].n).toBe(1);
    expect((await count({ project: 'alpha', environments: [] }))[0].n).toBe(0);
    expect((await count({ project: 'charlie', environments: null }))[0].n).toBe(0);
  });

  it('answers from the files on disk while a committed one is not renamed into place yet', async () => {
    const path = join('alpha', 'logs', 'date=2026-06-15', 'hour=11', 'not-yet.parquet');
    manifest.commitSync('bus', [{ path, project: 'alpha', table: 'logs', hour: '2026-06-15T11', rows: 5, bytes: 1 }], []);
    expect(await count({ project: 'alpha', environments: null })).toEqual([{ n: 3, m: 'alpha secret 0' }]);
    await manifest.replace([], [path]);
  });

  it('prunes by the window’s hours', async () => {
    const n = await engine.withRelations({ project: 'alpha', environments: null }, ['logs'], { from: new Date('2026-06-15T12:00:00Z'), to: null },
      (rel) => rel.all('SELECT count(*)::INTEGER AS n FROM logs'));
    expect(n).toEqual([{ n: 0 }]);
  });

  it('cancels a query past the timeout and stays usable', async () => {
    const started = Date.now();
    const heavy = count({ project: 'alpha', environments: null }, 'SELECT count(*) AS n FROM range(100000000000) a');
    await expect(heavy).rejects.toBeInstanceOf(ApiError);
    await expect(heavy).rejects.toMatchObject({ status: 504 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await count({ project: 'alpha', environments: null }))[0].n).toBe(3);
  });
});

describe('Semaphore', () => {
  it('admits at most its size and serves waiters in order', async () => {
    const s = new Semaphore(2);
    const order: string[] = [];
    const a = await s.acquire();
    const b = await s.acquire();
    const c = s.acquire().then((release) => { order.push('c'); return release; });
    const d = s.acquire().then((release) => { order.push('d'); return release; });
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    a();
    (await c)();
    b();
    (await d)();
    expect(order).toEqual(['c', 'd']);
  });
});
