// Query -> one parameterised DuckDB statement (spec section 17) over the relations `logs`, `events`,
// `alert_events`. Every user value goes through `Params`; SQL text is only the compiler's own fragments.
import { TABLE_SPECS } from '../../core/tables.js';
import type { Aggregate, FieldRef, Query, SortDir } from './ast.js';
import { columnSql, presentSql, propertySql, resourceSql, type SqlContext } from './compile-filter.js';
import { fieldClass, hasProperties, relationOf, resolveField, sameField } from './fields.js';
import { compileWhere, timeBucketSql } from './fragments.js';
import { Params } from './params.js';
import { AGG, AGGREGATE_ROW_CAP, searchPlan } from './pipeline.js';
import { PATTERN_SQL } from '../patterns/lookup.js';

export interface CompiledQuery { sql: string; params: unknown[] }

const nullsLast = (expr: string, dir: SortDir) => `${expr} ${dir.toUpperCase()} NULLS LAST`;

/** Property order (12.2): numbers < strings < booleans, absent last in both directions. */
function typedOrder(t: { s: string; n: string; b: string }, dir: SortDir): string[] {
  const cls = `CASE WHEN ${t.n} IS NOT NULL THEN 0 WHEN ${t.s} IS NOT NULL THEN 1 WHEN ${t.b} IS NOT NULL THEN 2 END`;
  return [cls, t.n, t.s, t.b].map((e) => nullsLast(e, dir));
}

function whereSql(q: Query, c: SqlContext): string {
  const where = compileWhere(q, c.params);
  return where ? ` WHERE ${where}` : '';
}

// ---- search -------------------------------------------------------------------------------------

function searchSortKey(key: string, dir: SortDir, c: SqlContext): string[] {
  const field = resolveField(key, c.source);
  if (field.kind === 'resource') return [nullsLast(resourceSql(field.key, c.params), dir)];
  if (field.kind === 'property') return hasProperties(c.source) ? typedOrder(propertySql(field.key, c.params), dir) : [];
  if (field.name === 'severity') return [nullsLast('sevrank(severity)', dir)];
  return [nullsLast(columnSql(field, c.source), dir)];
}

/**
 * Stages run in pipeline order; each sort is stable, i.e. its keys go in front of the current order.
 * The first limit reads one extra row so has_more costs no full count; when more stages follow, a
 * window over that small set records how many rows there were before trimming back to the limit.
 */
function compileSearch(q: Query, c: SqlContext): string {
  const dir = q.order === 'latest' ? 'DESC' : 'ASC';
  let order = [`timestamp ${dir}`, `id ${dir}`];
  // The row columns of section 14.1 shapes.
  let sql = `SELECT ${TABLE_SPECS[q.source].row.join(', ')} FROM ${relationOf(q)}${whereSql(q, c)}`;
  let limited = false;
  let untrimmed: { n: number; order: string[] } | null = null;
  let sortedSinceLimit = false;
  for (const stage of searchPlan(q).stages) {
    if (untrimmed) {
      sql = `SELECT *, count(*) OVER () AS ${AGG.total} FROM (${sql}) ORDER BY ${untrimmed.order.join(', ')} LIMIT ${c.params.add(untrimmed.n)}`;
      untrimmed = null;
    }
    if (stage.type === 'sort') {
      order = [...stage.keys.flatMap((k) => searchSortKey(k.key, k.dir, c)), ...order];
      sortedSinceLimit = true;
      continue;
    }
    if (!limited) {
      sql = `${sql} ORDER BY ${order.join(', ')} LIMIT ${c.params.add(stage.n + 1)}`;
      untrimmed = { n: stage.n, order };
      limited = true;
    } else {
      sql = `SELECT * FROM (${sql}) ORDER BY ${order.join(', ')} LIMIT ${c.params.add(stage.n)}`;
    }
    sortedSinceLimit = false;
  }
  return sortedSinceLimit ? `SELECT * FROM (${sql}) ORDER BY ${order.join(', ')}` : sql;
}

// ---- aggregate ----------------------------------------------------------------------------------

interface GroupKey { select: string[]; group: string[]; order: (dir: SortDir) => string[]; field: FieldRef }

function groupKey(field: FieldRef, i: number, c: SqlContext): GroupKey {
  const alias = AGG.key(i);
  if (field.kind === 'property' && hasProperties(c.source)) {
    const t = propertySql(field.key, c.params);
    const a = { s: AGG.typedKey(i, 's'), n: AGG.typedKey(i, 'n'), b: AGG.typedKey(i, 'b') };
    return {
      select: [`${t.s} AS ${a.s}`, `${t.n} AS ${a.n}`, `${t.b} AS ${a.b}`],
      group: [a.s, a.n, a.b],
      order: (dir) => typedOrder(a, dir),
      field,
    };
  }
  const expr = field.kind === 'property' ? 'NULL'
    : field.kind === 'resource' ? resourceSql(field.key, c.params) : columnSql(field, c.source);
  const isSeverity = field.kind === 'column' && field.name === 'severity';
  return {
    select: [`${expr} AS ${alias}`],
    group: [alias],
    order: (dir) => [nullsLast(isSeverity ? `sevrank(${alias})` : alias, dir)],
    field,
  };
}

/** The numeric view num(v) of 10.3 for numeric aggregates. */
function numericSql(field: FieldRef, c: SqlContext): string {
  if (field.kind === 'property') {
    if (!hasProperties(c.source)) return 'CAST(NULL AS DOUBLE)';
    const t = propertySql(field.key, c.params);
    return `vnum(${t.s}, ${t.n})`;
  }
  if (field.kind === 'resource') return `pnum(${resourceSql(field.key, c.params)})`;
  return fieldClass(field, c.source) === 'number' ? `CAST(${columnSql(field, c.source)} AS DOUBLE)` : `pnum(${columnSql(field, c.source)})`;
}

/** Distinctness by typed value (13.1): the string "200" and the number 200 are two values. */
function distinctSql(field: FieldRef, c: SqlContext): string {
  if (field.kind === 'property') {
    if (!hasProperties(c.source)) return 'count(DISTINCT CAST(NULL AS VARCHAR))';
    const t = propertySql(field.key, c.params);
    return `count(DISTINCT {'s': ${t.s}, 'n': ${t.n}, 'b': ${t.b}})`;
  }
  return `count(DISTINCT ${field.kind === 'resource' ? resourceSql(field.key, c.params) : columnSql(field, c.source)})`;
}

/** The aggregate expression and the predicate that drops rows without a value (13.1). */
function valueSql(agg: Aggregate, grouped: boolean, c: SqlContext): { expr: string; present: string | null } {
  if (agg.func === 'count' || !agg.field) return { expr: 'count(*)', present: null };
  if (agg.func === 'count_distinct') return { expr: distinctSql(agg.field, c), present: presentSql(agg.field, c) };
  const x = numericSql(agg.field, c);
  const present = `${x} IS NOT NULL`;
  switch (agg.func) {
    case 'sum': return { expr: grouped ? `sum(${x})` : `coalesce(sum(${x}), 0)`, present };
    case 'percentile': return { expr: `quantile_cont(${x}, ${c.params.add(agg.p ?? 0.5)})`, present };
    default: return { expr: `${agg.func}(${x})`, present };
  }
}

/** Which group key a sort key names: `value`/function names sort by value (rule 6.2.7). */
function aggSortKey(key: string, dir: SortDir, keys: GroupKey[], q: Query): string[] {
  const written = keys.find((k) => k.field.written === key);
  const ref = resolveField(key, q.source);
  const match = written ?? keys.find((k) => sameField(k.field, ref));
  if (match) return match.order(dir);
  if (q.timeslice && key.toLowerCase() === 'time') return [nullsLast(AGG.time, dir)];
  return [nullsLast(AGG.value, dir)];
}

function compileAggregate(q: Query, agg: Aggregate, c: SqlContext): string {
  const keys = agg.groupBy.map((f, i) => groupKey(f, i, c));
  const grouped = keys.length > 0 || q.timeslice !== null;
  const value = valueSql(agg, grouped, c);
  const selects = keys.flatMap((k) => k.select);
  const groups = keys.flatMap((k) => k.group);
  if (q.timeslice) {
    selects.unshift(`${timeBucketSql(q.timeslice.seconds, c.params)} AS ${AGG.time}`);
    groups.unshift(AGG.time);
  }
  selects.push(`${value.expr} AS ${AGG.value}`);
  if (agg.view === 'patterns') {
    selects.push(`any_value(${PATTERN_SQL}) AS ${AGG.template}`, `min(timestamp) AS ${AGG.firstSeen}`, `max(timestamp) AS ${AGG.lastSeen}`, `arg_min(message, timestamp) AS ${AGG.sample}`);
  }
  if (grouped) selects.push(`count(*) OVER () AS ${AGG.groups}`);
  let where = whereSql(q, c);
  if (value.present) where = where ? `${where} AND ${value.present}` : ` WHERE ${value.present}`;
  let sql = `SELECT ${selects.join(', ')} FROM ${relationOf(q)}${where}`;
  if (!grouped) return sql;
  sql += ` GROUP BY ${groups.join(', ')}`;

  const keyOrder = keys.flatMap((k) => k.order('asc'));
  const defaultOrder = q.timeslice ? [nullsLast(AGG.time, 'asc'), ...keyOrder] : [nullsLast(AGG.value, 'desc'), ...keyOrder];
  let order = defaultOrder;
  let limited = false;
  let sortedSinceLimit = false;
  for (const stage of q.post) {
    if (stage.type === 'sort') {
      order = [...stage.keys.flatMap((k) => aggSortKey(k.key, k.dir, keys, q)), ...order];
      sortedSinceLimit = true;
      continue;
    }
    if (stage.type === 'top') order = defaultOrder;
    sql = `SELECT * FROM (${sql}) ORDER BY ${order.join(', ')} LIMIT ${c.params.add(stage.n)}`;
    limited = true;
    sortedSinceLimit = false;
  }
  if (!limited) return `SELECT * FROM (${sql}) ORDER BY ${order.join(', ')} LIMIT ${c.params.add(AGGREGATE_ROW_CAP)}`;
  return sortedSinceLimit ? `SELECT * FROM (${sql}) ORDER BY ${order.join(', ')}` : sql;
}

export function compileQuery(q: Query): CompiledQuery {
  const params = new Params();
  const c: SqlContext = { source: q.source, params };
  const sql = q.aggregate ? compileAggregate(q, q.aggregate, c) : compileSearch(q, c);
  return { sql, params: params.values };
}
