import { v7 as uuidv7 } from 'uuid';
import { ConflictError, type AlertOutboxEntry, type AlertRule, type AlertStatus, type ApiKey, type MetaStore, type NewKey, type Org, type Project, type SavedView, type User, type ViewChange } from './store.js';
import { claimDue, claimOutbox, finishCheck, freeOutbox, isDue, releaseAll, settleOutbox } from './alert-leases.js';
import { formatKey, hashKey, hashPassword } from './secrets.js';
import { addIncident, addPage, changeIncident, changePage, pageOf, removeIncident, removePage, type IncidentChange, type StatusIncident, type StatusPage, type StatusPageChange } from './status-pages.js';
import { appendChat, chatOf, type ChatMessage, type ChatSession } from './chat-sessions.js';
import { CURRENT_VERSION, emptyState } from './migrations.js';
import { applyDrained, PendingWrites, type Drained } from './pending.js';
import type { State } from './state.js';

/** The stored state as read, at the current version, and the version it was stored at. */
export interface Loaded {
  state: State;
  from: number;
}

/**
 * Where the metadata state is kept, and how writers sharing it take turns: a file under a lock file
 * (`file-store.ts`) or JetStream KV under a lock key (`kv-store.ts`). The store's logic is the same over both.
 */
export interface StateBackend {
  open(): Promise<void>;
  close(): Promise<void>;
  /** The stored state when it changed since the last call (or always, with `force`); null when unchanged or absent. Synchronous and cheap. */
  poll(force?: boolean): Loaded | null;
  /**
   * Runs `change` on the newest stored state while no other writer (process or node) runs one, and stores
   * what it left; a `change` that throws stores nothing. Returns its result and the state now stored.
   */
  exclusive<T>(change: (state: State) => T): Promise<{ result: T; state: State }>;
}

export interface MetaStoreOptions {
  /** How often pending key uses and usage counters are written. */
  flushIntervalMs?: number;
  /** A periodic flush that failed (its writes stay pending and are retried). */
  onFlushError?: (err: unknown) => void;
}

/** `last_used_at` is kept to the minute: a key in constant use then costs one write a minute, not one a request. */
const LAST_USED_PRECISION_MS = 60_000;

const shortId = (prefix: string) => `${prefix}_${uuidv7().replace(/-/g, '').slice(-16)}`;

/**
 * The metadata store over a `StateBackend`: the whole state in memory, read synchronously (refreshed from
 * the backend when another writer changed it), and every write a `change` run on the newest stored state
 * under the backend's exclusive turn, so no writer overwrites another's change. Older stored states are
 * migrated on open and written back.
 */
export class StateMetaStore implements MetaStore {
  private state: State = emptyState();
  private byHash = new Map<string, ApiKey>();
  private byId = new Map<string, ApiKey>();
  /** The version of the state as last read, before migration. */
  private loadedVersion = CURRENT_VERSION;
  private readonly pending = new PendingWrites();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly backend: StateBackend,
    private readonly opts: MetaStoreOptions = {},
  ) {}

  async open(): Promise<void> {
    if (this.timer) return;
    await this.backend.open();
    this.reload(true);
    // Written back at once, so older loglake processes sharing the state stop rather than misread it.
    if (this.loadedVersion < CURRENT_VERSION) await this.mutate(() => undefined);
    this.timer = setInterval(() => this.flush().catch((err) => this.opts.onFlushError?.(err)), this.opts.flushIntervalMs ?? 5000);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      await this.flush();
    } finally {
      await this.backend.close();
    }
  }

  private reload(force = false): void {
    const loaded = this.backend.poll(force);
    if (!loaded) return;
    this.loadedVersion = loaded.from;
    this.adopt(loaded.state);
  }

  private adopt(state: State): void {
    this.state = state;
    this.byHash = new Map(this.state.keys.map((k) => [k.hash, k]));
    this.byId = new Map(this.state.keys.map((k) => [k.id, k]));
  }

  /** Applies `change` to the newest state and stores it, in the backend's exclusive turn. */
  private async mutate<T>(change: (state: State) => T): Promise<T> {
    const { result, state } = await this.backend.exclusive(change);
    this.adopt(state);
    return result;
  }

  async flush(): Promise<void> {
    if (this.pending.empty) return;
    let drained: Drained | null = null;
    try {
      await this.mutate((s) => {
        drained = this.pending.drain();
        applyDrained(s, drained);
      });
    } catch (err) {
      if (drained) this.pending.restore(drained);
      throw err;
    }
  }

  isEmpty(): boolean {
    this.reload();
    return this.state.orgs.length === 0;
  }

  createOrg(name: string, id = shortId('org')): Promise<Org> {
    const org: Org = { id, name, created_at: new Date().toISOString() };
    return this.mutate((s) => {
      if (s.orgs.some((o) => o.id === id)) throw new ConflictError(`org ${id} exists`);
      s.orgs.push(org);
      return org;
    });
  }

  createProject(orgId: string, name: string, plan: string, id = shortId('prj')): Promise<Project> {
    const project: Project = { id, org_id: orgId, name, plan, created_at: new Date().toISOString() };
    return this.mutate((s) => {
      if (s.projects.some((p) => p.id === id)) throw new ConflictError(`project ${id} exists`);
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
    const normalized = email.trim().toLowerCase();
    const fields = { id: uuidv7(), email: normalized, password_hash: hashPassword(password), org_ids: orgIds, created_at: new Date().toISOString(), session_epoch: 0 };
    return this.mutate((s) => {
      if (s.users.some((u) => u.email.toLowerCase() === normalized)) throw new ConflictError('email already registered');
      const user: User = { ...fields, number: s.users.reduce((max, u) => Math.max(max, u.number), 0) + 1 };
      s.users.push(user);
      return user;
    });
  }

  getUser(id: string): User | null {
    this.reload();
    return this.state.users.find((u) => u.id === id) ?? null;
  }

  findUserByEmail(email: string): User | null {
    this.reload();
    const normalized = email.trim().toLowerCase();
    return this.state.users.find((u) => u.email.toLowerCase() === normalized) ?? null;
  }

  setPassword(userId: string, password: string): Promise<User | null> {
    const hash = hashPassword(password);
    return this.mutate((s) => {
      const user = s.users.find((u) => u.id === userId);
      if (!user) return null;
      user.password_hash = hash;
      user.session_epoch += 1;
      return structuredClone(user);
    });
  }

  async endSessions(userId: string): Promise<void> {
    await this.mutate((s) => {
      const user = s.users.find((u) => u.id === userId);
      if (user) user.session_epoch += 1;
    });
  }

  async revokeSession(tokenId: string, expiresAt: Date): Promise<void> {
    const now = new Date().toISOString();
    await this.mutate((s) => {
      s.revoked_sessions = s.revoked_sessions.filter((r) => r.expires_at > now && r.token_id !== tokenId);
      s.revoked_sessions.push({ token_id: tokenId, expires_at: expiresAt.toISOString() });
    });
  }

  isSessionRevoked(tokenId: string): boolean {
    this.reload();
    return this.state.revoked_sessions.some((r) => r.token_id === tokenId);
  }

  removeMember(orgId: string, userId: string): Promise<'removed' | 'not_member' | 'last_member'> {
    return this.mutate((s) => {
      const user = s.users.find((u) => u.id === userId);
      if (!user?.org_ids.includes(orgId)) return 'not_member';
      if (!s.users.some((u) => u.id !== userId && u.org_ids.includes(orgId))) return 'last_member';
      user.org_ids = user.org_ids.filter((id) => id !== orgId);
      return 'removed';
    });
  }

  listMembers(orgId: string): User[] {
    this.reload();
    return this.state.users.filter((u) => u.org_ids.includes(orgId));
  }

  async createKey(spec: NewKey): Promise<{ key: ApiKey; secret: string }> {
    const secret = formatKey(spec.family, spec.kind, { region: spec.region, environments: spec.environments, scopes: spec.scopes });
    const key: ApiKey = {
      ...spec,
      created_by: spec.created_by ?? null,
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

  getKey(id: string): ApiKey | null {
    this.reload();
    return this.byId.get(id) ?? null;
  }

  listKeys(projectId: string): ApiKey[] {
    this.reload();
    return this.state.keys.filter((k) => k.project_id === projectId);
  }

  revokeKey(projectId: string, id: string): Promise<boolean> {
    return this.mutate((s) => {
      const key = s.keys.find((k) => k.id === id && k.project_id === projectId && !k.revoked_at);
      if (!key) return false;
      key.revoked_at = new Date().toISOString();
      return true;
    });
  }

  touchKey(id: string): void {
    const now = Date.now();
    const last = this.byId.get(id)?.last_used_at;
    if (last && now - Date.parse(last) < LAST_USED_PRECISION_MS) return;
    this.pending.touch(id, new Date(now).toISOString());
  }

  addUsage(projectId: string, metric: string, period: string, n: number): void {
    if (n !== 0) this.pending.add(projectId, metric, period, n);
  }

  getUsage(projectId: string, metric: string, period: string): number {
    this.reload();
    return (this.state.usage[projectId]?.[metric]?.[period] ?? 0) + this.pending.count(projectId, metric, period);
  }

  listAlerts(projectId: string): AlertRule[] {
    this.reload();
    return structuredClone(this.state.alerts.filter((r) => r.project_id === projectId));
  }

  getAlert(projectId: string, id: string): AlertRule | null {
    this.reload();
    const rule = this.state.alerts.find((r) => r.id === id && r.project_id === projectId);
    return rule ? structuredClone(rule) : null;
  }

  createAlert(rule: AlertRule): Promise<void> {
    return this.mutate((s) => {
      if (s.alerts.some((r) => r.id === rule.id)) throw new ConflictError(`alert ${rule.id} exists`);
      s.alerts.push(structuredClone(rule));
    });
  }

  saveAlert(rule: AlertRule): Promise<'saved' | 'conflict' | 'missing'> {
    return this.mutate((s) => {
      const i = s.alerts.findIndex((r) => r.id === rule.id && r.project_id === rule.project_id);
      if (i < 0) return 'missing';
      if (s.alerts[i].version !== rule.version) return 'conflict';
      s.alerts[i] = { ...structuredClone(rule), version: rule.version + 1, lease: s.alerts[i].lease };
      return 'saved';
    });
  }

  deleteAlert(projectId: string, id: string): Promise<boolean> {
    return this.mutate((s) => {
      const before = s.alerts.length;
      s.alerts = s.alerts.filter((r) => !(r.id === id && r.project_id === projectId));
      return s.alerts.length < before;
    });
  }

  async claimDueAlerts(owner: string, now: Date, leaseMs: number, max: number): Promise<AlertRule[]> {
    // Evaluators poll often: the lock and a write only when something is due.
    this.reload();
    if (!this.state.alerts.some((r) => isDue(r, now.getTime()))) return [];
    return this.mutate((s) => claimDue(s, owner, now, leaseMs, max));
  }

  finishAlertCheck(id: string, owner: string, version: number, status: AlertStatus, outbox?: AlertOutboxEntry): Promise<boolean> {
    return this.mutate((s) => finishCheck(s, id, owner, version, status, outbox));
  }

  claimAlertOutbox(owner: string, now: Date, leaseMs: number): Promise<AlertOutboxEntry[]> {
    this.reload();
    // Polled every few seconds: a write only when there is something to take.
    if (freeOutbox(this.state, now).length === 0) return Promise.resolve([]);
    return this.mutate((s) => claimOutbox(s, owner, now, leaseMs));
  }

  settleAlertOutbox(entryId: string, part: 'event' | number): Promise<void> {
    return this.mutate((s) => settleOutbox(s, entryId, part));
  }

  async releaseAlerts(owner: string): Promise<void> {
    this.reload();
    if (this.state.alerts.some((r) => r.lease?.owner === owner)) await this.mutate((s) => releaseAll(s, owner));
  }

  listViews(projectId: string): SavedView[] {
    this.reload();
    return structuredClone(this.state.views.filter((v) => v.project_id === projectId));
  }

  getView(projectId: string, shortId: string): SavedView | null {
    this.reload();
    const view = this.state.views.find((v) => v.short_id === shortId && v.project_id === projectId);
    return view ? structuredClone(view) : null;
  }

  createView(view: SavedView): Promise<void> {
    return this.mutate((s) => {
      if (s.views.some((v) => v.id === view.id || v.short_id === view.short_id)) throw new ConflictError(`view ${view.short_id} exists`);
      s.views.push(structuredClone(view));
    });
  }

  updateView(projectId: string, shortId: string, change: ViewChange, updatedAt: string): Promise<SavedView | null> {
    return this.mutate((s) => {
      const view = s.views.find((v) => v.short_id === shortId && v.project_id === projectId);
      if (!view) return null;
      Object.assign(view, structuredClone(change), { updated_at: updatedAt });
      return structuredClone(view);
    });
  }

  deleteView(projectId: string, shortId: string): Promise<boolean> {
    return this.mutate((s) => {
      const before = s.views.length;
      s.views = s.views.filter((v) => !(v.short_id === shortId && v.project_id === projectId));
      return s.views.length < before;
    });
  }

  getStatusPage(slug: string): StatusPage | null {
    this.reload();
    const page = pageOf(this.state, slug);
    return page ? structuredClone(page) : null;
  }

  listStatusPages(projectId: string): StatusPage[] {
    this.reload();
    return structuredClone(this.state.status_pages.filter((p) => p.project_id === projectId));
  }

  createStatusPage(page: StatusPage): Promise<void> {
    return this.mutate((s) => {
      if (!addPage(s, page)) throw new ConflictError(`status page ${page.slug} exists`);
    });
  }

  updateStatusPage(projectId: string, slug: string, change: StatusPageChange, updatedAt: string): Promise<StatusPage | null> {
    return this.mutate((s) => changePage(s, projectId, slug, change, updatedAt));
  }

  deleteStatusPage(projectId: string, slug: string): Promise<boolean> {
    return this.mutate((s) => removePage(s, projectId, slug));
  }

  listIncidents(slug: string): StatusIncident[] {
    this.reload();
    return structuredClone(this.state.status_incidents.filter((i) => i.page_slug === slug));
  }

  createIncident(incident: StatusIncident): Promise<boolean> {
    return this.mutate((s) => addIncident(s, incident));
  }

  updateIncident(projectId: string, slug: string, id: string, change: IncidentChange, updatedAt: string): Promise<StatusIncident | null> {
    return this.mutate((s) => changeIncident(s, projectId, slug, id, change, updatedAt));
  }

  deleteIncident(projectId: string, slug: string, id: string): Promise<boolean> {
    return this.mutate((s) => removeIncident(s, projectId, slug, id));
  }

  getChatSession(projectId: string, id: string): ChatSession | null {
    this.reload();
    const chat = chatOf(this.state, projectId, id);
    return chat ? structuredClone(chat) : null;
  }

  appendChat(projectId: string, id: string, messages: ChatMessage[], at: string): Promise<ChatSession> {
    return this.mutate((s) => appendChat(s, projectId, id, messages, at));
  }
}
