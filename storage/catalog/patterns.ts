// Log patterns per project: compaction mines each partition's new rows (those no compaction has given a
// pattern yet) and stores a pattern id per row in the merged file; the project's patterns (template, count,
// first and last seen, a sample) and which masked template belongs to which pattern are kept in the lake's
// `_patterns/` (every node over the lake reads them), as NDJSON files DuckDB reads directly at query time
// (query/patterns/lookup.ts).
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Table } from '../../core/records.js';
import { Drain, miningOrder, type DrainOptions } from '../../core/patterns/drain.js';
import { templateSql } from '../../core/patterns/template.js';
import { lakeFiles, type ParquetWriter } from '../lake/parquet.js';

export interface PatternRecord {
  id: string;
  template: string;
  /** Rows compaction has mined into it: approximate, like the catalog's volumes (a failed merge re-counts). */
  count: number;
  first_seen: string;
  last_seen: string;
  /** The earliest message mined into it. */
  sample: string;
}

export interface ProjectPatterns {
  /** In the order the miner started them, so a restored tree routes as the first one did. */
  patterns: PatternRecord[];
  /** Masked template → pattern id. */
  members: Map<string, string>;
}

export interface PatternFiles {
  patterns: string;
  members: string;
}

/** What the merge finds a row's pattern by: its message's hash (`_pattern_messages.h`, the same of each distinct message). */
const messageHash = (row = '') => `hash(coalesce(${row}message, ''))`;

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());

function writeAtomically(path: string, lines: unknown[]): void {
  writeFileSync(`${path}.tmp`, lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length ? '\n' : ''));
  renameSync(`${path}.tmp`, path);
}

const readLines = <T>(path: string): T[] =>
  existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as T) : [];

/** The saved patterns of each project; the compacting process writes them (the folder is made then), any process reads them. */
export class PatternStore {
  private cache = new Map<string, { mtime: number; saved: ProjectPatterns }>();

  constructor(readonly dir: string) {}

  files(project: string): PatternFiles {
    const dir = join(this.dir, encodeURIComponent(project));
    return { patterns: join(dir, 'patterns.ndjson'), members: join(dir, 'members.ndjson') };
  }

  /** The project's files when it has any. */
  existing(project: string): PatternFiles | null {
    const files = this.files(project);
    return existsSync(files.patterns) && existsSync(files.members) ? files : null;
  }

  load(project: string): ProjectPatterns {
    const files = this.files(project);
    const mtime = existsSync(files.patterns) ? statSync(files.patterns).mtimeMs : 0;
    const kept = this.cache.get(project);
    if (kept && kept.mtime === mtime) return kept.saved;
    const saved: ProjectPatterns = {
      patterns: readLines<PatternRecord>(files.patterns),
      members: new Map(readLines<{ masked: string; id: string }>(files.members).map((m) => [m.masked, m.id])),
    };
    this.cache.set(project, { mtime, saved });
    return saved;
  }

  /** Members first: a reader between the two writes finds a new member's pattern by its template. */
  save(project: string, saved: ProjectPatterns): void {
    const files = this.files(project);
    mkdirSync(join(this.dir, encodeURIComponent(project)), { recursive: true });
    writeAtomically(files.members, [...saved.members].map(([masked, id]) => ({ masked, id })));
    writeAtomically(files.patterns, saved.patterns);
    this.cache.set(project, { mtime: statSync(files.patterns).mtimeMs, saved });
  }

  /** The project's patterns, most common first. */
  list(project: string): PatternRecord[] {
    return [...this.load(project).patterns].sort((a, b) => b.count - a.count || a.id.localeCompare(b.id));
  }
}

/** What compaction calls before it merges a partition: mines, saves, and returns the merge's column list. */
export class PatternMiner {
  constructor(
    private readonly store: PatternStore,
    private readonly opts: Partial<DrainOptions> = {},
  ) {}

  /** The sources' rows with their pattern ids, as a relation for the merge to read; undefined when they need none. */
  async mine(parquet: ParquetWriter, project: string, table: Table, sources: string[]): Promise<string | undefined> {
    if (table !== 'logs') return undefined;
    const files = lakeFiles(sources);
    // Files from before the column have none; a merge of only such files adds it.
    const columns = await parquet.rows(`SELECT column_name FROM (DESCRIBE SELECT * FROM ${files})`);
    const hasColumn = columns.some((c) => c.column_name === 'pattern_id');
    // Each distinct message is masked once, here: the merge finds a row's pattern by its message's hash
    // instead of masking it again (masking is most of what mining costs).
    await parquet.rows(
      `CREATE OR REPLACE TEMP TABLE _pattern_messages AS
       SELECT hash(m) AS h, ${templateSql('m')} AS masked, n, first_seen, last_seen
       FROM (SELECT coalesce(message, '') AS m, count(*)::BIGINT AS n, min(timestamp) AS first_seen, max(timestamp) AS last_seen
             FROM ${files} ${hasColumn ? 'WHERE pattern_id IS NULL' : ''} GROUP BY 1)`,
    );
    // The messages themselves are not kept (a merge may hold millions): a template's sample is read back by its hash.
    const found = await parquet.rows(
      `WITH t AS (SELECT masked, sum(n)::BIGINT AS n, min(first_seen) AS first_seen, max(last_seen) AS last_seen, arg_min(h, first_seen) AS sample_h
                  FROM _pattern_messages GROUP BY 1),
            s AS (SELECT ${messageHash()} AS h, any_value(coalesce(message, '')) AS sample
                  FROM ${files} WHERE ${messageHash()} IN (SELECT sample_h FROM t) GROUP BY 1)
       SELECT t.masked, t.n, t.first_seen, t.last_seen, s.sample FROM t JOIN s ON s.h = t.sample_h`,
    );
    if (found.length === 0) return hasColumn ? undefined : `(SELECT *, CAST(NULL AS VARCHAR) AS pattern_id FROM ${files})`;
    const saved = this.store.load(project);
    const drain = new Drain(this.opts, saved.patterns);
    const records = new Map(saved.patterns.map((p) => [p.id, { ...p }]));
    const members = new Map(saved.members);
    const assigned: { masked: string; id: string }[] = [];
    const items = found.map((r) => ({ masked: String(r.masked), count: Number(r.n), first: iso(r.first_seen), last: iso(r.last_seen), sample: String(r.sample) }));
    for (const item of miningOrder(items)) {
      let id = members.get(item.masked);
      if (id === undefined) {
        id = drain.add(item.masked, item.count).id;
        members.set(item.masked, id);
      }
      const template = drain.get(id)?.template ?? item.masked;
      const record = records.get(id);
      if (record) {
        record.template = template;
        record.count += item.count;
        // The sample is the earliest message, as in the GQL view.
        if (item.first < record.first_seen) [record.first_seen, record.sample] = [item.first, item.sample];
        if (item.last > record.last_seen) record.last_seen = item.last;
      } else {
        records.set(id, { id, template, count: item.count, first_seen: item.first, last_seen: item.last, sample: item.sample });
      }
      assigned.push({ masked: item.masked, id });
    }
    this.store.save(project, { patterns: [...records.values()], members });
    // Message hash → pattern id. Two messages of one hash (a collision) share one's pattern: a grouping, never the data.
    await parquet.rows(
      `CREATE OR REPLACE TEMP TABLE _pattern_members AS
       SELECT p.h AS h, any_value(a.id) AS id
       FROM _pattern_messages p JOIN (SELECT e.masked AS masked, e.id AS id FROM (SELECT unnest(from_json($1::JSON, '[{"masked":"VARCHAR","id":"VARCHAR"}]')) AS e)) a ON a.masked = p.masked
       GROUP BY p.h`,
      [JSON.stringify(assigned)],
    );
    await parquet.rows('DROP TABLE _pattern_messages');
    // A join on the hash alone (members hold each hash once, so no row is repeated): the scalar subquery per
    // row it replaces cost the merge half as much again, and a condition beside the equality made DuckDB
    // join by nested loops (bench/README.md, issue 12). Rows that have an id keep it.
    const joined = `${files} f LEFT JOIN _pattern_members m ON m.h = ${messageHash('f.')}`;
    return hasColumn
      ? `(SELECT f.* REPLACE (coalesce(f.pattern_id, m.id) AS pattern_id) FROM ${joined})`
      : `(SELECT f.*, m.id AS pattern_id FROM ${joined})`;
  }
}
