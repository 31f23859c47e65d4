// A row's pattern at query time. Compacted rows carry the id compaction mined (`pattern_id`); a row no merge
// has seen yet takes the pattern its masked template belongs to (the project's saved members), or, for a
// masked template no miner has seen, the id it would start a pattern with. The template shown is the saved
// pattern's, else the masked template itself. Both read two temp views a query's connection gets from the
// project's pattern files (storage/catalog/patterns.ts) just before it runs (`preparePatterns`).
import type { PatternStore } from '../../storage/catalog/patterns.js';
import { sqlString } from '../../storage/lake/parquet.js';
import type { QueryEngine, Relations } from '../engine/engine.js';
import { patternIdSql } from './drain.js';
import { templateSql } from './template.js';

const MASKED = templateSql('message');

/** The SQL of a logs row's pattern id. */
export const PATTERN_ID_SQL = `coalesce(pattern_id, (SELECT m.id FROM _pattern_members m WHERE m.masked = ${MASKED}), ${patternIdSql(MASKED)})`;

/** The template of the pattern `idSql`, falling back to the masked template of `messageSql`. */
export function patternTemplateSql(idSql: string, messageSql = 'message'): string {
  return `coalesce((SELECT p.template FROM _patterns p WHERE p.id = ${idSql}), ${templateSql(messageSql)})`;
}

/** The SQL of a logs row's pattern template. */
export const PATTERN_SQL = patternTemplateSql(PATTERN_ID_SQL);

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
 * Defines `_patterns` and `_pattern_members` for `project` on the query's connection; a lake older than the
 * `pattern_id` column (no file in the window has it) gets the column as NULL on its `logs` view.
 */
export async function preparePatterns(rel: Relations, store: PatternStore | null, project: string): Promise<void> {
  const files = store?.existing(project);
  await rel.all(`CREATE OR REPLACE TEMP VIEW _patterns AS ${files ? readJson(files.patterns, PATTERN_COLUMNS) : EMPTY_PATTERNS}`);
  await rel.all(`CREATE OR REPLACE TEMP VIEW _pattern_members AS ${files ? readJson(files.members, MEMBER_COLUMNS) : EMPTY_MEMBERS}`);
  const [has] = await rel.all("SELECT count(*)::INTEGER AS n FROM (DESCRIBE logs) WHERE column_name = 'pattern_id'");
  if (Number(has.n) === 0) {
    await rel.all('DROP VIEW IF EXISTS _logs_before_patterns');
    await rel.all('ALTER VIEW logs RENAME TO _logs_before_patterns');
    await rel.all('CREATE TEMP VIEW logs AS SELECT *, CAST(NULL AS VARCHAR) AS pattern_id FROM _logs_before_patterns');
  }
}
