import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Table } from '../../core/records.js';
import { lakeFiles, LOGS_ROW_GROUP_ROWS, sqlString } from './parquet.js';

/**
 * A skip index: a side-car of one compacted logs file that says which blocks of its rows may hold a term,
 * so a selective search reads only the files (and row ranges) that can match. Never needed for a correct
 * answer: a file without a readable index, or with one whose row count disagrees, is scanned whole.
 *
 * Terms (the same strings on both sides: the query side builds them with `*Term` below, the build hashes
 * them as it finds them in the strings DuckDB hands over, see `blockBloom`):
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
 * The build hands property terms and ids over joined by U+0001, so both sides hash a term without that
 * character (a required term then still is in the set of any row that holds it).
 */
const SEP = '\u0001';

/**
 * Two 32-bit FNV-1a style hashes over the UTF-16 code units of the term `prefix` + `text`[from, to). Left
 * in H1 and H2 rather than returned: the build hashes millions of terms straight out of the strings
 * DuckDB hands over, without a string or a pair per term.
 */
let H1 = 0;
let H2 = 0;
function hashRange(prefix: string, text: string, from: number, to: number): void {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ (prefix.length + to - from);
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  hashOn(h1, h2, text, from, to);
}

/** `hashRange` from the hashes' state after a prefix. */
function hashOn(h1: number, h2: number, text: string, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  H1 = h1 >>> 0;
  H2 = (h2 | 1) >>> 0;
}

/**
 * `hashRange(prefix, …)` for many terms of one prefix (a property key's `s<len>:key` is longer than most
 * values): h1's state after it is computed once, h2's once per term length (its seed is the length).
 */
class PrefixHash {
  private readonly h1: number;
  /** By the length of the term's rest (a holey array: lengths are few and small). */
  private readonly h2: (number | undefined)[] = [];

  constructor(private readonly prefix: string) {
    let h1 = 0x811c9dc5;
    for (let i = 0; i < prefix.length; i++) h1 = Math.imul(h1 ^ prefix.charCodeAt(i), 0x01000193);
    this.h1 = h1;
  }

  hash(text: string, from: number, to: number): void {
    let h2 = this.h2[to - from];
    if (h2 === undefined) {
      h2 = 0x01000193 ^ (this.prefix.length + to - from);
      for (let i = 0; i < this.prefix.length; i++) {
        h2 = Math.imul(h2 ^ this.prefix.charCodeAt(i), 0x5bd1e995);
        h2 ^= h2 >>> 15;
      }
      this.h2[to - from] = h2;
    }
    hashOn(this.h1, h2, text, from, to);
  }
}

/**
 * `x % m` for a uint32 `x`: V8 holds an `x` past 2^31 as a double, whose `%` is a call to fmod (twice the
 * time a bit, a third of the build's JS time); the quotient by division and floor is exact here (x < 2^32,
 * m < 2^31), so the bits are the same.
 */
function bitOf(x: number, m: number): number {
  return x - Math.floor(x / m) * m;
}

function setBits(bloom: Bloom, a: number, b: number): void {
  const { bits, m } = bloom;
  for (let i = 0; i < HASHES; i++) {
    const pos = bitOf((a + Math.imul(i, b)) >>> 0, m);
    bits[pos >>> 3] |= 1 << (pos & 7);
  }
}

/** An empty filter sized for `terms` distinct terms. */
function bloomFor(terms: number): Bloom {
  const m = Math.max(64, Math.ceil((terms * BITS_PER_TERM) / 8) * 8);
  return { bits: new Uint8Array(m / 8), m };
}

export function bloomHas(bloom: Bloom, term: string): boolean {
  const t = term.includes(SEP) ? term.replaceAll(SEP, '') : term;
  hashRange('', t, 0, t.length);
  const a = H1;
  const b = H2;
  for (let i = 0; i < HASHES; i++) {
    const pos = bitOf((a + Math.imul(i, b)) >>> 0, bloom.m);
    if ((bloom.bits[pos >>> 3] & (1 << (pos & 7))) === 0) return false;
  }
  return true;
}

// ---- build -----------------------------------------------------------------------------------------

/** U+0001 without U+0001: the parts DuckDB joins by it stay apart (a text keeps it, being a separator). */
const stripped = (sql: string) => `CASE WHEN contains(${sql}, chr(1)) THEN replace(${sql}, chr(1), '') ELSE ${sql} END`;

/**
 * Per block of the round (a `file_row_number` range, see `roundsOf`): its row count and time range, its
 * lowered messages and distinct actions, and its ids, the latter two each joined by SEP. SEP is an ASCII
 * control character, so it separates words: the joined
 * texts hold the texts' words, and `lower` of the joined texts is the texts' `lower` (it maps code point
 * by code point). The words are split and their grams hashed here (`addGrams`), as `gramTerms` splits a
 * needle: DuckDB's regexp split of the texts was a quarter of the build. Messages are not made distinct
 * first: `addGrams` skips a word it has seen, which costs less than DuckDB's DISTINCT (bench/README.md).
 */
function blocksSql(path: string, blockRows: number, round: string): string {
  return `SELECT file_row_number // ${blockRows} AS b, count(*)::BIGINT, epoch_us(min(timestamp))::BIGINT, epoch_us(max(timestamp))::BIGINT,
      lower(concat_ws(chr(1), string_agg(message, chr(1)), string_agg(DISTINCT action, chr(1)))), string_agg(${stripped('id')}, chr(1)), count(id)::BIGINT
    FROM ${lakeFiles([path], 'file_row_number = true')} WHERE ${round} GROUP BY b`;
}

/**
 * Per block of the round and string property key: the key and its distinct non-null values, joined by
 * SEP. Grouped by key, so a term's prefix is built once per key; the values are made distinct before SEP
 * is taken out, as the terms were counted before JS hashed them (a value and its SEP-less twin are two
 * terms, alike).
 */
function propsSql(path: string, blockRows: number, round: string): string {
  return `SELECT b, k, string_agg(${stripped('v')}, chr(1)), count(*)::BIGINT FROM (SELECT DISTINCT b, k, v FROM (
      SELECT file_row_number // ${blockRows} AS b, unnest(map_keys(attrs_str)) AS k, unnest(map_values(attrs_str)) AS v FROM ${lakeFiles([path], 'file_row_number = true')} WHERE ${round}
    ) WHERE v IS NOT NULL) GROUP BY b, k`;
}

/**
 * The texts' bytes (uncompressed, as the footer counts them) a round of the build reads at most, unless
 * one row group alone holds more. A block's messages travel as one string, so a file of long messages
 * (stack traces) is read in rounds of whole row groups and whole blocks, and DuckDB and V8 hold one
 * round's strings, not the file's, which could pass DuckDB's memory limit or V8's longest string. A file
 * of short messages is one round: each round is a query of its own, and costs a few ms.
 */
const ROUND_BYTES = 64 * 1024 * 1024;

/**
 * The file's rows, cut into rounds of consecutive row groups of at most ROUND_BYTES of texts each, each
 * round's end moved up to a block's end (a block is then read whole in one round, however the file's row
 * groups fall: its filter is built once, from all its rows).
 */
async function roundsOf(conn: DuckDBConnection, path: string, blockRows: number, roundBytes: number): Promise<{ rows: number; rounds: [number, number][] }> {
  const groups = (await conn.runAndReadAll(
    `SELECT any_value(row_group_num_rows)::BIGINT, coalesce(sum(total_uncompressed_size) FILTER (WHERE path_in_schema IN ('message', 'action', 'id')), 0)::BIGINT
     FROM parquet_metadata(${sqlString(path)}) GROUP BY row_group_id ORDER BY row_group_id`,
  )).getRows().map(([n, bytes]) => ({ rows: Number(n), bytes: Number(bytes) }));
  const rows = groups.reduce((n, g) => n + g.rows, 0);
  const rounds: [number, number][] = [];
  let start = 0;
  let end = 0;
  let bytes = 0;
  for (const g of groups) {
    if (end > start && bytes + g.bytes > roundBytes) {
      const cut = Math.min(rows, Math.ceil(end / blockRows) * blockRows);
      rounds.push([start, cut - 1]);
      start = cut;
      bytes = 0;
    }
    end += g.rows;
    bytes += g.bytes;
  }
  if (start < rows) rounds.push([start, rows - 1]);
  return { rows, rounds };
}

/** ASCII characters other than letters and digits: the separators of `SEPARATORS`, as a lookup table. */
const IS_SEPARATOR = Uint8Array.from({ length: 128 }, (_, c) => (SEPARATORS.test(String.fromCharCode(c)) ? 1 : 0));

/**
 * The distinct grams of a block, as hash pairs (open addressing; H2 is odd, so 0 marks a free slot). Two
 * grams with the same pair set the same bits, so keeping one loses nothing (the filter is then sized for
 * one term fewer than DuckDB's DISTINCT counted: a 2^-64 chance a pair).
 */
class PairSet {
  keys = new Uint32Array(2 * 4096);
  size = 0;

  add(a: number, b: number): void {
    if (2 * (this.size + 1) > this.keys.length / 2) this.grow();
    const mask = this.keys.length / 2 - 1;
    for (let slot = (a ^ Math.imul(b, 0x9e3779b1)) & mask; ; slot = (slot + 1) & mask) {
      const k = this.keys[2 * slot + 1];
      if (k === 0) {
        this.keys[2 * slot] = a;
        this.keys[2 * slot + 1] = b;
        this.size++;
        return;
      }
      if (k === b && this.keys[2 * slot] === a) return;
    }
  }

  private grow(): void {
    const old = this.keys;
    this.keys = new Uint32Array(old.length * 2);
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.add(old[i], old[i + 1]);
  }
}

/**
 * The distinct words of a block's text already split into grams, compared by content (a word taken for
 * another would lose its grams): slots of [hash, start, end] into the text, end 0 for a free slot.
 */
class WordSet {
  slots = new Int32Array(3 * 4096);
  size = 0;

  constructor(private readonly text: string) {}

  /** Whether text[start, end) was added before; adds it if not. */
  seen(hash: number, start: number, end: number): boolean {
    if (2 * (this.size + 1) > this.slots.length / 3) this.grow();
    const mask = this.slots.length / 3 - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = 3 * slot;
      if (this.slots[at + 2] === 0) {
        this.slots[at] = hash;
        this.slots[at + 1] = start;
        this.slots[at + 2] = end;
        this.size++;
        return false;
      }
      if (this.slots[at] === hash && this.same(this.slots[at + 1], this.slots[at + 2], start, end)) return true;
    }
  }

  private same(s1: number, e1: number, s2: number, e2: number): boolean {
    if (e1 - s1 !== e2 - s2) return false;
    for (let i = 0; i < e1 - s1; i++) if (this.text.charCodeAt(s1 + i) !== this.text.charCodeAt(s2 + i)) return false;
    return true;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.size = 0;
    for (let i = 0; i < old.length; i += 3) if (old[i + 2] !== 0) this.seen(old[i], old[i + 1], old[i + 2]);
  }
}

/** Code-unit offsets of a word's code points, reused across words. */
let starts: Int32Array = new Int32Array(256);

/**
 * Adds the grams of every word of `text` (words as `gramTerms` splits them) to `grams`. A word is hashed
 * in one tight pass; only a word not seen before in the text is walked again for its code points' grams.
 */
function addGrams(text: string, grams: PairSet): void {
  const words = new WordSet(text);
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const start = i;
    let hash = 0x811c9dc5;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 128 && IS_SEPARATOR[c] === 1) break;
      hash = Math.imul(hash ^ c, 0x01000193);
    }
    if (i - start >= 3 && !words.seen(hash, start, i)) wordGrams(text, start, i, grams);
  }
}

/** The grams of text[start, end), a word: its runs of 3 code points (Array.from's, as `gramTerms` takes them). */
function wordGrams(text: string, start: number, end: number, grams: PairSet): void {
  if (end - start >= starts.length) starts = new Int32Array(2 * (end - start + 1));
  let points = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    // A low surrogate after a high one continues its code point.
    if (c < 0xdc00 || c > 0xdfff || i === start || (text.charCodeAt(i - 1) & 0xfc00) !== 0xd800) starts[points++] = i;
  }
  starts[points] = end;
  for (let k = 0; k + 3 <= points; k++) {
    hashRange('g', text, starts[k], starts[k + 3]);
    grams.add(H1, H2);
  }
}

/** Sets the bits of every SEP-joined part of `joined`, each hashed after `prefix`. */
function addParts(bloom: Bloom, joined: string, prefix: PrefixHash): void {
  for (let from = 0; ;) {
    const to = joined.indexOf(SEP, from);
    prefix.hash(joined, from, to < 0 ? joined.length : to);
    setBits(bloom, H1, H2);
    if (to < 0) return;
    from = to + 1;
  }
}

/** Strings of a block's terms, each of `count` SEP-joined parts (null: none), as DuckDB hands them over. */
interface Parts {
  joined: string | null;
  count: number;
}

/** The filter of one block: sized for its distinct grams, its distinct property terms and its ids. */
function blockBloom(texts: string | null, props: (Parts & { key: string })[], ids: Parts): Bloom {
  const grams = new PairSet();
  if (texts !== null) addGrams(texts, grams);
  const bloom = bloomFor(grams.size + props.reduce((n, p) => n + p.count, 0) + ids.count);
  for (let i = 0; i < grams.keys.length; i += 2) if (grams.keys[i + 1] !== 0) setBits(bloom, grams.keys[i], grams.keys[i + 1]);
  for (const { key, joined } of props) {
    if (joined === null) continue;
    addParts(bloom, joined, new PrefixHash(propertyTerm(key, '').replaceAll(SEP, '')));
  }
  if (ids.joined !== null) addParts(bloom, ids.joined, new PrefixHash('i'));
  return bloom;
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
export async function buildSkipIndex(conn: DuckDBConnection, path: string, blockRows = BLOCK_ROWS, roundBytes = ROUND_BYTES): Promise<SkipIndex> {
  const { rows, rounds } = await roundsOf(conn, path, blockRows, roundBytes);
  const blooms: Bloom[] = Array.from({ length: Math.ceil(rows / blockRows) }, () => bloomFor(0));
  let minTs: number | null = null;
  let maxTs: number | null = null;
  for (const [first, last] of rounds) {
    const round = `file_row_number BETWEEN ${first} AND ${last}`;
    const props = new Map<number, (Parts & { key: string })[]>();
    for (const [b, key, joined, count] of (await conn.runAndReadAll(propsSql(path, blockRows, round))).getRows() as [bigint, string, string | null, bigint][]) {
      const block = props.get(Number(b)) ?? [];
      block.push({ key, joined, count: Number(count) });
      props.set(Number(b), block);
    }
    type Block = [bigint, bigint, bigint | null, bigint | null, string | null, string | null, bigint];
    for (const [b, , min, max, texts, ids, idCount] of (await conn.runAndReadAll(blocksSql(path, blockRows, round))).getRows() as Block[]) {
      blooms[Number(b)] = blockBloom(texts, props.get(Number(b)) ?? [], { joined: ids, count: Number(idCount) });
      if (min !== null && (minTs === null || Number(min) < minTs)) minTs = Number(min);
      if (max !== null && (maxTs === null || Number(max) > maxTs)) maxTs = Number(max);
    }
  }
  return { rows, blockRows, minTs, maxTs, blooms };
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
