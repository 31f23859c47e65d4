import type { FastifyRequest } from 'fastify';
import type { ApiKey, KeyFamily, MetaStore } from '../storage/meta/store.js';

/** Only the headers are read, so gRPC metadata can be checked the same way. */
type WithHeaders = Pick<FastifyRequest, 'headers'>;

/** The key a request presents: `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedKey(request: WithHeaders): string | null {
  const auth = request.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header.trim() !== '' ? header.trim() : null;
}

export type KeyCheck = { ok: true; key: ApiKey } | { ok: false; reason: 'missing' | 'invalid' };

/** Looks the presented key up; a key of another API family counts as invalid on this surface. */
export function checkKey(request: WithHeaders, meta: MetaStore, families: KeyFamily[]): KeyCheck {
  const secret = presentedKey(request);
  if (!secret) return { ok: false, reason: 'missing' };
  const key = meta.findKey(secret);
  if (!key || !families.includes(key.family)) return { ok: false, reason: 'invalid' };
  meta.touchKey(key.id);
  return { ok: true, key };
}
