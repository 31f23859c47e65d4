import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The header a client names a request by, so that its retries are stored once. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

export function bodyDigest(body: Uint8Array | string): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * The id of an ingest request: from the client's `Idempotency-Key` when it sends one, else from the body's
 * digest, within `scope` (the receiver, the table and the sender's key or project) so two senders never
 * share ids. The same request retried gets the same id; undefined when there is nothing to derive it from.
 */
export function ingestRequestId(scope: string, headers: IncomingHttpHeaders, digest: string | undefined): string | undefined {
  const key = headers[IDEMPOTENCY_HEADER];
  const named = typeof key === 'string' && key !== '' ? `key:${key}` : digest === undefined ? undefined : `body:${digest}`;
  if (named === undefined) return undefined;
  return createHash('sha256').update(scope).update('\0').update(named).digest('hex').slice(0, 40);
}
