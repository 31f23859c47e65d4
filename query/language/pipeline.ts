// The post-filter pipeline as both the compiler and the result shaper see it, so that the SQL and the
// reading of its rows cannot disagree (sections 12.2 and 13.3).
import type { Query, SortDir } from './ast.js';

export const AGGREGATE_ROW_CAP = 1000;

export type SearchStage = { type: 'sort'; keys: { key: string; dir: SortDir }[] } | { type: 'limit'; n: number };

export interface SearchPlan {
  stages: SearchStage[];
  /** Rows the response may hold: the smallest limit of the pipeline. */
  returned: number;
  /**
   * True when the first limit is the last stage: the SQL then asks for one extra row, and has_more is
   * "that row exists". Otherwise the SQL carries `_total` = min(matches, first limit + 1).
   */
  extraRow: boolean;
}

/** In search mode `top N` is `limit N`; without any limit the endpoint's page size applies last. */
export function searchPlan(q: Query): SearchPlan {
  const stages: SearchStage[] = q.post.map((s) => (s.type === 'sort' ? s : { type: 'limit', n: s.n }));
  if (!stages.some((s) => s.type === 'limit')) stages.push({ type: 'limit', n: q.page.size });
  const limits = stages.flatMap((s) => (s.type === 'limit' ? [s.n] : []));
  const firstLimit = stages.findIndex((s) => s.type === 'limit');
  return { stages, returned: Math.min(...limits), extraRow: firstLimit === stages.length - 1 };
}

/** Result columns of an aggregate statement. */
export const AGG = {
  value: 'value',
  groups: '_groups',
  time: '_time',
  key: (i: number) => `_k${i}`,
  typedKey: (i: number, t: 's' | 'n' | 'b') => `_k${i}${t}`,
  total: '_total',
  /** `| patterns`: the group's first and last timestamps, a message and the pattern's template. */
  firstSeen: '_first_seen',
  lastSeen: '_last_seen',
  sample: '_sample',
  template: '_template',
} as const;
