import type { ApiKey, MetaStore } from '../../../storage/meta/store.js';
import { take, type Doc } from '../../../core/doc-fields.js';
import type { Target } from './mapping.js';

const WRITE_SCOPES = new Set(['logs:write', 'ingest:write']);

/**
 * `findKey` hashes the secret and checks the store per call; a shipper repeats one key on every line, so
 * answers are remembered briefly (a revoked key stops working within `ttlMs`). The memo is dropped whole
 * when old or large, so random keys cannot grow it.
 */
export function keyLookup(meta: MetaStore, ttlMs = 1000, maxEntries = 1024): (secret: string) => ApiKey | null {
  let memo = new Map<string, ApiKey | null>();
  let since = Date.now();
  return (secret) => {
    const now = Date.now();
    if (now - since > ttlMs || memo.size >= maxEntries) {
      memo = new Map();
      since = now;
    }
    let key = memo.get(secret);
    if (key === undefined) {
      key = meta.findKey(secret);
      memo.set(secret, key);
    }
    return key;
  };
}

export interface Routing {
  project: string;
  defaultEnvironment: string;
  /** The key field's path, split on dots. */
  keyField?: readonly string[];
  findKey(secret: string): ApiKey | null;
}

export type Routed = { ok: true; target: Target; environments: readonly string[] | null } | { ok: false; reason: string };

/** Where a document goes: the configured project, or the project of the key it carries (the key is removed). */
export function route(doc: Doc, routing: Routing): Routed {
  const fallback = { ok: true as const, target: { projectId: routing.project, defaultEnvironment: routing.defaultEnvironment }, environments: null };
  if (!routing.keyField) return fallback;
  const presented = take(doc, routing.keyField, (v) => v ?? null);
  if (presented === null) return fallback;
  const key = typeof presented === 'string' ? routing.findKey(presented) : null;
  if (!key || !key.scopes.some((s) => WRITE_SCOPES.has(s))) {
    return { ok: false, reason: `${routing.keyField.join('.')}: not a live loglake API key with a write scope` };
  }
  const envs = key.environments;
  const defaultEnvironment = !envs || envs.includes(routing.defaultEnvironment) ? routing.defaultEnvironment : envs[0];
  return { ok: true, target: { projectId: key.project_id, defaultEnvironment }, environments: envs };
}
