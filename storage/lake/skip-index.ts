import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Table } from '../../core/records.js';
import { lakeFiles, LOGS_ROW_GROUP_ROWS } from './parquet.js';

/**
 * A skip index: a side-car of one compacted logs file that says which blocks of its rows may hold a term,
 * so a selective search reads only the files (and row ranges) that can match. Never needed for a correct
 * answer: a file without a readable index, or with one whose row count disagrees, is scanned whole.
 *
 * Terms (the same strings on both sides, built by `*Term` below):
 * - `g` + a 3-code-point gram of a word of `lower(message)` or `lower(action)` (DuckDB's lower, the one the
 *   compiled query applies to the column; the query side folds its literal the way the compiler does);
 * - `s` + `<key length>:` + key + value of every `attrs_str` entry (exact, as `attrs_str[key] = value`);
 * - `i` + the row id.
 * Per block of `BLOCK_ROWS` rows (in file order), one Bloom filter over the block's distinct terms.
 *
 * Where it lives: `<partition>/_index/<data file name>.idx` (never matches `*.parquet`). Written under its
 * final name before the data file's manifest commit (the name is the data file's uuid name, so nothing
 * reads it before the file is listed); index files whose data file has left the partition are removed
 * when the next index of that partition is written.
 */

/** A block is a row group of the merged file, the unit a scan can skip. */
export const BLOCK_ROWS = LOGS_ROW_GROUP_ROWS;
const BITS_PER_TERM = 14;
const HASHES = 8;
const MAGIC = 'LLSKIP1\n';

export interface SkipIndex {
  rows: number;
  blockRows: number;
  /** Epoch microseconds of the file's first and last `timestamp` (null: no rows with one). */
  minTs: number | null;
  maxTs: number | null;
  blooms: Bloom[];
}

export interface Bloom {
  bits: Uint8Array;
  /** Number of bits, a multiple of 8. */
  m: number;
}

export function indexPathOf(dataPath: string): string {
  return join(dirname(dataPath), '_index', `${basename(dataPath)}.idx`);
}

/** The data file an index file belongs to (paths relative or absolute alike); null for any other path. */
export function dataPathOfIndex(path: string): string | null {
  if (!path.endsWith('.parquet.idx') || basename(dirname(path)) !== '_index') return null;
  return join(dirname(dirname(path)), basename(path).slice(0, -'.idx'.length));
}

// ---- terms -----------------------------------------------------------------------------------------

/**
 * Grams are taken within words: runs between ASCII characters other than letters and digits (both engines
 * class ASCII alike; every other character counts as a letter). A needle's words are inside the text's
 * words, so the text holds every gram of them, and a block holds far fewer distinct words than messages.
 */
// eslint-disable-next-line no-control-regex -- ASCII control characters separate words too
const SEPARATORS = /[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+/;
const SEPARATORS_SQL = '[\\x00-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7f]+';

/** The 3-code-point grams of the words of a folded needle; empty when none is that long (nothing to narrow by). */
export function gramTerms(folded: string): string[] {
  const out = new Set<string>();
  for (const word of folded.split(SEPARATORS)) {
    const cps = Array.from(word);
    for (let i = 0; i + 3 <= cps.length; i++) out.add(`g${cps[i]}${cps[i + 1]}${cps[i + 2]}`);
  }
  return [...out];
}

export function propertyTerm(key: string, value: string): string {
  return `s${Array.from(key).length}:${key}${value}`;
}

export function idTerm(id: string): string {
  return `i${id}`;
}

// ---- hashing and Bloom filters ---------------------------------------------------------------------

/**
 * The build hands terms over joined by U+0001, so both sides hash a term without that character (a
 * required term then still is in the set of any row that holds it).
 */
const SEP = '\u0001';

/** Two 32-bit FNV-1a style hashes over the UTF-16 code units (any deterministic hash does). */
function hashes(raw: string): [number, number] {
  const term = raw.includes(SEP) ? raw.replaceAll(SEP, '') : raw;
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ term.length;
  for (let i = 0; i < term.length; i++) {
    const c = term.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return [h1 >>> 0, (h2 | 1) >>> 0];
}

function bloomOf(terms: string[]): Bloom {
  const m = Math.max(64, Math.ceil((terms.length * BITS_PER_TERM) / 8) * 8);
  const bits = new Uint8Array(m / 8);
  for (const t of terms) {
    const [a, b] = hashes(t);
    for (let i = 0; i < HASHES; i++) {
      const bit = (a + Math.imul(i, b)) >>> 0;
      const pos = bit % m;
      bits[pos >>> 3] |= 1 << (pos & 7);
    }
  }
  return { bits, m };
}

export function bloomHas(bloom: Bloom, term: string): boolean {
  const [a, b] = hashes(term);
  for (let i = 0; i < HASHES; i++) {
    const pos = ((a + Math.imul(i, b)) >>> 0) % bloom.m;
    if ((bloom.bits[pos >>> 3] & (1 << (pos & 7))) === 0) return false;
  }
  return true;
}

// ---- build -----------------------------------------------------------------------------------------

/**
 * The distinct (block, term) pairs of a logs file, extracted by DuckDB; see the header for the terms. A
 * block's distinct texts are split, not its rows: messages and actions repeat (10-15 % less build time on the
 * bench's data).
 */
function termsSql(path: string, blockRows: number): string {
  const src = lakeFiles([path], 'file_row_number = true');
  return `WITH r AS (SELECT file_row_number // ${blockRows} AS b, lower(message) AS m, lower(action) AS a, attrs_str, id FROM ${src}),
    lines AS (SELECT DISTINCT b, m FROM (SELECT b, m FROM r UNION ALL SELECT b, a FROM r) WHERE m IS NOT NULL),
    texts AS (SELECT DISTINCT b, x FROM (SELECT b, unnest(regexp_split_to_array(m, '${SEPARATORS_SQL}')) AS x FROM lines) WHERE length(x) >= 3),
    grams AS (SELECT DISTINCT b, 'g' || substr(x, i::BIGINT, 3) AS t FROM (SELECT b, x, unnest(range(1, length(x) - 1)) AS i FROM texts)),
    props AS (SELECT b, 's' || length(k) || ':' || k || v AS t FROM (SELECT DISTINCT b, e.key AS k, e.value AS v FROM (SELECT b, unnest(map_entries(attrs_str)) AS e FROM r) WHERE e.value IS NOT NULL)),
    ids AS (SELECT b, 'i' || id AS t FROM r WHERE id IS NOT NULL)
    SELECT b, string_agg(replace(t, chr(1), ''), chr(1)) AS terms FROM (SELECT * FROM grams UNION ALL SELECT * FROM props UNION ALL SELECT * FROM ids) GROUP BY b ORDER BY b`;
}

function encode(index: SkipIndex): Buffer {
  const header = JSON.stringify({
    rows: index.rows, blockRows: index.blockRows, minTs: index.minTs, maxTs: index.maxTs, m: index.blooms.map((b) => b.m),
  });
  const head = Buffer.from(header);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length);
  const total = index.blooms.reduce((n, b) => n + b.bits.length, 0);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(total);
  return Buffer.concat([Buffer.from(MAGIC), len, head, ...index.blooms.map((b) => b.bits), tail]);
}

/** Builds the index of a logs Parquet file (read through `conn`); throws on any failure. */
export async function buildSkipIndex(conn: DuckDBConnection, path: string, blockRows = BLOCK_ROWS): Promise<SkipIndex> {
  const stats = (await conn.runAndReadAll(
    `SELECT count(*)::BIGINT, epoch_us(min(timestamp))::BIGINT, epoch_us(max(timestamp))::BIGINT FROM ${lakeFiles([path])}`,
  )).getRows()[0];
  const rows = Number(stats[0]);
  const blocks: Bloom[] = Array.from({ length: Math.ceil(rows / blockRows) }, () => bloomOf([]));
  const reader = await conn.runAndReadAll(termsSql(path, blockRows));
  for (const [b, terms] of reader.getRows() as [bigint, string][]) blocks[Number(b)] = bloomOf(terms.split(SEP));
  return { rows, blockRows, minTs: stats[1] === null ? null : Number(stats[1]), maxTs: stats[2] === null ? null : Number(stats[2]), blooms: blocks };
}

/**
 * The compaction hook: indexes the merged (still temp-named) logs file `tmp` for its final name `final`,
 * and removes the partition's index files whose data files have left or are being replaced (`replaces`:
 * the merge's sources; until they leave, a query reads them whole). Never fails the caller: a file
 * without an index is scanned.
 */
export async function writeSkipIndex(
  conn: DuckDBConnection, table: Table, tmp: string, final: string, opts: { replaces?: string[]; blockRows?: number } = {},
): Promise<boolean> {
  if (table !== 'logs') return false;
  const target = indexPathOf(final);
  try {
    const index = await buildSkipIndex(conn, tmp, opts.blockRows);
    mkdirSync(dirname(target), { recursive: true });
    const hidden = join(dirname(target), `.${basename(target)}.tmp`);
    writeFileSync(hidden, encode(index));
    renameSync(hidden, target);
    for (const source of opts.replaces ?? []) rmSync(indexPathOf(source), { force: true });
    removeOrphanIndexes(dirname(final), target);
    return true;
  } catch {
    rmSync(target, { force: true });
    return false;
  }
}

function removeOrphanIndexes(partition: string, keep: string): void {
  const dir = join(partition, '_index');
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (path === keep || !name.endsWith('.idx')) continue;
    if (!existsSync(join(partition, name.slice(0, -'.idx'.length)))) rmSync(path, { force: true });
  }
}

// ---- read ------------------------------------------------------------------------------------------

/** The index of a data file, or null when it is missing, unreadable or not of `rows` rows. */
export function readSkipIndex(dataPath: string, rows: number): SkipIndex | null {
  let buf: Buffer;
  try {
    buf = readFileSync(indexPathOf(dataPath));
  } catch {
    return null;
  }
  try {
    if (buf.subarray(0, MAGIC.length).toString() !== MAGIC) return null;
    const headLen = buf.readUInt32LE(MAGIC.length);
    const start = MAGIC.length + 4;
    const h = JSON.parse(buf.subarray(start, start + headLen).toString()) as { rows: number; blockRows: number; minTs: number | null; maxTs: number | null; m: number[] };
    if (h.rows !== rows || h.m.length !== Math.ceil(rows / h.blockRows)) return null;
    let off = start + headLen;
    const total = h.m.reduce((n, m) => n + m / 8, 0);
    if (buf.length !== off + total + 4 || buf.readUInt32LE(off + total) !== total) return null;
    const blooms = h.m.map((m) => {
      const bits = new Uint8Array(buf.buffer, buf.byteOffset + off, m / 8);
      off += m / 8;
      return { bits, m };
    });
    return { rows: h.rows, blockRows: h.blockRows, minTs: h.minTs, maxTs: h.maxTs, blooms };
  } catch {
    return null;
  }
}
