// The pattern columns a query reads: from the stored id, the saved members, or the masked template.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { PatternStore } from '../../storage/catalog/patterns.js';
import { patternId } from '../../core/patterns/drain.js';
import { preparePatterns } from './lookup.js';

async function connection() {
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  return { conn, rel: { all: async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[] } };
}

describe('preparePatterns', () => {
  it('reads the stored id, else the saved member, else the id a masked template would start', async () => {
    const store = new PatternStore(mkdtempSync(join(tmpdir(), 'loglake-lookup-')));
    const worker = patternId('Worker pool alpha started on port <*>');
    store.save('p', {
      patterns: [{ id: worker, template: 'Worker pool <*> started on port <*>', count: 2, first_seen: '2026-06-15T11:00:00.000Z', last_seen: '2026-06-15T11:00:00.000Z', sample: 'x' }],
      members: new Map([['Worker pool alpha started on port <*>', worker], ['Worker pool bravo started on port <*>', worker]]),
    });
    const { conn, rel } = await connection();
    await conn.run(`CREATE TEMP VIEW logs AS SELECT * FROM (VALUES
      ('Worker pool alpha started on port 1', 'stored0000000000'), ('Worker pool bravo started on port 2', NULL), ('Disk full on sda1', NULL)) t(message, pattern_id)`);
    await preparePatterns(rel, store, 'p');
    expect(await rel.all('SELECT message, _pattern_id AS id, _pattern AS pattern FROM logs_patterned ORDER BY message')).toEqual([
      { message: 'Disk full on sda1', id: patternId('Disk full on sda<*>'), pattern: 'Disk full on sda<*>' },
      // An id no saved pattern has (another node's store): the masked template is its template.
      { message: 'Worker pool alpha started on port 1', id: 'stored0000000000', pattern: 'Worker pool alpha started on port <*>' },
      { message: 'Worker pool bravo started on port 2', id: worker, pattern: 'Worker pool <*> started on port <*>' },
    ]);
    // The engine re-makes its view (a file left between the views and the query): the patterned view reads the new one.
    await conn.run("CREATE OR REPLACE TEMP VIEW logs AS SELECT 'Cache warmed' AS message, CAST(NULL AS VARCHAR) AS pattern_id");
    expect(await rel.all('SELECT _pattern AS pattern FROM logs_patterned')).toEqual([{ pattern: 'Cache warmed' }]);
    conn.closeSync();
  });

  it('gives files from before the pattern_id column theirs from the message, without a store', async () => {
    const { conn, rel } = await connection();
    await conn.run("CREATE TEMP VIEW logs AS SELECT 'User 12 signed in' AS message");
    await preparePatterns(rel, null, 'p');
    expect(await rel.all('SELECT _pattern_id AS id, _pattern AS pattern FROM logs_patterned')).toEqual([{ id: patternId('User <*> signed in'), pattern: 'User <*> signed in' }]);
    conn.closeSync();
  });
});
