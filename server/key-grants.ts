import type { ApiKey } from '../storage/meta/store.js';

/** What a key grants beyond being valid: its scopes and the environments it may touch. */

/** True when the key holds any of `scopes` (surfaces spell the same permission differently) or `*`. */
export function hasScope(key: ApiKey, scopes: readonly string[]): boolean {
  return key.scopes.includes('*') || scopes.some((s) => key.scopes.includes(s));
}

export function allowsEnvironment(key: ApiKey, environment: string): boolean {
  return key.environments === null || key.environments.includes(environment);
}

/** Where a record that names no environment goes: `fallback` when the key may write there, else the key's first environment. */
export function defaultEnvironment(key: ApiKey, fallback: string): string {
  return allowsEnvironment(key, fallback) || key.environments!.length === 0 ? fallback : key.environments![0];
}
