// Test support: the conformance dataset in an in-memory DuckDB with the storage layout of the lake
// (typed property maps, resource map), plus a SqlRunner over it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { SPEC_DIR } from '../../test/helpers/conformance.js';
import { MACROS_SQL, type SqlRunner } from './index.js';

export { SPEC_DIR };

type Rec = Record<string, unknown>;
interface Dataset { logs: Rec[]; events: Rec[]; alert_events: Rec[] }

/** Splits properties by JSON type into the three typed maps' entry lists. */
function typed(props: unknown): { s: Rec[]; n: Rec[]; b: Rec[] } {
  const out = { s: [] as Rec[], n: [] as Rec[], b: [] as Rec[] };
  for (const [k, v] of Object.entries((props ?? {}) as Rec)) {
    if (typeof v === 'string') out.s.push({ k, v });
    else if (typeof v === 'number') out.n.push({ k, v });
    else if (typeof v === 'boolean') out.b.push({ k, v });
  }
  return out;
}

const MAPS = 's: \'STRUCT(k VARCHAR, v VARCHAR)[]\', n: \'STRUCT(k VARCHAR, v DOUBLE)[]\', b: \'STRUCT(k VARCHAR, v BOOLEAN)[]\'';
const TYPED = 'map_from_entries(s) AS attrs_str, map_from_entries(n) AS attrs_num, map_from_entries(b) AS attrs_bool';

export async function openFixtureDb(): Promise<{ conn: DuckDBConnection; runner: SqlRunner; close(): void }> {
  const data = JSON.parse(readFileSync(path.join(SPEC_DIR, 'fixtures/dataset.json'), 'utf8')) as Dataset;
  const dir = mkdtempSync(path.join(tmpdir(), 'loglake-ql-'));
  const write = (name: string, rows: Rec[]) =>
    writeFileSync(path.join(dir, `${name}.ndjson`), rows.map((r) => JSON.stringify(r)).join('\n'));
  write('logs', data.logs.map((r) => ({
    ...r, ...typed(r.properties), r: Object.entries((r.resource ?? {}) as Rec).map(([k, v]) => ({ k, v })),
  })));
  write('events', data.events.map((r) => ({ ...r, ...typed(r.properties) })));
  write('alert_events', data.alert_events);

  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await conn.run(MACROS_SQL);
  await conn.run(`CREATE TABLE logs AS SELECT id, 'p1' AS project_id, environment,
      CAST(timestamp AS TIMESTAMPTZ) AS timestamp, CAST(observed_timestamp AS TIMESTAMPTZ) AS observed_timestamp,
      severity, severity_number, message, service, action, tags, trace_id, span_id, CAST(NULL AS INTEGER) AS trace_flags,
      ${TYPED}, map_from_entries(r) AS resource, 'fixture' AS receiver
    FROM read_json('${dir}/logs.ndjson', format = 'newline_delimited', columns = {
      id: 'VARCHAR', timestamp: 'VARCHAR', observed_timestamp: 'VARCHAR', severity: 'VARCHAR', severity_number: 'INTEGER',
      message: 'VARCHAR', service: 'VARCHAR', environment: 'VARCHAR', action: 'VARCHAR', tags: 'VARCHAR[]',
      trace_id: 'VARCHAR', span_id: 'VARCHAR', ${MAPS}, r: 'STRUCT(k VARCHAR, v VARCHAR)[]'})`);
  await conn.run(`CREATE TABLE events AS SELECT id, 'p1' AS project_id, environment,
      CAST(timestamp AS TIMESTAMPTZ) AS timestamp, CAST(timestamp AS TIMESTAMPTZ) AS observed_timestamp,
      event, distinct_id, ${TYPED}
    FROM read_json('${dir}/events.ndjson', format = 'newline_delimited', columns = {
      id: 'VARCHAR', timestamp: 'VARCHAR', event: 'VARCHAR', distinct_id: 'VARCHAR', environment: 'VARCHAR', ${MAPS}})`);
  await conn.run(`CREATE TABLE alert_events AS SELECT id, 'p1' AS project_id, CAST(timestamp AS TIMESTAMPTZ) AS timestamp,
      alert_id, alert_name, state, value, threshold
    FROM read_json('${dir}/alert_events.ndjson', format = 'newline_delimited', columns = {
      id: 'VARCHAR', timestamp: 'VARCHAR', alert_id: 'VARCHAR', alert_name: 'VARCHAR', state: 'VARCHAR',
      value: 'DOUBLE', threshold: 'DOUBLE'})`);
  rmSync(dir, { recursive: true, force: true });

  const runner: SqlRunner = {
    async all(sql, params) {
      const reader = await conn.runAndReadAll(sql, params as never);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    },
  };
  return { conn, runner, close: () => { conn.closeSync(); instance.closeSync(); } };
}
