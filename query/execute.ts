import type { ApiKey } from '../storage/meta/store.js';
import type { QueryEngine, Scope } from './engine/engine.js';
import { runQuery, type QueryRequest, type QueryResult } from './language/index.js';

/** What a key may read: its project, in its environments. */
export function scopeOf(key: ApiKey): Scope {
  return { project: key.project_id, environments: key.environments };
}

/** The one path every query endpoint takes: parse, pick the scope's files for the window, compile, run, shape. */
export function executeQuery(engine: QueryEngine, scope: Scope, request: QueryRequest): Promise<QueryResult> {
  return runQuery((query, work) => engine.withRelations(scope, [query.source], query.time, work), request);
}
