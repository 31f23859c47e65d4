/**
 * A statement's `$n` parameters written in as the constants DuckDB makes of them when they are bound,
 * or null when that cannot be done surely (the caller then binds them).
 *
 * Why: @duckdb/node-api runs a statement with parameters as prepare, then execute. At the prepare DuckDB
 * binds and plans it without the values, inferring types from the SQL (`CAST($1 AS TIMESTAMPTZ)` makes
 * $1 a timestamp, `LIMIT $2` a BIGINT); the driver then binds text and INTEGERs, so the execute binds and
 * plans it again, now with the values as constants. The first bind is thrown away: over 24 files it cost
 * ~1.5 ms of a 15 ms count (bench/README.md). Written in, the values become the same constants the second
 * bind made, in one bind: a number of the type the driver binds it as, a string as quoted text (DuckDB takes
 * a bound string as an untyped literal, as it does quoted text).
 *
 * Strings are quoted with their quotes doubled (DuckDB's literals take no backslash escapes); a string
 * holding NUL, a value of another kind, or SQL this scanner does not read surely (escape or dollar-quoted
 * strings, block comments, `?` or named parameters, `$` inside a word) are left to the driver.
 */
export function inlineParams(sql: string, params: readonly unknown[]): string | null {
  const constants = params.map(constantOf);
  if (constants.some((c) => c === null)) return null;
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    const next = sql[i + 1];
    let end = i + 1;
    if (ch === "'" || ch === '"') {
      if (ch === "'" && /[eE]/.test(sql[i - 1] ?? '') && !WORD.test(sql[i - 2] ?? '')) return null;
      end = closing(sql, i, ch);
      if (end < 0) return null;
    } else if (ch === '-' && next === '-') {
      end = sql.indexOf('\n', i);
      if (end < 0) end = sql.length;
    } else if ((ch === '/' && next === '*') || ch === '?') {
      // `?` parameters are not numbered. Block comments nest in DuckDB: a constant written after an inner
      // `*/` would still be inside one, where a `*/` of its text would end it.
      return null;
    } else if (ch === '$') {
      const digits = /^\d+/.exec(sql.slice(i + 1))?.[0];
      if (!digits || WORD.test(sql[i - 1] ?? '')) return null;
      const constant = constants[Number(digits) - 1];
      if (constant === undefined) return null;
      out += constant;
      i += 1 + digits.length;
      continue;
    }
    out += sql.slice(i, end);
    i = end;
  }
  return out;
}

const WORD = /[\p{L}\p{N}_$]/u;

/** The index just past the quote closing the one at `start` (a doubled quote is part of the text); -1: none. */
function closing(sql: string, start: number, quote: string): number {
  let j = start + 1;
  for (;;) {
    j = sql.indexOf(quote, j);
    if (j < 0) return -1;
    if (sql[j + 1] !== quote) return j + 1;
    j += 2;
  }
}

/** The value as a constant of the type @duckdb/node-api binds it as (its `typeForValue`); null: bind it. */
function constantOf(value: unknown): string | null {
  if (value === null) return 'NULL';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isInteger(value)) return `CAST('${String(value)}' AS DOUBLE)`;
      if (!Number.isSafeInteger(value)) return null;
      return `CAST(${String(value)} AS ${value >= -2_147_483_648 && value <= 2_147_483_647 ? 'INTEGER' : 'BIGINT'})`;
    case 'string':
      return value.includes('\0') ? null : `'${value.replaceAll("'", "''")}'`;
    default:
      return null;
  }
}
