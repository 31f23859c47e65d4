// A row's pattern at query time. Compacted rows carry the id compaction mined (`pattern_id`); a row no merge
// has seen yet takes the pattern its masked template belongs to (the project's saved members), or, for a
// masked template no miner has seen, the id it would start a pattern with. The template shown is the saved
// pattern's, else the masked template itself. A query that reads patterns reads `logs_patterned`, a view of
// the engine's `logs` with both as columns (`_pattern_id`, `_pattern`), joined from the project's pattern
// files (storage/catalog/patterns.ts); only rows without a stored id are masked (a regex per row).
import type { PatternStore } from '../../storage/catalog/patterns.js';
import { sqlString } from '../../storage/lake/parquet.js';
import type { QueryEngine, QueryHints, Relations, Scope, TimeWindow } from '../engine/engine.js';
import { patternIdSql } from '../../core/patterns/drain.js';
import { templateSql } from '../../core/patterns/template.js';

const MASKED = templateSql('message');

/** The view of logs with their patterns, on a connection `preparePatterns` prepared. */
export const PATTERNED_LOGS = 'logs_patterned';

/** The SQL of a logs row's pattern id, and of its template (columns of PATTERNED_LOGS). */
export const PATTERN_ID_SQL = '_pattern_id';
export const PATTERN_SQL = '_pattern';

const PATTERN_COLUMNS = "{id: 'VARCHAR', template: 'VARCHAR', count: 'BIGINT', first_seen: 'TIMESTAMPTZ', last_seen: 'TIMESTAMPTZ', sample: 'VARCHAR'}";
const MEMBER_COLUMNS = "{masked: 'VARCHAR', id: 'VARCHAR'}";
const EMPTY_PATTERNS = 'SELECT NULL::VARCHAR AS id, NULL::VARCHAR AS template, NULL::BIGINT AS count, NULL::TIMESTAMPTZ AS first_seen, NULL::TIMESTAMPTZ AS last_seen, NULL::VARCHAR AS sample WHERE false';
const EMPTY_MEMBERS = 'SELECT NULL::VARCHAR AS masked, NULL::VARCHAR AS id WHERE false';

const readJson = (path: string, columns: string) => `SELECT * FROM read_json(${sqlString(path)}, format = 'newline_delimited', columns = ${columns})`;

// Each engine's store (app/service.ts attaches it): several services may share a process in tests.
const stores = new WeakMap<QueryEngine, PatternStore>();

export function usePatternStore(engine: QueryEngine, store: PatternStore): void {
  stores.set(engine, store);
}

export function patternStoreOf(engine: QueryEngine): PatternStore | null {
  return stores.get(engine) ?? null;
}

/**
 * Defines `_patterns` and `_pattern_members` for `project` on the query's connection, and PATTERNED_LOGS over
 * the engine's `logs` by name (so it reads whatever files the engine's view holds, also after the engine
 * re-makes it). A lake older than the stored column (no file in the window has it) reads it as NULL.
 */
export async function preparePatterns(rel: Relations, store: PatternStore | null, project: string): Promise<void> {
  const files = store?.existing(project);
  await rel.all(`CREATE OR REPLACE TEMP VIEW _patterns AS ${files ? readJson(files.patterns, PATTERN_COLUMNS) : EMPTY_PATTERNS}`);
  await rel.all(`CREATE OR REPLACE TEMP VIEW _pattern_members AS ${files ? readJson(files.members, MEMBER_COLUMNS) : EMPTY_MEMBERS}`);
  const [has] = await rel.all("SELECT count(*)::INTEGER AS n FROM (DESCRIBE logs) WHERE column_name = 'pattern_id'");
  const column = Number(has.n) > 0 ? 'pattern_id' : 'CAST(NULL AS VARCHAR)';
  const stored = column === 'pattern_id' ? 'b.pattern_id' : column;
  const id = `coalesce(${stored}, m.id, ${patternIdSql('b._masked')})`;
  await rel.all(
    `CREATE OR REPLACE TEMP VIEW ${PATTERNED_LOGS} AS SELECT b.* EXCLUDE (_masked), ${id} AS _pattern_id, coalesce(p.template, b._masked, ${templateSql('b.message')}) AS _pattern
     FROM (SELECT *, CASE WHEN ${column} IS NULL THEN ${MASKED} END AS _masked FROM logs) b
     LEFT JOIN _pattern_members m ON m.masked = b._masked
     LEFT JOIN _patterns p ON p.id = ${id}`,
  );
}

/** `engine.withRelations` over logs with the pattern views in place. */
export function withPatterns<T>(engine: QueryEngine, scope: Scope, window: TimeWindow, work: (rel: Relations) => Promise<T>, hints?: QueryHints): Promise<T> {
  return engine.withRelations(scope, ['logs'], window, async (rel) => {
    await preparePatterns(rel, patternStoreOf(engine), scope.project);
    return work(rel);
  }, hints);
}
