/**
 * Query errors are defined in query/, which builds on server/; so that a surface's error renderer can
 * answer one without server/ importing query/, the query layer registers how to recognise and word them.
 */
export type QueryErrorBody = (err: unknown) => Record<string, unknown> | null;

let bodyOf: QueryErrorBody = () => null;

export function registerQueryErrors(body: QueryErrorBody): void {
  bodyOf = body;
}

/** The client body of a query error, or null when `err` is none. */
export function queryErrorBody(err: unknown): Record<string, unknown> | null {
  return bodyOf(err);
}
