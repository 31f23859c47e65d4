/**
 * Every lake table, declared once: its columns in Parquet file order, each with its DuckDB type, whether a
 * record may hold null there, and how the query language sees it. Records, the Parquet schema, the query
 * fields and the search rows all derive from this.
 */

export const SEVERITIES = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type DuckType =
  | 'VARCHAR' | 'TIMESTAMPTZ' | 'INTEGER' | 'DOUBLE' | 'VARCHAR[]'
  | 'MAP(VARCHAR, VARCHAR)' | 'MAP(VARCHAR, DOUBLE)' | 'MAP(VARCHAR, BOOLEAN)';

/** How a query compares a column (spec 10.1). */
export type ColumnClass = 'text' | 'enum' | 'severity' | 'identifier' | 'number' | 'time' | 'tags';

export interface QuerySpec {
  cls: ColumnClass;
  /** Other names a query may use, matched case-insensitively (spec 2.1). */
  aliases?: readonly string[];
  /** May stand left of `@` (rule 6.2.10). */
  fullText?: boolean;
}

export interface ColumnSpec {
  name: string;
  type: DuckType;
  nullable?: boolean;
  /** The only values a record holds (narrows the record type). */
  values?: readonly string[];
  /** Absent: stored, but not a column to the query language (a bare name resolves to a property). */
  query?: QuerySpec;
}

export interface TableSpec {
  columns: readonly ColumnSpec[];
  /**
   * What a search reads, in the order its rows present columns (spec 14.1), which puts `environment` after
   * the record's own columns rather than beside `project_id` where the file keeps it.
   */
  row: readonly string[];
}

const PROPERTY_MAPS = [
  { name: 'attrs_str', type: 'MAP(VARCHAR, VARCHAR)' },
  { name: 'attrs_num', type: 'MAP(VARCHAR, DOUBLE)' },
  { name: 'attrs_bool', type: 'MAP(VARCHAR, BOOLEAN)' },
] as const satisfies readonly ColumnSpec[];

/** Holds each search row to the table's own column names. */
function table<const C extends readonly ColumnSpec[]>(columns: C, row: readonly C[number]['name'][]) {
  return { columns, row } satisfies TableSpec;
}

export const TABLE_SPECS = {
  logs: table(
    [
      { name: 'id', type: 'VARCHAR', query: { cls: 'identifier' } },
      { name: 'project_id', type: 'VARCHAR' },
      { name: 'environment', type: 'VARCHAR', query: { cls: 'enum' } },
      { name: 'timestamp', type: 'TIMESTAMPTZ', query: { cls: 'time', aliases: ['client_timestamp'] } },
      { name: 'observed_timestamp', type: 'TIMESTAMPTZ', query: { cls: 'time', aliases: ['server_timestamp'] } },
      { name: 'severity', type: 'VARCHAR', values: SEVERITIES, query: { cls: 'severity', aliases: ['level', 'severity_text'] } },
      { name: 'severity_number', type: 'INTEGER', query: { cls: 'number' } },
      { name: 'message', type: 'VARCHAR', nullable: true, query: { cls: 'text', aliases: ['body'], fullText: true } },
      { name: 'service', type: 'VARCHAR', nullable: true, query: { cls: 'text', aliases: ['service_name', 'service.name'] } },
      { name: 'action', type: 'VARCHAR', nullable: true, query: { cls: 'text', aliases: ['event_name'], fullText: true } },
      { name: 'tags', type: 'VARCHAR[]', query: { cls: 'tags', aliases: ['tag'] } },
      { name: 'trace_id', type: 'VARCHAR', nullable: true, query: { cls: 'identifier' } },
      { name: 'span_id', type: 'VARCHAR', nullable: true, query: { cls: 'identifier' } },
      { name: 'trace_flags', type: 'INTEGER', nullable: true },
      ...PROPERTY_MAPS,
      { name: 'resource', type: 'MAP(VARCHAR, VARCHAR)' },
      { name: 'receiver', type: 'VARCHAR' },
    ],
    ['id', 'timestamp', 'observed_timestamp', 'severity', 'severity_number', 'message', 'service', 'environment',
      'action', 'tags', 'trace_id', 'span_id', 'trace_flags', 'attrs_str', 'attrs_num', 'attrs_bool', 'resource'],
  ),
  events: table(
    [
      { name: 'id', type: 'VARCHAR', query: { cls: 'identifier' } },
      { name: 'project_id', type: 'VARCHAR' },
      { name: 'environment', type: 'VARCHAR', query: { cls: 'enum' } },
      { name: 'timestamp', type: 'TIMESTAMPTZ', query: { cls: 'time' } },
      // Stored, but not a column of spec 2.1: on events the name resolves to a property.
      { name: 'observed_timestamp', type: 'TIMESTAMPTZ' },
      { name: 'event', type: 'VARCHAR', query: { cls: 'text', aliases: ['event_name', 'name'], fullText: true } },
      { name: 'distinct_id', type: 'VARCHAR', nullable: true, query: { cls: 'identifier', aliases: ['$distinct_id', 'distinctId'] } },
      ...PROPERTY_MAPS,
    ],
    ['id', 'timestamp', 'event', 'distinct_id', 'environment', 'attrs_str', 'attrs_num', 'attrs_bool'],
  ),
  alert_events: table(
    [
      { name: 'id', type: 'VARCHAR', query: { cls: 'identifier' } },
      { name: 'project_id', type: 'VARCHAR' },
      { name: 'timestamp', type: 'TIMESTAMPTZ', query: { cls: 'time' } },
      { name: 'alert_id', type: 'VARCHAR', query: { cls: 'identifier' } },
      { name: 'alert_name', type: 'VARCHAR', query: { cls: 'text', fullText: true } },
      { name: 'state', type: 'VARCHAR', query: { cls: 'enum' } },
      { name: 'value', type: 'DOUBLE', nullable: true, query: { cls: 'number' } },
      { name: 'threshold', type: 'DOUBLE', nullable: true, query: { cls: 'number' } },
    ],
    ['id', 'timestamp', 'alert_id', 'alert_name', 'state', 'value', 'threshold'],
  ),
};

export type Table = keyof typeof TABLE_SPECS;
export const TABLES = Object.keys(TABLE_SPECS) as [Table, ...Table[]];

type ColumnOf<T extends Table> = (typeof TABLE_SPECS)[T]['columns'][number];
export type ColumnName<T extends Table> = ColumnOf<T>['name'];

interface DuckTs {
  VARCHAR: string;
  TIMESTAMPTZ: string;
  INTEGER: number;
  DOUBLE: number;
  'VARCHAR[]': string[];
  'MAP(VARCHAR, VARCHAR)': Record<string, string>;
  'MAP(VARCHAR, DOUBLE)': Record<string, number>;
  'MAP(VARCHAR, BOOLEAN)': Record<string, boolean>;
}

type ValueOf<C extends ColumnSpec> =
  | (C extends { values: readonly (infer V)[] } ? V : DuckTs[C['type']])
  | (C extends { nullable: true } ? null : never);

/** A table's stored row as TypeScript: one member per column, `| null` where the column is nullable. */
export type StoredRow<T extends Table> = { [C in ColumnOf<T> as C['name']]: ValueOf<C> };

export function columnsOf(table: Table): readonly ColumnSpec[] {
  return TABLE_SPECS[table].columns;
}

/** The three typed property maps, when the table has them (alert_events has none). */
export function hasPropertyMaps(table: Table): boolean {
  return columnsOf(table).some((c) => c.name === 'attrs_str');
}

export function hasResource(table: Table): boolean {
  return columnsOf(table).some((c) => c.name === 'resource');
}
