/**
 * Query errors are defined in query/, which builds on server/; so that a surface's error renderer can
 * answer one without server/ importing query/, the query layer registers how to recognise and word them.
 */
export interface QueryErrorAnswer { status: number; body: Record<string, unknown> }

export type QueryErrorReader = (err: unknown) => QueryErrorAnswer | null;

let answerOf: QueryErrorReader = () => null;

export function registerQueryErrors(reader: QueryErrorReader): void {
  answerOf = reader;
}

/** The status and client body of a query error, or null when `err` is none. */
export function queryErrorAnswer(err: unknown): QueryErrorAnswer | null {
  return answerOf(err);
}
