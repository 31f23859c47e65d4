// What a status page publishes, and only that: component names, their status and uptime, and the page's
// incidents. The alert rules behind components stay private (no id, name, query or value leaves here).
import type { AlertRule, MetaStore } from '../storage/meta/store.js';
import type { Impact, StatusComponent, StatusIncident, StatusPage } from '../storage/meta/status-pages.js';
import { UPTIME_DAYS, uptime, type Span } from './uptime.js';

export type ComponentStatus = 'operational' | Impact;

const SEVERITY: Record<ComponentStatus, number> = { operational: 0, degraded: 1, outage: 2 };
const worst = (statuses: ComponentStatus[]): ComponentStatus => statuses.reduce<ComponentStatus>((w, s) => (SEVERITY[s] > SEVERITY[w] ? s : w), 'operational');

/** Resolved incidents stay on the snapshot this long. */
const RECENT_DAYS = 7;
const DAY_MS = 86_400_000;

const affects = (incident: StatusIncident, component: string) => incident.components.length === 0 || incident.components.includes(component);

/** An incident as the public sees it. */
export function publicIncident(i: StatusIncident) {
  const { id, title, status, impact, components, updates, started_at, resolved_at, updated_at } = i;
  return { id, title, status, impact, components, updates, started_at, resolved_at, updated_at };
}

/** When the rule fired while it was enabled: a disabled rule watches nothing. */
function firingSpans(rule: AlertRule, now: number): Span[] {
  return rule.status.state_timeline
    .filter((i) => i.state === 'firing' && i.enabled)
    .map((i) => ({ start: Date.parse(i.start), end: i.end === null ? now : Date.parse(i.end) }));
}

function componentView(meta: MetaStore, page: StatusPage, c: StatusComponent, incidents: StatusIncident[], now: number) {
  const rule = c.alert_id ? meta.getAlert(page.project_id, c.alert_id) : null;
  const own = incidents.filter((i) => affects(i, c.name));
  const open = own.filter((i) => i.resolved_at === null).map((i) => i.impact);
  const firing = rule !== null && rule.enabled && rule.status.state === 'firing';
  const down = [
    ...(rule ? firingSpans(rule, now) : []),
    ...own.map((i) => ({ start: Date.parse(i.started_at), end: i.resolved_at === null ? now : Date.parse(i.resolved_at) })),
  ];
  // A rule's history starts with its first interval (older ones are trimmed); without a rule, with the page.
  const trackedFrom = Math.min(Date.parse(page.created_at), rule ? Date.parse(rule.status.state_timeline[0]?.start ?? rule.created_at) : Infinity);
  return { name: c.name, status: worst([...open, ...(firing ? [c.impact] : [])]), uptime: uptime(down, trackedFrom, now) };
}

/** The public snapshot of `GET /v1/status/:slug`. */
export function snapshot(meta: MetaStore, page: StatusPage, now: Date) {
  const t = now.getTime();
  const incidents = meta.listIncidents(page.slug);
  const components = page.components.map((c) => componentView(meta, page, c, incidents, t));
  const open = incidents.filter((i) => i.resolved_at === null);
  const recent = incidents.filter((i) => i.resolved_at !== null && Date.parse(i.resolved_at) >= t - RECENT_DAYS * DAY_MS);
  const newestFirst = (a: StatusIncident, b: StatusIncident) => b.started_at.localeCompare(a.started_at);
  const pageWide = open.filter((i) => i.components.length === 0).map((i) => i.impact);
  return {
    slug: page.slug,
    title: page.title,
    status: worst([...components.map((c) => c.status), ...pageWide]),
    uptime_days: UPTIME_DAYS,
    components,
    incidents: { open: open.sort(newestFirst).map(publicIncident), recent: recent.sort(newestFirst).map(publicIncident) },
    generated_at: now.toISOString(),
  };
}
