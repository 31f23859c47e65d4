/**
 * The metadata store's interface: orgs, projects, users, API keys and usage counters. The default
 * implementation is a file in the data directory (`file-store.ts`); a shared store for scale-out
 * implements the same.
 */

export type KeyFamily = 'goodlogs' | 'logtrail' | 'logtrace' | 'posthog';
export type KeyKind = 'public' | 'secret';

export interface Org {
  id: string;
  name: string;
  created_at: string;
}

export interface Project {
  id: string;
  org_id: string;
  name: string;
  plan: string;
  created_at: string;
}

export interface User {
  id: string;
  email: string;
  /** scrypt$<salt hex>$<hash hex> */
  password_hash: string;
  org_ids: string[];
  created_at: string;
}

export interface ApiKey {
  id: string;
  org_id: string;
  project_id: string;
  family: KeyFamily;
  kind: KeyKind;
  scopes: string[];
  /** Environments the key may touch; null = all. */
  environments: string[] | null;
  region: string | null;
  name: string;
  /** The first characters of the key, for listing; the key itself is never stored. */
  display: string;
  /** sha256 hex of the key. */
  hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface NewKey {
  org_id: string;
  project_id: string;
  family: KeyFamily;
  kind: KeyKind;
  scopes: string[];
  environments: string[] | null;
  region: string | null;
  name: string;
}

/** An id or an email that is already taken. */
export class ConflictError extends Error {}

export interface MetaStore {
  open(): Promise<void>;
  /** Writes what is pending (`touchKey`, `addUsage`) first. */
  close(): Promise<void>;
  isEmpty(): boolean;
  createOrg(name: string, id?: string): Promise<Org>;
  createProject(orgId: string, name: string, plan: string, id?: string): Promise<Project>;
  getProject(id: string): Project | null;
  listProjects(): Project[];
  getOrg(id: string): Org | null;
  /** Throws `ConflictError` when the email is taken. */
  createUser(email: string, password: string, orgIds: string[]): Promise<User>;
  getUser(id: string): User | null;
  findUserByEmail(email: string): User | null;
  /** Creates a key and returns its secret text, which is shown once and never stored. */
  createKey(spec: NewKey): Promise<{ key: ApiKey; secret: string }>;
  /** The live (not revoked) key whose secret this is, or null. */
  findKey(secret: string): ApiKey | null;
  /** A key by id, revoked or not. */
  getKey(id: string): ApiKey | null;
  listKeys(projectId: string): ApiKey[];
  /** Revokes a live key of that project; false when there is none (another project's key included). */
  revokeKey(projectId: string, id: string): Promise<boolean>;
  /** Notes that a key was just used. Cheap: persisted in batches, never a write per request. */
  touchKey(id: string): void;
  /** Adds to a usage counter (`period`: an ISO prefix such as `2026-06` or `2026-06-15T12`). Persisted in batches. */
  addUsage(projectId: string, metric: string, period: string, n: number): void;
  /** A usage counter, including what this process has not persisted yet. */
  getUsage(projectId: string, metric: string, period: string): number;
  /** Persists pending key uses and counters now. */
  flush(): Promise<void>;
}
