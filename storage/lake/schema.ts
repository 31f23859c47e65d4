import type { Table } from '../../core/records.js';
import { columnsOf } from '../../core/tables.js';

/**
 * The Parquet columns of each table, in file order: what the writer produces and any Parquet tool reads.
 * Properties are split by JSON type into three maps so numbers stay numeric (`amount > 20`).
 */
export function parquetColumns(table: Table): [name: string, type: string][] {
  return [...columnsOf(table).map((c): [string, string] => [c.name, c.type]), ...(LAKE_COLUMNS[table] ?? [])];
}

/**
 * Columns the lake adds to what a record holds. `pattern_id` (logs): the message's pattern, which compaction
 * mines and stores (storage/catalog/patterns.ts); the writer's files hold NULL there, read from no staged key,
 * so ingest does no work for it, and queries take such rows' pattern from their message (query/patterns).
 * Files from before the column read it as NULL too (read_parquet's union_by_name).
 */
const LAKE_COLUMNS: Partial<Record<Table, [name: string, type: string][]>> = {
  logs: [['pattern_id', 'VARCHAR']],
};

/** Compacted files are sorted so DuckDB can skip row groups: by service where the table has one, then time. */
export const SORT_ORDER: Record<Table, string> = {
  logs: 'service, timestamp',
  events: 'event, timestamp',
  alert_events: 'timestamp',
};

/** The `columns={…}` argument of `read_json` for staged NDJSON of a table. */
export function readJsonColumns(table: Table): string {
  return `{${parquetColumns(table).map(([name, type]) => `${name}: '${type}'`).join(', ')}}`;
}

/**
 * The `columns={…}` argument of `read_json` for these columns of columnar payloads (`encode.ts`): `k`
 * holds each column once, `l` each as a list.
 */
export function readColumnarColumns(cols: [name: string, type: string][]): string {
  const struct = (suffix: string) => `STRUCT(${cols.map(([name, type]) => `"${name}" ${type}${suffix}`).join(', ')})`;
  return `{k: '${struct('')}', l: '${struct('[]')}'}`;
}

/** A relation with the table's columns and no rows: what a query reads when a project has no files yet. */
export function emptyRelation(table: Table): string {
  return `SELECT ${parquetColumns(table).map(([name, type]) => `CAST(NULL AS ${type}) AS "${name}"`).join(', ')} WHERE false`;
}
