// `npm run bench:patterns -- --query`: what reading a row's pattern costs a query, for compacted rows (their
// stored pattern_id) and for rows not compacted yet (masked per row), beside counting by message.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { labelledLogs } from './patterns-data.js';
import { preparePatterns } from '../query/patterns/lookup.js';
import { templateSql, templateOf } from '../query/patterns/template.js';
import { Drain, miningOrder } from '../query/patterns/drain.js';
import { PatternStore } from '../storage/catalog/patterns.js';
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
  await time('count by pattern_id, compacted rows', compacted, 'SELECT _pattern_id, count(*) FROM logs GROUP BY 1');
  await time('count by pattern_id, rows not compacted', fresh, 'SELECT _pattern_id, count(*) FROM logs GROUP BY 1');
  await time('count by pattern, compacted rows', compacted, 'SELECT _pattern, count(*) FROM logs GROUP BY 1');
  await time('count by pattern, rows not compacted', fresh, 'SELECT _pattern, count(*) FROM logs GROUP BY 1');
  c.closeSync();
  rmSync(dir, { recursive: true, force: true });
}
