import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import type { LogRecord } from '../../core/records.js';
import { encodeRow } from './encode.js';
import { partitionDir } from './layout.js';
import { Manifest } from './manifest.js';
import { ParquetWriter } from './parquet.js';
import { bloomHas, buildSkipIndex, dataPathOfIndex, gramTerms, idTerm, indexPathOf, propertyTerm, readSkipIndex, writeSkipIndex } from './skip-index.js';

function log(i: number, message: string | null, properties: Record<string, unknown>): LogRecord {
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, project_id: 'p', environment: 'production',
    timestamp: `2026-06-15T11:${String(i).padStart(2, '0')}:00.000Z`, observed_timestamp: '2026-06-15T11:00:00.000Z',
    severity: 'info', severity_number: 9, message, service: 'svc', action: i === 1 ? 'Sign-In' : null, tags: [], trace_id: null, span_id: null, trace_flags: null,
    properties, resource: {}, receiver: 'test',
  } as LogRecord;
}

async function lakeFile(rows: LogRecord[]): Promise<{ lakeDir: string; path: string; manifest: Manifest }> {
  const lakeDir = mkdtempSync(join(tmpdir(), 'loglake-skipidx-'));
  const manifest = new Manifest(lakeDir);
  manifest.open();
  const dir = partitionDir(lakeDir, 'p', 'logs', '2026-06-15T11');
  mkdirSync(dir, { recursive: true });
  const staged = join(lakeDir, 'staged.ndjson');
  writeFileSync(staged, rows.map((r) => encodeRow('logs', r)).join('\n'));
  const path = join(dir, 'compact-a.parquet');
  const writer = await ParquetWriter.create();
  const count = await writer.fromNdjson('logs', [staged], path);
  writer.close();
  manifest.commitSync('bus', [{ path: relative(lakeDir, path), project: 'p', table: 'logs', hour: '2026-06-15T11', rows: count, bytes: statSync(path).size }], []);
  return { lakeDir, path, manifest };
}

const ROWS = [
  log(0, 'Straße GESPERRT in München', { 'user.name': 'bob', 'first name': 'Ann' }),
  log(1, 'disk 50% full, a_b x*y', { code: '042' }),
  log(2, 'emoji 🙂 東京', { code: 42 }),
  log(3, null, { user_id: 'u_4242' }),
  log(4, 'İstanbul', {}),
];

describe('skip index', () => {
  it('holds every term of each block, folded as DuckDB folds, and reads back', async () => {
    const { path } = await lakeFile(ROWS);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    expect(await writeSkipIndex(conn, 'logs', path, path, { blockRows: 2 })).toBe(true);
    const index = readSkipIndex(path, 5)!;
    expect(index.blooms).toHaveLength(3);
    expect(index.minTs).toBe(Date.parse('2026-06-15T11:00:00Z') * 1000);
    expect(index.maxTs).toBe(Date.parse('2026-06-15T11:04:00Z') * 1000);
    const lowered = String((await conn.runAndReadAll("SELECT lower('İstanbul')")).getRows()[0][0]);
    const has = (block: number, terms: string[]) => terms.every((t) => bloomHas(index.blooms[block], t));
    expect(has(0, gramTerms('straße gesperrt in münchen'))).toBe(true);
    expect(has(0, [propertyTerm('user.name', 'bob'), propertyTerm('first name', 'Ann'), idTerm(ROWS[0].id)])).toBe(true);
    expect(has(0, gramTerms('sign-in'))).toBe(true); // action, row 1
    expect(has(0, gramTerms('50% full, a_b x*y'))).toBe(true);
    expect(has(1, gramTerms('emoji 🙂 東京'))).toBe(true);
    expect(has(1, [propertyTerm('user_id', 'u_4242')])).toBe(true);
    expect(has(2, gramTerms(lowered))).toBe(true);
    // Numbers are not in the string map's terms; the query side never asks for them.
    expect(has(1, [propertyTerm('code', '42')])).toBe(false);
    expect(has(2, [propertyTerm('user_id', 'u_4242')])).toBe(false);
    conn.closeSync();
  });

  it('is sized for exactly its blocks\' distinct terms, all of them in it, as the query side spells them', async () => {
    // Rows the JS split and hashing could get wrong: repeats within a block, U+0001 (the build's joiner)
    // and NUL in texts, keys, values and ids, surrogate pairs and combining marks at word edges, a word
    // longer than the build's first buffer, texts with no word of three code points. `k: 'vw'` beside
    // `k: 'v\u0001w'` in one block counts as two terms, though both hash as `s1:kvw`.
    const rows = [
      ...ROWS,
      log(5, 'Ünïcödé 🙂🙂🙂 x🙂y ab🙂 e\u0301e\u0301e\u0301 NUL\u0000inside SEP\u0001inside', { k: 'v\u0001w', 'k\u0001ey': 'x', plain: 'Same' }),
      log(6, 'repeated words repeated words', { plain: 'Same', other: 'Same', k: 'vw' }),
      log(7, 'repeated words repeated words', { plain: 'same' }),
      log(8, `ab cd ${'long'.repeat(100)}🙂`, {}),
      { ...log(9, '', { empty: '' }), id: 'odd\u0001id' },
    ];
    const { path } = await lakeFile(rows);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const blockRows = 4;
    expect(await writeSkipIndex(conn, 'logs', path, path, { blockRows })).toBe(true);
    const index = readSkipIndex(path, rows.length)!;
    // The terms as the query side builds them, from the rows as DuckDB reads and folds them.
    const read = (await conn.runAndReadAll(
      `SELECT file_row_number, lower(message), lower(action), to_json(map_entries(attrs_str))::VARCHAR, id FROM read_parquet('${path}', file_row_number = true)`,
    )).getRows() as [bigint, string | null, string | null, string, string][];
    const blocks = index.blooms.map(() => ({ terms: new Set<string>(), ids: [] as string[] }));
    for (const [n, message, action, entries, id] of read) {
      const block = blocks[Number(n) / blockRows | 0];
      for (const text of [message, action]) if (text !== null) for (const t of gramTerms(text)) block.terms.add(t);
      for (const { key, value } of JSON.parse(entries) as { key: string; value: string }[]) block.terms.add(propertyTerm(key, value));
      block.ids.push(idTerm(id));
    }
    blocks.forEach(({ terms, ids }, b) => {
      const bloom = index.blooms[b];
      // Ids are counted per row (a file's ids are distinct); 14 bits a term, at least 64.
      expect(bloom.m).toBe(Math.max(64, Math.ceil(((terms.size + ids.length) * 14) / 8) * 8));
      for (const t of [...terms, ...ids]) expect(bloomHas(bloom, t), `block ${b}: ${JSON.stringify(t)}`).toBe(true);
    });
    expect(bloomHas(index.blooms[1], propertyTerm('k', 'v\u0001w'))).toBe(true);
    expect(bloomHas(index.blooms[2], idTerm('odd\u0001id'))).toBe(true);
    conn.closeSync();
  });

  it('is the same built in rounds of a few row groups, whose ends fall inside blocks, as built in one', async () => {
    const rows = Array.from({ length: 6000 }, (_, i) => ({
      ...log(i, `message ${i} of user-${i % 7} 🙂`, { user_id: `u_${i % 11}` }),
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      timestamp: new Date(Date.parse('2026-06-15T11:00:00Z') + i * 100).toISOString(),
    }));
    const { path } = await lakeFile(rows);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    // Groups of 2,048 rows (DuckDB's least) against blocks of 1,500: a round of one group ends inside a block, which is read whole all the same.
    const grouped = join(path, '..', 'grouped.parquet');
    await conn.run(`COPY (SELECT * FROM read_parquet('${path}')) TO '${grouped}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`);
    const groups = (await conn.runAndReadAll(`SELECT count(DISTINCT row_group_id)::INTEGER FROM parquet_metadata('${grouped}')`)).getRows()[0][0];
    expect(groups).toBe(3);
    const whole = await buildSkipIndex(conn, grouped, 1500);
    const inRounds = await buildSkipIndex(conn, grouped, 1500, 1);
    expect(whole.blooms).toHaveLength(4);
    expect(inRounds).toEqual(whole);
    for (let i = 0; i < 6000; i += 97) {
      const bloom = inRounds.blooms[Math.floor(i / 1500)];
      expect(bloomHas(bloom, idTerm(rows[i].id)) && gramTerms(`message ${i}`).every((t) => bloomHas(bloom, t))).toBe(true);
    }
  });

  it('is null when missing, truncated, of another row count or not an index', async () => {
    const { path } = await lakeFile(ROWS);
    expect(readSkipIndex(path, 5)).toBeNull();
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    expect(await writeSkipIndex(conn, 'logs', path, path)).toBe(true);
    expect(readSkipIndex(path, 5)).not.toBeNull();
    expect(readSkipIndex(path, 6)).toBeNull();
    const bytes = readdirSync(join(path, '..', '_index'));
    expect(bytes).toEqual(['compact-a.parquet.idx']);
    writeFileSync(indexPathOf(path), 'LLSKIP1\n garbage');
    expect(readSkipIndex(path, 5)).toBeNull();
    writeFileSync(indexPathOf(path), 'not an index');
    expect(readSkipIndex(path, 5)).toBeNull();
    // Not a logs table, or a file it cannot read: no index, and no failure for the caller.
    expect(await writeSkipIndex(conn, 'events', path, path)).toBe(false);
    expect(await writeSkipIndex(conn, 'logs', join(path, '..', 'absent.parquet'), join(path, '..', 'absent.parquet'))).toBe(false);
    expect(existsSync(indexPathOf(join(path, '..', 'absent.parquet')))).toBe(false);
    conn.closeSync();
  });

  it('lives beside its data file, which the manifest keeps on open, and orphans go', async () => {
    const { lakeDir, path, manifest } = await lakeFile(ROWS);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await writeSkipIndex(conn, 'logs', path, path);
    expect(dataPathOfIndex(indexPathOf(path))).toBe(path);
    expect(dataPathOfIndex(path)).toBeNull();
    // An index whose data file left the partition is removed when the next index there is written.
    const gone = join(path, '..', 'compact-gone.parquet');
    writeFileSync(indexPathOf(gone), 'x');
    const other = join(path, '..', 'compact-b.parquet');
    writeFileSync(other, readFileSync(path));
    await writeSkipIndex(conn, 'logs', other, other);
    expect(readdirSync(join(path, '..', '_index')).sort()).toEqual(['compact-a.parquet.idx', 'compact-b.parquet.idx']);
    // A merge drops the indexes of the files it replaces (until they leave, they are read whole).
    const merged = join(path, '..', 'compact-c.parquet');
    writeFileSync(merged, readFileSync(path));
    await writeSkipIndex(conn, 'logs', merged, merged, { replaces: [other] });
    expect(readdirSync(join(path, '..', '_index')).sort()).toEqual(['compact-a.parquet.idx', 'compact-c.parquet.idx']);
    writeFileSync(indexPathOf(other), readFileSync(indexPathOf(merged)));
    manifest.close();
    // Reopening removes files no entry names (compact-b, compact-c and their indexes), and keeps the live file's index.
    const again = new Manifest(lakeDir);
    again.open();
    expect(readdirSync(join(path, '..', '_index'))).toEqual(['compact-a.parquet.idx']);
    expect(readSkipIndex(path, 5)).not.toBeNull();
    again.close();
    conn.closeSync();
  });
});
