// A log message's template: the message with its variable parts (ids, addresses, numbers) masked as `<*>`,
// so that "Connection timeout to db-17 after 3s" and "… db-4 after 12s" are the same pattern. The same rules
// run in JavaScript (for one message) and in DuckDB SQL (to find a template's logs in the lake); both read
// the patterns below, whose syntax means the same to JavaScript and to DuckDB's RE2.

/**
 * In order of precedence: where two shapes start at the same place, the earlier (longer) one is masked,
 * so an address is one variable rather than four numbers.
 */
const VARIABLES: readonly string[] = [
  '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}',
  '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+',
  '[0-9]{1,3}(\\.[0-9]{1,3}){3}(:[0-9]+)?',
  '0x[0-9a-fA-F]+',
  '\\b[0-9a-fA-F]*[0-9][0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\\b',
  '[0-9]+(\\.[0-9]+)?',
];

export const VARIABLE = '<*>';

/*
 * One alternation, one pass: both engines take the leftmost match and, at one place, the first alternative
 * that matches. Six passes, one per shape, cost DuckDB 1.8x as much on every row compaction mines.
 */
const ANY = VARIABLES.map((p) => `(?:${p})`).join('|');
const JS = new RegExp(ANY, 'g');

export function templateOf(message: string): string {
  return message.replace(JS, VARIABLE);
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The same template of the SQL text expression `expr` (a column name, never user text). */
export function templateSql(expr: string): string {
  return `regexp_replace(coalesce(${expr}, ''), ${sqlString(ANY)}, ${sqlString(VARIABLE)}, 'g')`;
}
