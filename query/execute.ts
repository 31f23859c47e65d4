import type { ApiKey } from '../storage/meta/store.js';
import type { QueryEngine, QueryHints, Relations, Scope } from './engine/engine.js';
import { requirementOf } from './engine/skip.js';
import { parseQuery, runParsed, type Expr, type Query, type QueryRequest, type QueryResult } from './language/index.js';
import { filterHas, readsPatterns } from './language/fields.js';
import { searchPlan } from './language/pipeline.js';
import { withPatterns } from './patterns/lookup.js';

/** What a key may read: its project, in its environments. */
export function scopeOf(key: ApiKey): Scope {
  return { project: key.project_id, environments: key.environments };
}

/** The one path every query endpoint takes: parse, pick the scope's files for the window, compile, run, shape. */
export async function executeQuery(engine: QueryEngine, scope: Scope, request: QueryRequest): Promise<QueryResult> {
  return executeParsed(engine, scope, parseQuery(request));
}

/** Whether a filter reads property or resource maps (an engine hint: see QueryHints). */
const readsMaps = (e: Expr | null) => filterHas(e, (field) => field.kind !== 'column');

/** The relations a parsed query runs on: its source in its window, with the pattern views when it reads them. */
export function withQueryRelations<T>(engine: QueryEngine, scope: Scope, q: Query, work: (rel: Relations) => Promise<T>): Promise<T> {
  const hints = hintsOf(q);
  return readsPatterns(q) ? withPatterns(engine, scope, q.time, work, hints) : engine.withRelations(scope, [q.source], q.time, work, hints);
}

/**
 * What the engine may use to read less (QueryHints): the terms a matching log must hold, and, for a search
 * whose only post stage is its page limit, that the statement returns its first page + 1 rows by time.
 */
export function hintsOf(q: Query): QueryHints {
  const hints: QueryHints = { filterReadsMaps: readsMaps(q.filter) };
  if (q.source !== 'logs') return hints;
  hints.need = requirementOf(q.filter);
  const plan = q.aggregate ? null : searchPlan(q);
  if (plan && plan.stages.length === 1 && plan.extraRow) hints.firstRows = { rows: plan.returned + 1, order: q.order };
  return hints;
}

/** The same path from a parsed query: for callers that adapt the AST (an alert condition counted over its window). */
export function executeParsed(engine: QueryEngine, scope: Scope, query: Query): Promise<QueryResult> {
  return runParsed((q, work) => withQueryRelations(engine, scope, q, work), query);
}
