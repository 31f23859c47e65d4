// `npm run bench:patterns -- --query`: what reading a row's pattern costs a query, for compacted rows (their
// stored pattern_id) and for rows not compacted yet (masked per row), beside counting by message.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { labelledLogs } from './patterns-data.js';
import { preparePatterns } from '../query/patterns/lookup.js';
import { templateSql, templateOf } from '../core/patterns/template.js';
import { Drain, miningOrder } from '../core/patterns/drain.js';
import { PatternMiner, PatternStore } from '../storage/catalog/patterns.js';
import { encodeRow } from '../storage/lake/encode.js';
import { ParquetWriter } from '../storage/lake/parquet.js';
export async function queryCost(n = 200_000): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'loglake-patterns-bench-'));
  const rows = join(dir, 'rows.ndjson');
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const c = await db.connect();
  const data = labelledLogs(n, 7);
  const counts = new Map<string, number>(); for (const d of data) { const m = templateOf(d.message); counts.set(m, (counts.get(m) ?? 0) + 1); }
  const drain = new Drain(); const members = new Map<string, string>();
  for (const { masked } of miningOrder([...counts].map(([masked, count]) => ({ masked, count })))) members.set(masked, drain.add(masked, counts.get(masked)!).id);
  const store = new PatternStore(join(dir, 'patterns'));
  store.save('p', { members, patterns: drain.clusters().map((k) => ({ id: k.id, template: k.template, count: k.count, first_seen: '2026-01-01T00:00:00.000Z', last_seen: '2026-01-01T00:00:00.000Z', sample: '' })) });
  writeFileSync(rows, data.map((d) => JSON.stringify({ message: d.message, pid: members.get(templateOf(d.message)) })).join('\n'));
  await c.run(`CREATE TABLE raw AS SELECT message, pid, TIMESTAMPTZ '2026-01-01' AS timestamp FROM read_json('${rows}', format='newline_delimited', columns={message:'VARCHAR', pid:'VARCHAR'})`);
  const rel = { all: async (sql: string) => (await c.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[] };
  const time = async (name: string, view: string, sql: string) => {
    const t: number[] = []; let n = 0;
    for (let r = 0; r < 3; r++) {
      await c.run(`CREATE OR REPLACE TEMP VIEW logs AS ${view}`);
      if (sql.includes('_pattern')) await preparePatterns(rel, store, 'p');
      const s = performance.now(); n = (await c.runAndReadAll(sql)).getRows().length; t.push(performance.now() - s);
    }
    t.sort((a, b) => a - b); console.log(`| ${name} | ${Math.round(t[1])} ms | ${n} |`);
  };
  const compacted = 'SELECT message, pid AS pattern_id, timestamp FROM raw';
  const fresh = 'SELECT message, CAST(NULL AS VARCHAR) AS pattern_id, timestamp FROM raw';
  console.log(`${data.length} rows, ${(await c.runAndReadAll('SELECT count(DISTINCT message) FROM raw')).getRows()[0][0]} distinct messages\n\n| query | median of 3 | groups |\n|---|---|---|`);
  await time('count by message (no masking)', compacted, 'SELECT message, count(*) FROM logs GROUP BY 1');
  await time('count by masked template (regex per row)', compacted, `SELECT ${templateSql('message')}, count(*) FROM logs GROUP BY 1`);
  await time('count by pattern_id, compacted rows', compacted, 'SELECT _pattern_id, count(*) FROM logs_patterned GROUP BY 1');
  await time('count by pattern_id, rows not compacted', fresh, 'SELECT _pattern_id, count(*) FROM logs_patterned GROUP BY 1');
  await time('count by pattern, compacted rows', compacted, 'SELECT _pattern, count(*) FROM logs_patterned GROUP BY 1');
  await time('count by pattern, rows not compacted', fresh, 'SELECT _pattern, count(*) FROM logs_patterned GROUP BY 1');
  c.closeSync();
  rmSync(dir, { recursive: true, force: true });
}

/** What mining adds to compaction: one partition of `n` rows in two files, merged without and with the miner. */
export async function compactionCost(n = 200_000): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'loglake-patterns-compact-'));
  const writer = await ParquetWriter.create();
  const data = labelledLogs(n, 9);
  const sources = [0, 1].map((f) => join(dir, `part-${f}.parquet`));
  for (const [f, path] of sources.entries()) {
    const staged = join(dir, `part-${f}.ndjson`);
    const half = data.slice((f * n) / 2, ((f + 1) * n) / 2);
    writeFileSync(staged, half.map((d, i) => encodeRow('logs', {
      id: `00000000-0000-4000-8000-${String(f * n + i).padStart(12, '0')}`, project_id: 'p', environment: 'production',
      timestamp: new Date(Date.UTC(2026, 5, 15, 11, 0, 0, i)).toISOString(), observed_timestamp: '2026-06-15T11:00:00.000Z',
      severity: 'info', severity_number: 9, message: d.message, service: `svc-${i % 5}`, action: null, tags: [], trace_id: null, span_id: null,
      trace_flags: null, properties: { n: i }, resource: {}, receiver: 'bench',
    })).join('\n'));
    await writer.fromNdjson('logs', [staged], path);
  }
  console.log(`\ncompaction of one partition, ${n} rows in 2 files (median of 3):\n\n| merge | time |\n|---|---|`);
  for (const [name, mined] of [['without patterns', false], ['with the miner (mine + merge)', true]] as const) {
    const t: number[] = [];
    for (let r = 0; r < 3; r++) {
      const start = performance.now();
      const withPatterns = mined ? await new PatternMiner(new PatternStore(join(dir, `patterns-${r}`))).mine(writer, 'p', 'logs', sources) : undefined;
      await writer.merge('logs', sources, join(dir, `merged-${name.length}-${r}.parquet`), withPatterns);
      t.push(performance.now() - start);
    }
    t.sort((a, b) => a - b);
    console.log(`| ${name} | ${Math.round(t[1])} ms |`);
  }
  // The current hour's merged file merged again with one new rolling file: only the new rows are mined.
  const merged = join(dir, 'merged-29-0.parquet');
  const fresh = join(dir, 'fresh.parquet');
  await writer.rows(`COPY (SELECT * FROM read_parquet('${sources[0]}') LIMIT 1000) TO '${fresh}' (FORMAT parquet)`);
  const t: number[] = [];
  for (let r = 0; r < 3; r++) {
    const start = performance.now();
    const withPatterns = await new PatternMiner(new PatternStore(join(dir, 'patterns-0'))).mine(writer, 'p', 'logs', [merged, fresh]);
    await writer.merge('logs', [merged, fresh], join(dir, `again-${r}.parquet`), withPatterns);
    t.push(performance.now() - start);
  }
  t.sort((a, b) => a - b);
  console.log(`| with the miner, the merged file + 1,000 new rows | ${Math.round(t[1])} ms |`);
  writer.close();
  rmSync(dir, { recursive: true, force: true });
}
