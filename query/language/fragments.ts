// SQL fragments of a parsed Query for statements assembled outside the compiler (the PostHog-style
// aggregate routes), so that they filter and bucket rows exactly as the compiled query does. User values
// reach the SQL only through `params`.
import type { Query } from './ast.js';
import { compileFilter, propertySql, resourceSql } from './compile-filter.js';
import type { Params } from './params.js';

/** The row predicate: time window, search cursor (search mode only) and filter, AND-ed; null when nothing restricts rows. */
export function compileWhere(q: Query, params: Params): string | null {
  const parts: string[] = [];
  if (q.time.from) parts.push(`timestamp >= ${params.timestamp(q.time.from.toISOString())}`);
  if (q.time.to) parts.push(`timestamp < ${params.timestamp(q.time.to.toISOString())}`);
  const cursor = q.aggregate ? undefined : q.page.cursor;
  if (cursor) {
    const ts = params.timestamp(cursor.ts);
    const cmp = q.order === 'latest' ? '<' : '>';
    parts.push(`(timestamp ${cmp} ${ts} OR (timestamp = ${ts} AND id ${cmp} ${params.add(cursor.id)}))`);
  }
  if (q.filter) parts.push(compileFilter(q.filter, { source: q.source, params }));
  return parts.length ? parts.join(' AND ') : null;
}

/** The start of a row's time bucket (spec 13.4): epoch-aligned buckets of `seconds`. */
export function timeBucketSql(seconds: number, params: Params): string {
  const secs = params.add(seconds);
  return `to_timestamp(floor(epoch(timestamp) / ${secs}) * ${secs})`;
}

/** The text form (spec 10.3) of a row's property or resource value under `key`; NULL when absent. */
export function attributeTextSql(map: 'property' | 'resource', key: string, params: Params): string {
  if (map === 'resource') return resourceSql(key, params);
  const { s, n, b } = propertySql(key, params);
  return `vtext(${s}, ${n}, ${b})`;
}
