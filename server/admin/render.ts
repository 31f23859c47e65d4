import type { ApiKey, User } from '../../storage/meta/store.js';

/** What the admin API shows of a key: never its secret or hash. */
export function renderKey(key: ApiKey) {
  return {
    id: key.id,
    project_id: key.project_id,
    name: key.name,
    format: key.family,
    kind: key.kind,
    scopes: key.scopes,
    environments: key.environments,
    region: key.region,
    display: key.display,
    created_at: key.created_at,
    last_used_at: key.last_used_at,
    revoked_at: key.revoked_at,
    /** The user who made the key; null for keys made on the machine (`loglake keys`). */
    created_by: key.created_by,
  };
}

/** What the API shows of a user: never the password hash. */
export function renderUser(user: User) {
  return { id: user.id, email: user.email, org_ids: user.org_ids, created_at: user.created_at };
}
