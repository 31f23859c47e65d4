import type { QueryEngine } from './engine/engine.js';
import { runQuery, type QueryRequest, type QueryResult } from './language/index.js';

/** The one path every query endpoint takes: parse, pick the project's files for the window, compile, run, shape. */
export function executeQuery(engine: QueryEngine, projectId: string, request: QueryRequest): Promise<QueryResult> {
  return runQuery((query, work) => engine.withRelations(projectId, [query.source], query.time, work), request);
}
