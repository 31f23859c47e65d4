// Statements the aggregate routes run over one project's logs: the filtered rows of a parsed structured
// query, with every user value bound (spec 17.1), on one engine connection per request.
import type { QueryEngine, Scope } from '../../engine/engine.js';
import { compileWhere, Params, type Query } from '../../language/index.js';
import { withQueryRelations } from '../../execute.js';

export type SqlRow = Record<string, unknown>;

/** PostHog's name for logs without a service. */
export const NO_SERVICE = '(no service)';

export interface Statement { sql: string; params: Params }

/**
 * A statement over the query's rows: `build` gets the WHERE clause (empty when nothing restricts rows) and
 * the statement's parameters, to which it adds its own.
 */
export function filtered(query: Query, build: (where: string, params: Params) => string): Statement {
  const params = new Params();
  const where = compileWhere(query, params);
  return { sql: build(where ? ` WHERE ${where}` : '', params), params };
}

/** Runs `work` over the project's logs in the query's window; its statements see the same files. */
export function onLogs<T>(engine: QueryEngine, scope: Scope, query: Query,
  work: (run: (s: Statement) => Promise<SqlRow[]>) => Promise<T>): Promise<T> {
  return withQueryRelations(engine, scope, query, (rel) => work((s) => rel.all(s.sql, s.params.values)));
}

export const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();

/** The window's span in ms; an open side (a `dateRange` with one bound) ends at the matching rows. Null: no rows. */
export async function windowSpan(query: Query, run: (s: Statement) => Promise<SqlRow[]>): Promise<number | null> {
  const { from, to } = query.time;
  if (from && to) return to.getTime() - from.getTime();
  const [extent] = await run(filtered(query, (where) => `SELECT min(timestamp) AS lo, max(timestamp) AS hi FROM logs${where}`));
  if (extent?.lo === null || extent?.lo === undefined) return null;
  const end = to?.getTime() ?? new Date(iso(extent.hi)).getTime() + 1;
  return end - (from?.getTime() ?? new Date(iso(extent.lo)).getTime());
}
