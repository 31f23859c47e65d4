/**
 * `npm run bench:query`: query latency over 10 million generated logs (7 days, hourly ZSTD Parquet in the
 * lake layout), cold and warm, through loglake's HTTP API; beside each, the same question as hand-written
 * DuckDB SQL over the same files, so the cost of loglake's layers shows as a ratio.
 *
 *   npm run bench:query -- [--rows 10000000] [--runs 5] [--data DIR (reuse a generated lake)]
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Manifest, type LakeFile } from '../storage/lake/manifest.js';
import { hourKey, partitionDir } from '../storage/lake/layout.js';
import { mergedParquetOptions } from '../storage/lake/parquet.js';
import { indexPathOf, writeSkipIndex } from '../storage/lake/skip-index.js';
import { startLoglake } from '../test/helpers/loglake.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '10000000' }, runs: { type: 'string', default: '5' }, data: { type: 'string' } } });
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);
const HOURS = 7 * 24;
const PROJECT = 'default';
/**
 * Data ends at the top of the current hour, so `last 24h` covers a full day of it; a reused lake (`--data`)
 * ends where its last hour does, so every run over it asks the same questions of the same rows.
 */
function endOf(dataDir: string | undefined): Date {
  const base = dataDir ? join(dataDir, 'lake', PROJECT, 'logs') : '';
  if (!dataDir || !existsSync(base)) return new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
  const date = readdirSync(base).sort().at(-1)!;
  const hour = readdirSync(join(base, date)).sort().at(-1)!;
  return new Date(Date.parse(`${date.slice(5)}T${hour.slice(5)}:00:00Z`) + 3_600_000);
}
const END = endOf(values.data);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * One hour's rows, generated in DuckDB: 8 services with skewed volume, severities skewed towards info,
 * ~2,000 message templates, ~5 properties per record (numbers and strings), resource attributes; written as
 * compaction writes a merged file.
 */
function hourSql(hour: number, rowsPerHour: number, target: string): string {
  const start = END.getTime() - (HOURS - hour) * 3_600_000;
  return `COPY (
    WITH r AS (SELECT i, hash(i * 7919 + ${hour}) AS h FROM range(${rowsPerHour}) t(i))
    SELECT
      uuid()::VARCHAR AS id, '${PROJECT}' AS project_id,
      ['production','production','production','staging','development'][1 + (h % 5)::INT] AS environment,
      make_timestamptz(${start * 1000}::BIGINT + (i * 3600000000 // ${rowsPerHour})) AS timestamp,
      make_timestamptz(${start * 1000}::BIGINT + (i * 3600000000 // ${rowsPerHour}) + 1500000) AS observed_timestamp,
      CASE WHEN h % 1000 < 5 THEN 'fatal' WHEN h % 1000 < 40 THEN 'error' WHEN h % 1000 < 120 THEN 'warn'
           WHEN h % 1000 < 800 THEN 'info' WHEN h % 1000 < 950 THEN 'debug' ELSE 'trace' END AS severity,
      9 AS severity_number,
      CASE (h >> 8) % 5
        WHEN 0 THEN 'GET /api/v1/items/' || ((h >> 12) % 400) || ' 200 in ' || ((h >> 20) % 900) || 'ms'
        WHEN 1 THEN 'Connection timeout to db-' || ((h >> 12) % 400) || ' after ' || ((h >> 20) % 30) || 's'
        WHEN 2 THEN 'User ' || ((h >> 12) % 400) || ' signed in via ' || ['google','github','password'][1 + ((h >> 30) % 3)::INT]
        WHEN 3 THEN 'Job ' || ((h >> 12) % 400) || ' finished with status ' || ['ok','retry','failed'][1 + ((h >> 30) % 3)::INT]
        ELSE 'Cache miss for key k' || ((h >> 12) % 400) END AS message,
      ['checkout','checkout','checkout','api-gateway','api-gateway','billing','search','auth','notifications','inventory'][1 + ((h >> 40) % 10)::INT] AS service,
      ['http.request','db.query','auth.login','job.run','cache.get'][1 + ((h >> 8) % 5)::INT] AS action,
      ['web'] AS tags,
      md5(i::VARCHAR || '${hour}') AS trace_id, substr(md5(i::VARCHAR), 1, 16) AS span_id, 1 AS trace_flags,
      map(['user_id','region','route'], ['u_' || ((h >> 16) % 50000), ['eu','us','ap'][1 + ((h >> 44) % 3)::INT], '/r/' || ((h >> 12) % 400)]) AS attrs_str,
      map(['duration_ms','status_code'], [((h >> 20) % 900)::DOUBLE, [200,200,200,404,500][1 + ((h >> 24) % 5)::INT]::DOUBLE]) AS attrs_num,
      map(['cached'], [(h >> 33) % 2 = 0]) AS attrs_bool,
      map(['host.name','service.name'], ['ip-10-0-' || ((h >> 48) % 16), 'svc']) AS resource,
      'bench' AS receiver
    FROM r ORDER BY service, timestamp
  ) TO '${target}' ${mergedParquetOptions('logs')}`;
}

async function generate(dataDir: string): Promise<void> {
  const lakeDir = join(dataDir, 'lake');
  mkdirSync(lakeDir, { recursive: true });
  const manifest = new Manifest(lakeDir);
  manifest.open();
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run("SET TimeZone = 'UTC'");
  const perHour = Math.ceil(ROWS / HOURS);
  const t0 = Date.now();
  for (let h = 0; h < HOURS; h++) {
    const hour = hourKey(new Date(END.getTime() - (HOURS - h) * 3_600_000));
    const dir = partitionDir(lakeDir, PROJECT, 'logs', hour);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'bench.parquet');
    await conn.run(hourSql(h, perHour, path));
    const file: LakeFile = { path: relative(lakeDir, path), project: PROJECT, table: 'logs', hour, rows: perHour, bytes: statSync(path).size };
    manifest.commitSync('bench', [file], []);
    if (h % 24 === 23) process.stderr.write(`generated ${((h + 1) * perHour).toLocaleString()} rows (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  }
  manifest.close();
  conn.closeSync();
}

/** The skip index of every hour file, as compaction writes it for the files it merges (built once per lake). */
async function buildIndexes(dataDir: string): Promise<{ seconds: number; bytes: number }> {
  const base = join(dataDir, 'lake', PROJECT, 'logs');
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  let seconds = 0;
  let bytes = 0;
  for (const date of readdirSync(base)) for (const hour of readdirSync(join(base, date))) {
    const path = join(base, date, hour, 'bench.parquet');
    if (!existsSync(indexPathOf(path))) {
      const t = performance.now();
      if (!(await writeSkipIndex(conn, 'logs', path, path))) throw new Error(`no index for ${path}`);
      seconds += (performance.now() - t) / 1000;
    }
    bytes += statSync(indexPathOf(path)).size;
  }
  conn.closeSync();
  return { seconds, bytes };
}

function lakeFiles(dataDir: string, fromHour: string): string[] {
  const base = join(dataDir, 'lake', PROJECT, 'logs');
  const out: string[] = [];
  for (const date of readdirSync(base)) for (const hour of readdirSync(join(base, date))) {
    const key = `${date.slice(5)}T${hour.slice(5)}`;
    if (key >= fromHour) out.push(`'${join(base, date, hour, 'bench.parquet')}'`);
  }
  return out;
}

async function timeSql(conn: DuckDBConnection, sql: string): Promise<{ cold: number; warm: number }> {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const t = performance.now();
    await conn.runAndReadAll(sql);
    times.push(performance.now() - t);
  }
  return { cold: times[0], warm: median(times.slice(1)) };
}

async function main() {
  const dataDir = values.data ?? mkdtempSync(join(tmpdir(), 'loglake-bench-query-'));
  if (!existsSync(join(dataDir, 'lake', '_manifest', 'snapshot.json'))) await generate(dataDir);
  const parquetBytes = readdirSync(join(dataDir, 'lake', PROJECT, 'logs'), { recursive: true })
    .filter((f) => String(f).endsWith('.parquet')).reduce((n, f) => n + statSync(join(dataDir, 'lake', PROJECT, 'logs', String(f))).size, 0);
  const index = await buildIndexes(dataDir);

  // A hand-written query's own DuckDB, the same one loglake embeds, over the same files. Searches fetch
  // one row past the page, as loglake does to know whether there is more.
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run("SET TimeZone = 'UTC'");
  const dayAgo = new Date(END.getTime() - 24 * 3_600_000);
  const files24h = `read_parquet([${lakeFiles(dataDir, hourKey(dayAgo))}])`;
  const from = `TIMESTAMPTZ '${dayAgo.toISOString()}'`;
  const to = `TIMESTAMPTZ '${END.toISOString()}'`;
  const window = `timestamp >= ${from} AND timestamp < ${to}`;
  const sampleId = String((await conn.runAndReadAll(`SELECT id FROM ${files24h} ORDER BY hash(id) LIMIT 1`)).getRows()[0][0]);

  const cases: { name: string; gql: string; sql: string }[] = [
    { name: 'count last 24h', gql: 'count | last 24h', sql: `SELECT count(*) FROM ${files24h} WHERE ${window}` },
    { name: 'count by severity', gql: 'count by severity | last 24h', sql: `SELECT severity, count(*) c FROM ${files24h} WHERE ${window} GROUP BY 1 ORDER BY c DESC` },
    { name: 'substring search on message', gql: 'message ~ "timeout to db-17 " | last 24h', sql: `SELECT * FROM ${files24h} WHERE ${window} AND contains(lower(message), 'timeout to db-17 ') ORDER BY timestamp DESC, id DESC LIMIT 101` },
    { name: 'selective substring on message', gql: 'message ~ "timeout to db-17 after 3s" | last 24h', sql: `SELECT * FROM ${files24h} WHERE ${window} AND contains(lower(message), 'timeout to db-17 after 3s') ORDER BY timestamp DESC, id DESC LIMIT 101` },
    { name: 'word (free text)', gql: 'k377 | last 24h', sql: `SELECT * FROM ${files24h} WHERE ${window} AND list_has_all(regexp_split_to_array(lower(message), '[^\\p{L}\\p{N}]+'), ['k377']) ORDER BY timestamp DESC, id DESC LIMIT 101` },
    { name: 'top 10 messages of errors', gql: 'severity:error | count by message | top 10 | last 24h', sql: `SELECT message, count(*) c FROM ${files24h} WHERE ${window} AND severity = 'error' GROUP BY 1 ORDER BY c DESC, message LIMIT 10` },
    { name: 'property equality', gql: 'user_id = "u_4242" | last 24h', sql: `SELECT * FROM ${files24h} WHERE ${window} AND attrs_str['user_id'] = 'u_4242' ORDER BY timestamp DESC, id DESC LIMIT 101` },
    { name: '60-bucket histogram over 24h', gql: 'count | timeslice 24m | last 24h', sql: `SELECT time_bucket(INTERVAL 24 MINUTE, timestamp) b, count(*) FROM ${files24h} WHERE ${window} GROUP BY 1 ORDER BY 1` },
    { name: 'newest 50 matching a filter', gql: 'service:billing severity:warn | limit 50 | last 24h', sql: `SELECT * FROM ${files24h} WHERE ${window} AND service = 'billing' AND severity = 'warn' ORDER BY timestamp DESC, id DESC LIMIT 50` },
    { name: 'get by id', gql: `id:${sampleId} | last 24h`, sql: `SELECT * FROM ${files24h} WHERE ${window} AND id = '${sampleId}'` },
  ];

  const p = await startLoglake({ dataDir, env: { LOGLAKE_QUERY_NOW: END.toISOString() } });
  process.on('exit', () => p.proc.kill('SIGKILL'));
  const key = p.bootstrap().keys.goodlogs_secret;
  const ask = async (q: string) => {
    const t = performance.now();
    const res = await fetch(`${p.url}/v1/gql/query`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ q }) });
    const body = (await res.json()) as { data?: { results: unknown[] } };
    if (res.status !== 200) throw new Error(`${q}: ${res.status} ${JSON.stringify(body)}`);
    return { ms: performance.now() - t, rows: body.data!.results.length };
  };
  const results = [];
  for (const c of cases) {
    const runs: number[] = [];
    let rows = 0;
    for (let i = 0; i <= RUNS; i++) {
      const r = await ask(c.gql);
      runs.push(r.ms);
      rows = r.rows;
    }
    const sql = await timeSql(conn, c.sql);
    const warm = median(runs.slice(1));
    results.push({ query: c.name, gql: c.gql, rows, loglake_cold_ms: Math.round(runs[0]), loglake_warm_ms: Math.round(warm), duckdb_cold_ms: Math.round(sql.cold), duckdb_warm_ms: Math.round(sql.warm), ratio: +(warm / sql.warm).toFixed(2) });
  }
  await p.kill('SIGTERM');
  console.log(JSON.stringify({
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    rows: ROWS, hours: HOURS, parquet_mb: Math.round(parquetBytes / 2 ** 20), runs_per_query: RUNS, data_dir: dataDir,
    skip_index_mb: +(index.bytes / 2 ** 20).toFixed(1), skip_index_share: +(index.bytes / parquetBytes).toFixed(3),
    ...(index.seconds ? { skip_index_build_rows_per_s: Math.round(ROWS / index.seconds) } : {}),
  }, null, 2));
  console.table(results);
}

await main();
