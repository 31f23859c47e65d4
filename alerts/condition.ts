// A rule's condition as a query: its GQL text or its structured filters, counted (or aggregated) over the
// window that ends at the check, run through the query path every endpoint takes.
import type { QueryEngine, Scope } from '../query/engine/engine.js';
import { executeParsed } from '../query/execute.js';
import { conditionQueryProblem, parseQuery, type Aggregate, type Query } from '../query/language/index.js';
import { parseFilters } from '../query/language/filters.js';
import type { AlertRule } from '../storage/meta/store.js';

export type Condition = Pick<AlertRule, 'query' | 'filters'>;

export interface Window {
  from: Date;
  to: Date;
}

const COUNT: Aggregate = { func: 'count', field: null, groupBy: [] };

/** Filters win: a rule has one or the other, and null filters with no query count every log. Throws QueryError. */
function parsed(condition: Condition, now: Date): Query {
  if (condition.filters !== null) return parseFilters(condition.filters, now);
  return parseQuery({ dialect: 'gql', text: condition.query ?? '', now });
}

/**
 * Why a condition that parses cannot be checked, or null. The value must be one number, and the window is
 * the rule's, so the query may name neither groups nor a time range. Throws QueryError when it does not parse.
 */
export function conditionProblem(condition: Condition, now: Date): string | null {
  return conditionQueryProblem(parsed(condition, now));
}

/** The condition over `window`: its aggregate, or the count of its matching rows when it is a search. */
export function windowedQuery(condition: Condition, window: Window): Query {
  const q = parsed(condition, window.to);
  // Shaped as GQL, the one dialect whose answer carries an aggregate value.
  return { ...q, dialect: 'gql', aggregate: q.aggregate ?? COUNT, time: { from: window.from, to: window.to, explicit: true } };
}

export async function measure(engine: QueryEngine, scope: Scope, condition: Condition, window: Window): Promise<number | null> {
  const result = await executeParsed(engine, scope, windowedQuery(condition, window));
  if (result.dialect !== 'gql' || result.body.data.mode !== 'aggregate') throw new Error('an alert condition answered without an aggregate');
  const value = result.body.data.results[0]?.value;
  return typeof value === 'number' ? value : null;
}
