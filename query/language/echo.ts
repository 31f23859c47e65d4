// The `query` member of GQL responses (section 14.1): what the server understood, in JSON.
import type { Expr, Query } from './ast.js';
import { canonicalName } from './fields.js';

export type FilterEcho =
  | { field: string; op: string; value: string | string[] | null }
  | { op: 'text'; value: string }
  | { op: 'and' | 'or'; filters: FilterEcho[] }
  | { op: 'not'; filter: FilterEcho };

export interface QueryEcho {
  source: string;
  mode: 'search' | 'aggregate';
  filters: FilterEcho[];
  pipeline: Record<string, unknown>[];
  time_range: { from: string | null; to: string | null };
}

function echoExpr(e: Expr): FilterEcho {
  switch (e.op) {
    case 'and':
    case 'or': return { op: e.op, filters: e.args.map(echoExpr) };
    case 'not': return { op: 'not', filter: echoExpr(e.arg) };
    case 'text': return { op: 'text', value: e.written };
    case 'is_null':
    case 'is_not_null': return { field: canonicalName(e.field), op: e.op, value: null };
    case 'cmp': {
      const texts = e.values.map((v) => v.text);
      return { field: canonicalName(e.field), op: e.cmp, value: texts.length === 0 ? null : texts.length === 1 ? texts[0] : texts };
    }
  }
}

function topLevel(e: Expr | null): Expr[] {
  if (!e) return [];
  return e.op === 'and' ? e.args.flatMap(topLevel) : [e];
}

export function echoQuery(q: Query): QueryEcho {
  const pipeline: Record<string, unknown>[] = [];
  const agg = q.aggregate;
  if (agg) {
    const func = agg.func === 'percentile' ? `p${Math.round((agg.p ?? 0.5) * 100)}` : agg.func;
    pipeline.push({
      type: 'aggregate', func, ...(agg.field ? { field: agg.field.written } : {}), group_by: agg.groupBy.map((g) => g.written),
    });
  }
  if (q.timeslice) pipeline.push({ type: 'timeslice', interval: q.timeslice.text });
  pipeline.push(...q.post);
  if (q.fields) pipeline.push({ type: 'fields', fields: q.fields.map((f) => f.written) });
  return {
    source: q.source,
    mode: agg ? 'aggregate' : 'search',
    filters: topLevel(q.filter).map(echoExpr),
    pipeline,
    time_range: { from: q.time.from?.toISOString() ?? null, to: q.time.to?.toISOString() ?? null },
  };
}
