import type { ChatSession } from './chat-sessions.js';
import type { StatusIncident, StatusPage } from './status-pages.js';
import type { AlertOutboxEntry, AlertRule, ApiKey, Org, Project, SavedView, User } from './store.js';

/** Usage counters: project → metric → period → count. */
export type Usage = Record<string, Record<string, Record<string, number>>>;

/** What the embedded store keeps on disk, at the current version (`migrations.ts` brings older files here). */
export interface State {
  version: number;
  orgs: Org[];
  projects: Project[];
  users: User[];
  keys: ApiKey[];
  usage: Usage;
  alerts: AlertRule[];
  /** Session tokens signed out before they expire; each is dropped once it would have expired. */
  revoked_sessions: { token_id: string; expires_at: string }[];
  alert_outbox: AlertOutboxEntry[];
  views: SavedView[];
  status_pages: StatusPage[];
  status_incidents: StatusIncident[];
  ai_sessions: ChatSession[];
}
