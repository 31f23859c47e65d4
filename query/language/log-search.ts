// The Query of a filter-only endpoint (LCQL, KQL): a search over logs in the request's window, one page.
import type { Expr, Query } from './ast.js';
import { cursorParam, paramBounds, type RequestParams } from './request-params.js';
import { resolveTimeRange } from './time-range.js';

export function logSearch(dialect: 'lcql' | 'kql', filter: Expr | null, params: RequestParams, now: Date, size: number): Query {
  const cursor = cursorParam(dialect, params, now);
  return {
    dialect,
    source: 'logs',
    filter,
    time: resolveTimeRange(paramBounds(dialect, params, now), filter, now),
    aggregate: null,
    post: [],
    fields: null,
    timeslice: null,
    page: cursor ? { size, cursor } : { size },
    order: 'latest',
  };
}
