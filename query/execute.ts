import type { ApiKey } from '../storage/meta/store.js';
import type { QueryEngine, Scope } from './engine/engine.js';
import { parseQuery, runParsed, type Expr, type Query, type QueryRequest, type QueryResult } from './language/index.js';
import { isPatternField } from './language/fields.js';
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
function readsMaps(e: Expr | null): boolean {
  if (!e) return false;
  switch (e.op) {
    case 'and':
    case 'or':
      return e.args.some(readsMaps);
    case 'not':
      return readsMaps(e.arg);
    case 'text':
      return false;
    default:
      return e.field.kind !== 'column';
  }
}

function filterReadsPattern(e: Expr | null): boolean {
  if (!e) return false;
  switch (e.op) {
    case 'and':
    case 'or':
      return e.args.some(filterReadsPattern);
    case 'not':
      return filterReadsPattern(e.arg);
    case 'text':
      return false;
    default:
      return isPatternField(e.field);
  }
}

/** Whether the query reads a row's pattern (`pattern`, `pattern_id`, `| patterns`). */
export function readsPatterns(q: Query): boolean {
  const fields = [...(q.aggregate?.groupBy ?? []), ...(q.aggregate?.field ? [q.aggregate.field] : []), ...(q.fields ?? [])];
  return q.source === 'logs' && (filterReadsPattern(q.filter) || fields.some(isPatternField));
}

/** The same path from a parsed query: for callers that adapt the AST (an alert condition counted over its window). */
export function executeParsed(engine: QueryEngine, scope: Scope, query: Query): Promise<QueryResult> {
  return runParsed((q, work) => {
    const hints = { filterReadsMaps: readsMaps(q.filter) };
    return readsPatterns(q) ? withPatterns(engine, scope, q.time, work, hints) : engine.withRelations(scope, [q.source], q.time, work, hints);
  }, query);
}
