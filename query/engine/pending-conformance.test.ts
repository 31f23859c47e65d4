// The public conformance corpus over the writer's pending rows alone: the dataset is published into a
// fresh project for every few cases, which query it before any of it is in a file, so each statement reads
// its columns from the staging files as `columns.ts` narrows them, and must answer as the corpus expects.
// (Rows held over a second are converted into a table for later queries, hence a project per few cases: a
// case that runs later than that is answered from the table, which the corpus judges the same.)
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.js';
import { parseCanonical } from '../../core/canonical.js';
import { TABLES } from '../../core/tables.js';
import { publishBatch } from '../../storage/bus/producer.js';
import { openStorage, type Storage } from '../../storage/storage.js';
import { answerOutcome, judge, loadCases, SPEC_DIR, tally, type Case, type Outcome } from '../../test/helpers/conformance.js';
import { waitFor } from '../../test/helpers/ports.js';
import { executeQuery } from '../execute.js';
import { QueryError } from '../language/index.js';
import { QueryEngine } from './engine.js';

const cases = loadCases();
const stored = JSON.parse(readFileSync(join(SPEC_DIR, 'fixtures', 'dataset.json'), 'utf8')) as Record<(typeof TABLES)[number], unknown[]>;
const rowsPerProject = TABLES.reduce((n, table) => n + stored[table].length, 0);
/** Cases per project: each project's rows are ~300 partitions, which the writer's last flush writes as files. */
const CASES_PER_PROJECT = 20;

describe('the public conformance corpus over pending rows only', () => {
  let storage: Storage;
  let engine: QueryEngine;
  const results = tally('conformance (pending rows)');
  let ran = 0;
  let project = '';

  beforeAll(async () => {
    // Nothing is flushed while the cases run: every row read is a pending one.
    const config = configSchema.parse({
      storage: { data_dir: mkdtempSync(join(tmpdir(), 'loglake-pending-conformance-')), bus: { kind: 'embedded' }, writer: { flush_interval_ms: 600_000, max_buffered_rows: 10_000_000, max_pending_messages: 1_000_000 } },
    });
    storage = await openStorage(config, pino({ level: 'silent' }), { writer: true });
    engine = new QueryEngine(storage.index!, { timeoutMs: 30_000, maxConcurrent: 2, memoryLimit: '512MB' }, storage.lake!.writer.pending);
    await engine.start();
  });
  afterAll(async () => {
    console.log(results.line());
    await engine?.close();
    await storage?.close();
  }, 300_000);

  /** A fresh project holding the whole dataset, pending. */
  async function publishProject(): Promise<string> {
    const name = `project-${ran}`;
    const writer = storage.lake!.writer;
    const before = (await writer.status()).bufferedRows;
    for (const table of TABLES) {
      const records = stored[table].map((raw) => parseCanonical(table, raw, name));
      await publishBatch(storage.bus, { table, projectId: name, records: records as never, context: { receiver: 'import', requestId: `${name}-${table}` } }, { attempts: 1, timeoutMs: 10_000 });
    }
    await waitFor('the project’s rows pending', async () => (await writer.status()).bufferedRows >= before + rowsPerProject, 10_000, 5);
    return name;
  }

  async function outcome(c: Case): Promise<Outcome | string> {
    if (ran++ % CASES_PER_PROJECT === 0) project = await publishProject();
    const writer = storage.lake!.writer;
    try {
      const result = await executeQuery(engine, { project, environments: null }, { dialect: c.dialect, text: c.query, source: c.source, params: c.params, now: new Date(c.now) });
      const headers = 'headers' in result ? result.headers : {};
      return answerOutcome(c.dialect, result.body, (name) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1]);
    } catch (err) {
      if (err instanceof QueryError) return { kind: 'error', type: err.type, code: err.toJSON().code };
      return `threw ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      expect(writer.rowsWritten, 'nothing flushed').toBe(0);
    }
  }

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (id, c) => {
    const o = await outcome(c);
    const problem = typeof o === 'string' ? o : judge(c, o);
    results.record(id, problem);
    expect(problem, `${id}: ${typeof c.query === 'string' ? c.query : JSON.stringify(c.query)}`).toBeNull();
  });
});
