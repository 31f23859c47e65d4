/**
 * The metadata store's interface: orgs, projects, users, API keys, usage counters, alert rules, saved views
 * status pages and AI chat sessions. The default
 * implementation is a file in the data directory (`file-store.ts`); a shared store for scale-out
 * implements the same.
 */

import type { AlertEventRecord } from '../../core/records.js';
import type { ChatMessage, ChatSession } from './chat-sessions.js';
import type { IncidentChange, StatusIncident, StatusPage, StatusPageChange } from './status-pages.js';

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
  /** Session tokens carry the epoch they were signed in; bumping it ends every session of the user. */
  session_epoch: number;
  /** 1, 2, … in the order users signed up: the integer id PostHog-style answers show (`created_by.id`). */
  number: number;
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
  /** The user who made the key (admin API, bootstrap); null for keys made on the machine (`loglake keys`). */
  created_by: string | null;
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
  created_by?: string | null;
}

/** A saved logs view (PostHog-style): named structured filters of the logs query API. */
export interface SavedView {
  id: string;
  /** What the view's URLs name. */
  short_id: string;
  project_id: string;
  name: string;
  filters: Record<string, unknown>;
  pinned: boolean;
  /** A user id, or null when the key that saved it names no user. */
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export type ViewChange = Partial<Pick<SavedView, 'name' | 'filters' | 'pinned'>>;

export type AlertState = 'not_firing' | 'firing' | 'resolved';

export interface AlertDestination {
  type: 'webhook' | 'slack';
  url: string;
}

/** One stretch of a rule's history: `end` is null for the current one. */
export interface AlertInterval {
  start: string;
  end: string | null;
  state: AlertState;
  enabled: boolean;
}

/** What evaluation changes; the rest of a rule is its definition, changed only through the APIs. */
export interface AlertStatus {
  state: AlertState;
  /** Whether each of the latest checks breached the threshold, oldest first; at most `evaluation_periods`. */
  datapoints: boolean[];
  last_value: number | null;
  next_check_at: string | null;
  last_checked_at: string | null;
  last_notified_at: string | null;
  /** The state destinations were last told about. */
  notified_state: AlertState;
  consecutive_failures: number;
  last_error_message: string | null;
  state_timeline: AlertInterval[];
}

/**
 * An alert rule, one model for both alert APIs: its condition is a GQL query (GoodLogs) or structured
 * filters (PostHog-style), counted over the window.
 */
export interface AlertRule {
  id: string;
  project_id: string;
  name: string;
  enabled: boolean;
  query: string | null;
  filters: Record<string, unknown> | null;
  threshold: number;
  operator: 'above' | 'below';
  window_minutes: number;
  check_interval_minutes: number;
  evaluation_periods: number;
  datapoints_to_alarm: number;
  cooldown_minutes: number;
  snooze_until: string | null;
  destinations: AlertDestination[];
  /** The environments the rule may read: those of the key that last wrote it (null: all). */
  environments: string[] | null;
  created_at: string;
  updated_at: string;
  /** Bumped by every write, so a write computed from an older read is refused rather than lost. */
  version: number;
  status: AlertStatus;
  /** The evaluator node checking the rule now; `until` bounds how long a node that died can hold it. */
  lease: { owner: string; until: string } | null;
}

/** One notification to send: the body is already in the destination's format. */
export interface AlertDelivery {
  url: string;
  body: unknown;
  /** For logs: which rule and destination. */
  label: string;
}

/**
 * What a state change still owes the world: its `alert_events` row and its notifications. Stored in the same
 * write as the new status, so a crash between the two can neither lose them nor leave a status without its
 * row; each part leaves the outbox once done, and a dead sender's entry is taken over.
 */
export interface AlertOutboxEntry {
  id: string;
  rule_id: string;
  project_id: string;
  /** Null once it is on the bus. */
  event: AlertEventRecord | null;
  /** Each null once delivered or given up; done ones stay as holes so that indexes keep naming the same one. */
  deliveries: (AlertDelivery | null)[];
  /** The node sending it now, as a rule's lease: taken over at once from a dead process of this machine. */
  lease: { owner: string; until: string } | null;
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
  /** Sets a user's password and ends every session they have; null when there is no such user. */
  setPassword(userId: string, password: string): Promise<User | null>;
  /** Ends every session of the user (sign-out everywhere). */
  endSessions(userId: string): Promise<void>;
  /** Ends one session, by its token id, until the token would have expired anyway. */
  revokeSession(tokenId: string, expiresAt: Date): Promise<void>;
  isSessionRevoked(tokenId: string): boolean;
  /** Takes the user out of the org, unless they are not in it or are its last member (an org keeps one). */
  removeMember(orgId: string, userId: string): Promise<'removed' | 'not_member' | 'last_member'>;
  listMembers(orgId: string): User[];
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
  listAlerts(projectId: string): AlertRule[];
  getAlert(projectId: string, id: string): AlertRule | null;
  /** Throws `ConflictError` when the id is taken. */
  createAlert(rule: AlertRule): Promise<void>;
  /**
   * Writes `rule` (its lease excepted) if the stored one is still at `rule.version`, bumping the version:
   * 'conflict' when another write came first, 'missing' when the rule is gone.
   */
  saveAlert(rule: AlertRule): Promise<'saved' | 'conflict' | 'missing'>;
  deleteAlert(projectId: string, id: string): Promise<boolean>;
  /**
   * Leases up to `max` enabled rules whose check is due to `owner` for `leaseMs`, skipping rules a live
   * owner holds (`owner` included). The returned rules carry the version their check must be finished against.
   */
  claimDueAlerts(owner: string, now: Date, leaseMs: number, max: number): Promise<AlertRule[]>;
  /**
   * Ends `owner`'s lease on a rule and stores the check's status and, in the same write, what it owes
   * (`outbox`, leased to `owner`), unless the rule was written since the claim (then the check is dropped: false).
   */
  finishAlertCheck(id: string, owner: string, version: number, status: AlertStatus, outbox?: AlertOutboxEntry): Promise<boolean>;
  /** Leases to `owner` the outbox entries no live node holds (`owner`'s own included, while leased). */
  claimAlertOutbox(owner: string, now: Date, leaseMs: number): Promise<AlertOutboxEntry[]>;
  /** Takes a done part out of an entry (`event`, or a delivery by index), and the entry once nothing is left. */
  settleAlertOutbox(entryId: string, part: 'event' | number): Promise<void>;
  /** Gives up every lease `owner` holds (a node stopping). */
  releaseAlerts(owner: string): Promise<void>;
  /** A project's saved views, oldest first. */
  listViews(projectId: string): SavedView[];
  getView(projectId: string, shortId: string): SavedView | null;
  /** Throws `ConflictError` when the id or short id is taken. */
  createView(view: SavedView): Promise<void>;
  /** Applies `change` to the stored view, stamping `updated_at`; null when there is none in that project. */
  updateView(projectId: string, shortId: string, change: ViewChange, updatedAt: string): Promise<SavedView | null>;
  deleteView(projectId: string, shortId: string): Promise<boolean>;
  /** A page by its slug, whichever project it is of (the public routes know only the slug). */
  getStatusPage(slug: string): StatusPage | null;
  listStatusPages(projectId: string): StatusPage[];
  /** Throws `ConflictError` when the slug is taken, by any project. */
  createStatusPage(page: StatusPage): Promise<void>;
  /** Null when the project has no page of that slug. */
  updateStatusPage(projectId: string, slug: string, change: StatusPageChange, updatedAt: string): Promise<StatusPage | null>;
  /** Deletes the page and its incidents. */
  deleteStatusPage(projectId: string, slug: string): Promise<boolean>;
  /** A page's incidents, in the order they were opened. */
  listIncidents(slug: string): StatusIncident[];
  /** False when the project has no page of the incident's slug. */
  createIncident(incident: StatusIncident): Promise<boolean>;
  /** Applies `change`, appending its update; null when there is no such incident of that project's page. */
  updateIncident(projectId: string, slug: string, id: string, change: IncidentChange, updatedAt: string): Promise<StatusIncident | null>;
  deleteIncident(projectId: string, slug: string, id: string): Promise<boolean>;
  getChatSession(projectId: string, id: string): ChatSession | null;
  /** Adds messages to a session, starting it if new; a session keeps its latest messages, a project its latest sessions. */
  appendChat(projectId: string, id: string, messages: ChatMessage[], at: string): Promise<ChatSession>;
}
