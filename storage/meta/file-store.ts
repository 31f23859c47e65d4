import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync, openSync, closeSync, unlinkSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import type { ApiKey, MetaStore, NewKey, Org, Project, User } from './store.js';
import { formatKey, hashKey, hashPassword } from './secrets.js';

interface State {
  version: 1;
  orgs: Org[];
  projects: Project[];
  users: User[];
  keys: ApiKey[];
}

const EMPTY: State = { version: 1, orgs: [], projects: [], users: [], keys: [] };

/**
 * Metadata in one JSON file, written whole to a temp name and renamed (so a reader never sees half a file),
 * under an exclusive lock file so several loglake processes on one machine can share it. Readers notice
 * another process's writes by the file's mtime.
 */
export class FileMetaStore implements MetaStore {
  private state: State = structuredClone(EMPTY);
  private byHash = new Map<string, ApiKey>();
  private mtimeMs = 0;
  private readonly file: string;
  private readonly lock: string;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'meta.json');
    this.lock = join(dir, 'meta.lock');
  }

  async open(): Promise<void> {
    this.reload(true);
  }

  async close(): Promise<void> {}

  private reload(force = false): void {
    let mtime: number;
    try {
      mtime = statSync(this.file).mtimeMs;
    } catch {
      return;
    }
    if (!force && mtime === this.mtimeMs) return;
    this.state = JSON.parse(readFileSync(this.file, 'utf8')) as State;
    this.mtimeMs = mtime;
    this.byHash = new Map(this.state.keys.map((k) => [k.hash, k]));
  }

  private async mutate<T>(change: (state: State) => T): Promise<T> {
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        closeSync(openSync(this.lock, 'wx'));
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    try {
      this.reload(true);
      const result = change(this.state);
      const tmp = `${this.file}.${process.pid}.tmp`;
      const fd = openSync(tmp, 'w');
      writeFileSync(fd, JSON.stringify(this.state, null, 1));
      fsyncSync(fd);
      closeSync(fd);
      renameSync(tmp, this.file);
      this.reload(true);
      return result;
    } finally {
      unlinkSync(this.lock);
    }
  }

  isEmpty(): boolean {
    this.reload();
    return this.state.orgs.length === 0;
  }

  createOrg(name: string, id = `org_${uuidv7().replace(/-/g, '').slice(-16)}`): Promise<Org> {
    const org: Org = { id, name, created_at: new Date().toISOString() };
    return this.mutate((s) => {
      s.orgs.push(org);
      return org;
    });
  }

  createProject(orgId: string, name: string, plan: string, id = `prj_${uuidv7().replace(/-/g, '').slice(-16)}`): Promise<Project> {
    const project: Project = { id, org_id: orgId, name, plan, created_at: new Date().toISOString() };
    return this.mutate((s) => {
      s.projects.push(project);
      return project;
    });
  }

  getProject(id: string): Project | null {
    this.reload();
    return this.state.projects.find((p) => p.id === id) ?? null;
  }

  listProjects(): Project[] {
    this.reload();
    return [...this.state.projects];
  }

  getOrg(id: string): Org | null {
    this.reload();
    return this.state.orgs.find((o) => o.id === id) ?? null;
  }

  createUser(email: string, password: string, orgIds: string[]): Promise<User> {
    const user: User = { id: uuidv7(), email, password_hash: hashPassword(password), org_ids: orgIds, created_at: new Date().toISOString() };
    return this.mutate((s) => {
      s.users.push(user);
      return user;
    });
  }

  findUserByEmail(email: string): User | null {
    this.reload();
    return this.state.users.find((u) => u.email.toLowerCase() === email.toLowerCase()) ?? null;
  }

  async createKey(spec: NewKey): Promise<{ key: ApiKey; secret: string }> {
    const secret = formatKey(spec.family, spec.kind, { region: spec.region, environment: spec.environments?.[0], scopes: spec.scopes });
    const key: ApiKey = {
      ...spec,
      id: uuidv7(),
      display: `${secret.slice(0, secret.lastIndexOf('_') + 5)}…`,
      hash: hashKey(secret),
      created_at: new Date().toISOString(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.mutate((s) => s.keys.push(key));
    return { key, secret };
  }

  findKey(secret: string): ApiKey | null {
    this.reload();
    const key = this.byHash.get(hashKey(secret));
    return key && !key.revoked_at ? key : null;
  }

  listKeys(projectId: string): ApiKey[] {
    this.reload();
    return this.state.keys.filter((k) => k.project_id === projectId);
  }

  revokeKey(id: string): Promise<boolean> {
    return this.mutate((s) => {
      const key = s.keys.find((k) => k.id === id && !k.revoked_at);
      if (!key) return false;
      key.revoked_at = new Date().toISOString();
      return true;
    });
  }
}
