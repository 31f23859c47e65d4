import type { State } from './state.js';

/** Each step takes a file of version `i + 1` to version `i + 2`, in place; a step is never edited once shipped. */
type Migration = (state: Record<string, unknown>) => void;

const MIGRATIONS: Migration[] = [
  // 1 → 2: usage counters, and keys written before `last_used_at` and `revoked_at` were always present.
  (s) => {
    s.usage ??= {};
    for (const key of s.keys as Record<string, unknown>[]) {
      key.last_used_at ??= null;
      key.revoked_at ??= null;
    }
  },
  // 2 → 3: alert rules.
  (s) => {
    s.alerts ??= [];
  },
  // 3 → 4: saved views, who made each key, users' integer numbers (in sign-up order), session revocation,
  // and what alert state changes still owe.
  (s) => {
    s.views ??= [];
    for (const key of s.keys as Record<string, unknown>[]) key.created_by ??= null;
    (s.users as Record<string, unknown>[]).forEach((user, i) => { user.number ??= i + 1; });
    s.revoked_sessions ??= [];
    s.alert_outbox ??= [];
    for (const user of s.users as Record<string, unknown>[]) user.session_epoch ??= 0;
  },
  // 4 → 5: status pages and their incidents, AI chat sessions.
  (s) => {
    s.status_pages ??= [];
    s.status_incidents ??= [];
    s.ai_sessions ??= [];
  },
];

export const CURRENT_VERSION = MIGRATIONS.length + 1;

export function emptyState(): State {
  return { version: CURRENT_VERSION, orgs: [], projects: [], users: [], keys: [], usage: {}, alerts: [], views: [], revoked_sessions: [], alert_outbox: [], status_pages: [], status_incidents: [], ai_sessions: [] };
}

/**
 * Brings a parsed file to the current version. A file without `version` is the first one. A file from a
 * newer loglake is refused: rewriting it would silently drop what this version does not know.
 */
export function migrate(parsed: Record<string, unknown>): { state: State; from: number } {
  const from = typeof parsed.version === 'number' ? parsed.version : 1;
  if (!Number.isInteger(from) || from < 1) throw new Error(`metadata file: invalid version ${JSON.stringify(parsed.version)}`);
  if (from > CURRENT_VERSION) {
    throw new Error(`metadata file is version ${from}, written by a newer loglake; this one reads up to version ${CURRENT_VERSION}`);
  }
  for (let v = from; v < CURRENT_VERSION; v++) MIGRATIONS[v - 1](parsed);
  parsed.version = CURRENT_VERSION;
  return { state: parsed as unknown as State, from };
}
