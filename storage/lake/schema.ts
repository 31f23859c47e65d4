import type { Table } from '../../core/records.js';

/**
 * The Parquet columns of each table, in file order: what the writer produces and any Parquet tool reads.
 * Properties are split by JSON type into three maps so numbers stay numeric (`amount > 20`).
 */
export const COLUMNS: Record<Table, [name: string, type: string][]> = {
  logs: [
    ['id', 'VARCHAR'],
    ['project_id', 'VARCHAR'],
    ['environment', 'VARCHAR'],
    ['timestamp', 'TIMESTAMPTZ'],
    ['observed_timestamp', 'TIMESTAMPTZ'],
    ['severity', 'VARCHAR'],
    ['severity_number', 'INTEGER'],
    ['message', 'VARCHAR'],
    ['service', 'VARCHAR'],
    ['action', 'VARCHAR'],
    ['tags', 'VARCHAR[]'],
    ['trace_id', 'VARCHAR'],
    ['span_id', 'VARCHAR'],
    ['trace_flags', 'INTEGER'],
    ['attrs_str', 'MAP(VARCHAR, VARCHAR)'],
    ['attrs_num', 'MAP(VARCHAR, DOUBLE)'],
    ['attrs_bool', 'MAP(VARCHAR, BOOLEAN)'],
    ['resource', 'MAP(VARCHAR, VARCHAR)'],
    ['receiver', 'VARCHAR'],
  ],
  events: [
    ['id', 'VARCHAR'],
    ['project_id', 'VARCHAR'],
    ['environment', 'VARCHAR'],
    ['timestamp', 'TIMESTAMPTZ'],
    ['observed_timestamp', 'TIMESTAMPTZ'],
    ['event', 'VARCHAR'],
    ['distinct_id', 'VARCHAR'],
    ['attrs_str', 'MAP(VARCHAR, VARCHAR)'],
    ['attrs_num', 'MAP(VARCHAR, DOUBLE)'],
    ['attrs_bool', 'MAP(VARCHAR, BOOLEAN)'],
  ],
  alert_events: [
    ['id', 'VARCHAR'],
    ['project_id', 'VARCHAR'],
    ['timestamp', 'TIMESTAMPTZ'],
    ['alert_id', 'VARCHAR'],
    ['alert_name', 'VARCHAR'],
    ['state', 'VARCHAR'],
    ['value', 'DOUBLE'],
    ['threshold', 'DOUBLE'],
  ],
};

/** Compacted files are sorted so DuckDB can skip row groups: by service where the table has one, then time. */
export const SORT_ORDER: Record<Table, string> = {
  logs: 'service, timestamp',
  events: 'event, timestamp',
  alert_events: 'timestamp',
};

/** The `columns={…}` argument of `read_json` for staged NDJSON of a table. */
export function readJsonColumns(table: Table): string {
  return `{${COLUMNS[table].map(([name, type]) => `${name}: '${type}'`).join(', ')}}`;
}

/** A relation with the table's columns and no rows: what a query reads when a project has no files yet. */
export function emptyRelation(table: Table): string {
  return `SELECT ${COLUMNS[table].map(([name, type]) => `CAST(NULL AS ${type}) AS "${name}"`).join(', ')} WHERE false`;
}
