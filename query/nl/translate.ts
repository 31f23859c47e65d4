// Natural language → GQL with whichever provider is configured: every answer is parsed and validated the
// same way before it is returned, so `valid: true` always means the GQL runs (and, in alert mode, can be a
// rule's condition).
import { conditionQueryProblem, echoQuery, parseQuery, QueryError, type FilterEcho, type Source } from '../language/index.js';
import type { AlertHints, NlProvider, NlRequest } from './provider.js';

export interface NlAnswer {
  gql: string;
  valid: boolean;
  parsed: { source: Source; filters: FilterEcho[] };
  /** Why `valid` is false. */
  reason?: string;
  /** Alert mode: the threshold, operator and window the prompt named, for the rule around the condition. */
  alert?: AlertHints;
  provider: string;
}

export async function translate(provider: NlProvider, request: NlRequest): Promise<NlAnswer> {
  const answer = await provider.translate(request);
  const none = { source: 'logs' as Source, filters: [] };
  if (!answer.ok) return { gql: '', valid: false, parsed: none, reason: answer.reason, provider: provider.name };
  try {
    const q = parseQuery({ dialect: 'gql', text: answer.gql, now: request.now });
    const parsed = { source: q.source, filters: echoQuery(q).filters };
    const problem = request.mode === 'alert' ? conditionQueryProblem(q) : null;
    if (problem) return { gql: answer.gql, valid: false, parsed, reason: `not an alert condition: ${problem}`, provider: provider.name };
    return { gql: answer.gql, valid: true, parsed, ...(answer.alert ? { alert: answer.alert } : {}), provider: provider.name };
  } catch (err) {
    if (!(err instanceof QueryError)) throw err;
    return { gql: answer.gql, valid: false, parsed: none, reason: `the answer is not valid GQL: ${err.message}`, provider: provider.name };
  }
}
