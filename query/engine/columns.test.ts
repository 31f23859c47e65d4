import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnsRead } from './columns.js';

describe('the columns a statement reads of the views', () => {
  let conn: DuckDBConnection;
  beforeAll(async () => {
    conn = await (await DuckDBInstance.create(':memory:')).connect();
  });
  afterAll(() => conn.closeSync());
  const read = async (sql: string) => {
    const parsed = JSON.parse(String((await conn.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql])).getRows()[0][0]));
    const names = columnsRead(parsed, ['logs', 'events']);
    return names && [...names].sort();
  };

  it('names every column a statement references, through subqueries, stars over them and clauses', async () => {
    expect(await read(`SELECT * FROM (SELECT message, count(*) AS n FROM logs WHERE timestamp > $1 AND attrs_str['user.id'] = 'x' GROUP BY 1) ORDER BY n LIMIT 5`))
      .toEqual(['attrs_str', 'message', 'n', 'timestamp']);
    expect(await read(`SELECT *, count(*) OVER () AS total FROM (SELECT service, max(l.severity_number) AS s FROM logs l GROUP BY ALL HAVING s > 1)`))
      .toEqual(['l', 's', 'service', 'severity_number']);
    expect(await read(`SELECT count(*) FROM logs WHERE id IN (SELECT id FROM events WHERE event = 'x')`)).toEqual(['event', 'id']);
    expect(await read(`SELECT time_bucket(INTERVAL 1 HOUR, timestamp) AS b, count(*) FROM logs GROUP BY 1 UNION ALL SELECT NULL, 0`)).toEqual(['timestamp']);
    expect(await read(`SELECT x FROM range(3) r(x) JOIN logs ON x = severity_number`)).toEqual(['severity_number', 'x']);
    expect(await read('SELECT count(*) FROM logs a JOIN events b USING (environment)')).toEqual(['environment']);
  });

  it('gives up (every column) where a statement could read columns it does not name', async () => {
    for (const sql of [
      'SELECT * FROM logs',
      'SELECT * EXCLUDE (message) FROM logs WHERE severity = 1',
      'SELECT l.* FROM logs l',
      'SELECT a.id FROM (SELECT 1 AS id) a JOIN logs b ON true ORDER BY ALL',
      'SELECT COLUMNS(*) FROM logs',
      "SELECT COLUMNS('attrs_.*') FROM logs",
      'SELECT logs FROM logs',
      'SELECT to_json(l) FROM logs l',
      'SELECT id FROM logs_patterned',
      'WITH t AS (SELECT * FROM logs) SELECT id FROM t',
      "SELECT count(*) FROM (DESCRIBE logs) WHERE column_name = 'pattern_id'",
      "SELECT id FROM query_table('logs')",
      'SELECT id FROM some_table_macro()',
      'CREATE TEMP VIEW v AS SELECT id FROM logs',
      'not sql at all',
      'SELECT #1 FROM logs',
      'SELECT a FROM logs l(a)',
      'SELECT count(*) FROM logs a NATURAL JOIN events b',
    ]) expect(await read(sql), sql).toBeNull();
    expect(await read('SELECT * FROM logs a JOIN events b ON a.id = b.id')).toBeNull();
  });
});
