/**
 * Which columns of the engine's views a statement reads, from DuckDB's own parse of it
 * (`json_serialize_sql`): the writer's pending rows are read from their staged payloads, where DuckDB's JSON
 * reader turns every column of a payload into values whether the statement reads it or not (half of what
 * a count over them costs, bench/README.md). Knowing the columns, a pending read takes only those.
 *
 * Conservative by construction: any form that could reach a column without naming it gives null (read
 * every column): a star or COLUMNS(...) over a view, a view (or its alias) used as a value, a positional
 * reference, renamed columns, a natural join, a relation the engine does not own (another view may read
 * ours), anything but SELECT statements. USING (…) names its columns. A name counts wherever
 * it appears as a column reference, whatever it qualifies, so a false match only reads one column more.
 */

type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Relation kinds a statement may read beside the views without hiding a read of them. */
const HARMLESS_TABLE_REFS = new Set(['SUBQUERY', 'JOIN', 'EXPRESSION_LIST', 'EMPTY', 'TABLE_FUNCTION']);
/** Table functions that read only what their arguments name (a table macro, or `query_table`, may read a view). */
const PLAIN_TABLE_FUNCTIONS = new Set(['range', 'generate_series', 'unnest', 'read_json', 'read_json_auto', 'read_ndjson', 'read_parquet']);

class Unknowable extends Error {}

/** FROM-clause entries carry a sample clause; expressions a class. */
const isTableRef = (v: Node) => !('class' in v) && 'sample' in v && typeof v.type === 'string' && !v.type.endsWith('_NODE');

/** Whether a FROM clause reads one of the views itself (not only through a subquery). */
function readsViewDirectly(ref: unknown): boolean {
  if (!isNode(ref)) return false;
  if (ref.type === 'BASE_TABLE') return true;
  if (ref.type === 'JOIN') return readsViewDirectly(ref.left) || readsViewDirectly(ref.right);
  return false;
}

/**
 * The lower-cased names `serialized` (json_serialize_sql's answer) references as columns, or null when a
 * statement might read columns of `views` it does not name.
 */
export function columnsRead(serialized: unknown, views: readonly string[]): Set<string> | null {
  if (!isNode(serialized) || serialized.error !== false || !Array.isArray(serialized.statements)) return null;
  const viewNames = new Set(views.map((v) => v.toLowerCase()));
  const rowNames = new Set(viewNames);
  const names = new Set<string>();
  const refs: string[][] = [];
  const visit = (value: unknown, overView: boolean): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v, overView);
      return;
    }
    if (!isNode(value)) return;
    if (value.type === 'SELECT_NODE') overView = readsViewDirectly(value.from_table);
    else if ((value.class === 'STAR' && overView) || value.class === 'POSITIONAL_REFERENCE') throw new Unknowable();
    else if (value.class === 'COLUMN_REF' && Array.isArray(value.column_names)) refs.push(value.column_names.map((n) => String(n).toLowerCase()));
    else if (isTableRef(value)) {
      if (value.type === 'BASE_TABLE') {
        // Renamed columns (`logs l(a, b)`) are read by position.
        const renamed = Array.isArray(value.column_name_alias) && value.column_name_alias.length > 0;
        if (!viewNames.has(String(value.table_name).toLowerCase()) || value.at_clause || renamed) throw new Unknowable();
        if (value.alias) rowNames.add(String(value.alias).toLowerCase());
      } else if (!HARMLESS_TABLE_REFS.has(String(value.type)) || value.ref_type === 'NATURAL') throw new Unknowable();
      else if (Array.isArray(value.using_columns)) refs.push(value.using_columns.map((n) => String(n).toLowerCase()));
      else if (value.type === 'TABLE_FUNCTION' && !(isNode(value.function) && PLAIN_TABLE_FUNCTIONS.has(String(value.function.function_name).toLowerCase()))) throw new Unknowable();
    }
    for (const key in value) visit(value[key], overView);
  };
  try {
    for (const statement of serialized.statements) visit(statement, false);
  } catch (err) {
    if (err instanceof Unknowable) return null;
    throw err;
  }
  for (const path of refs) {
    // A lone name that is a view or its alias is the whole row as a value (`SELECT logs FROM logs`).
    if (path.length === 1 && rowNames.has(path[0])) return null;
    for (const n of path) names.add(n);
  }
  return names;
}
