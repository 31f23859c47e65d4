// Status pages and their incidents as the metadata store keeps them: pure functions over `State`, so each
// store implementation runs them inside its own write.
import type { State } from './state.js';

/** What an incident or a firing alert does to a component. */
export type Impact = 'degraded' | 'outage';

export interface StatusComponent {
  name: string;
  /** The alert rule (of the page's project) whose firing is this component's trouble; null: incidents only. */
  alert_id: string | null;
  /** What the rule firing means for the component. */
  impact: Impact;
}

export interface StatusPage {
  /** Globally unique: it is the page's public address. */
  slug: string;
  project_id: string;
  title: string;
  /** The region of the project's data, which `…/resolve` tells a client. */
  region: string;
  components: StatusComponent[];
  created_at: string;
  updated_at: string;
}

export type StatusPageChange = Partial<Pick<StatusPage, 'title' | 'components'>>;

export type IncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved';

export interface IncidentUpdate {
  at: string;
  status: IncidentStatus;
  message: string;
}

export interface StatusIncident {
  id: string;
  page_slug: string;
  project_id: string;
  title: string;
  status: IncidentStatus;
  impact: Impact;
  /** Names of the page's components it affects (none: the page as a whole). */
  components: string[];
  /** Oldest first; each change of status or message adds one. */
  updates: IncidentUpdate[];
  started_at: string;
  resolved_at: string | null;
  updated_at: string;
}

export type IncidentChange = Partial<Pick<StatusIncident, 'title' | 'impact' | 'components'>> & {
  /** A new update: its status becomes the incident's (`resolved` closes it, another reopens it). */
  update?: { status?: IncidentStatus; message: string };
};

const own = (page: StatusPage | undefined, projectId: string) => (page?.project_id === projectId ? page : undefined);

export function pageOf(s: State, slug: string): StatusPage | undefined {
  return s.status_pages.find((p) => p.slug === slug);
}

/** False when the slug is taken (by any project). */
export function addPage(s: State, page: StatusPage): boolean {
  if (pageOf(s, page.slug)) return false;
  s.status_pages.push(structuredClone(page));
  return true;
}

export function changePage(s: State, projectId: string, slug: string, change: StatusPageChange, at: string): StatusPage | null {
  const page = own(pageOf(s, slug), projectId);
  if (!page) return null;
  Object.assign(page, structuredClone(change), { updated_at: at });
  return structuredClone(page);
}

/** A page goes with its incidents. */
export function removePage(s: State, projectId: string, slug: string): boolean {
  if (!own(pageOf(s, slug), projectId)) return false;
  s.status_pages = s.status_pages.filter((p) => p.slug !== slug);
  s.status_incidents = s.status_incidents.filter((i) => i.page_slug !== slug);
  return true;
}

/** False when the page is not the project's (or is gone). */
export function addIncident(s: State, incident: StatusIncident): boolean {
  if (!own(pageOf(s, incident.page_slug), incident.project_id)) return false;
  s.status_incidents.push(structuredClone(incident));
  return true;
}

function incidentOf(s: State, projectId: string, slug: string, id: string): StatusIncident | undefined {
  return s.status_incidents.find((i) => i.id === id && i.page_slug === slug && i.project_id === projectId);
}

export function changeIncident(s: State, projectId: string, slug: string, id: string, change: IncidentChange, at: string): StatusIncident | null {
  const incident = incidentOf(s, projectId, slug, id);
  if (!incident) return null;
  const { update, ...fields } = change;
  Object.assign(incident, structuredClone(fields), { updated_at: at });
  if (update) {
    const status = update.status ?? incident.status;
    incident.updates.push({ at, status, message: update.message });
    incident.status = status;
    incident.resolved_at = status === 'resolved' ? (incident.resolved_at ?? at) : null;
  }
  return structuredClone(incident);
}

export function removeIncident(s: State, projectId: string, slug: string, id: string): boolean {
  if (!incidentOf(s, projectId, slug, id)) return false;
  s.status_incidents = s.status_incidents.filter((i) => !(i.id === id && i.page_slug === slug));
  return true;
}
