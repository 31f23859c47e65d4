// What makes a query usable as an alert condition: one number over a window the rule supplies. Alert
// routes check saved rules with it, and the natural-language translator its `alert` answers.
import type { Query } from './ast.js';

/** Why a parsed query cannot be a condition, or null. */
export function conditionQueryProblem(q: Query): string | null {
  if (q.time.explicit) return 'the window is window_minutes: leave out last, since, until, timestamp bounds and dateRange';
  if (q.aggregate?.groupBy.length || q.timeslice) return 'a condition is one number: leave out by and timeslice';
  if (q.fields || q.post.length) return 'a condition is one number: leave out fields, sort, top and limit';
  return null;
}
