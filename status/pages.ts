// What the management routes do to a project's status pages and their incidents, whichever credential
// (a GoodLogs secret key, a dashboard session) named the project.
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { ApiError } from '../core/errors.js';
import { goodlogsBody } from '../server/goodlogs.js';
import { ConflictError, type MetaStore } from '../storage/meta/store.js';
import type { IncidentChange, StatusIncident, StatusPage } from '../storage/meta/status-pages.js';

/** The project a request manages, and the region its data lives in (what `…/resolve` answers). */
export interface Owner {
  projectId: string;
  region: string;
}

const impact = z.enum(['degraded', 'outage']);
const incidentStatus = z.enum(['investigating', 'identified', 'monitoring', 'resolved']);

/** Lower-case letters, digits and inner hyphens: it is a URL path segment and may become a subdomain. */
const slug = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be 1 to 63 lower-case letters, digits or inner hyphens');

const components = z
  .array(z.object({ name: z.string().trim().min(1).max(100), alert_id: z.string().min(1).nullable().default(null), impact: impact.default('degraded') }).strict())
  .max(50)
  .refine((cs) => new Set(cs.map((c) => c.name)).size === cs.length, 'component names must be unique');

const title = z.string().trim().min(1).max(200);
const newPage = z.object({ slug, title, components: components.default([]) }).strict();
// Without defaults: a change leaves what it does not name as it was.
const pageChange = z.object({ title, components }).partial().strict();

const instant = z.iso.datetime({ offset: true });
const incidentFields = {
  title: z.string().trim().min(1).max(200),
  status: incidentStatus,
  impact,
  components: z.array(z.string()).max(50),
  message: z.string().max(5000),
};
const newIncident = z
  .object({
    ...incidentFields,
    status: incidentStatus.default('investigating'),
    impact: impact.default('degraded'),
    components: incidentFields.components.default([]),
    message: incidentFields.message.default(''),
    started_at: instant.optional(),
  })
  .strict();
// Without defaults: a change leaves what it does not name as it was.
const incidentChange = z.object(incidentFields).partial().strict();

const pageNotFound = () => new ApiError(404, 'NOT_FOUND', 'No status page with this slug in this project');
const incidentNotFound = () => new ApiError(404, 'NOT_FOUND', 'No incident with this id on this status page');
const invalid = (field: string, message: string) => new ApiError(400, 'VALIDATION_ERROR', `${field}: ${message}`);

/** A page as its owner sees it: with the alert rules behind its components. */
export function pageView(page: StatusPage) {
  const { slug, title, region, components, created_at, updated_at } = page;
  return { slug, title, region, components, public_url: `/v1/status/${slug}`, created_at, updated_at };
}

/** Components may only follow the project's own rules, so a page cannot publish another tenant's alerts. */
function checkAlerts(meta: MetaStore, projectId: string, cs: StatusPage['components']): void {
  cs.forEach((c, i) => {
    if (c.alert_id !== null && !meta.getAlert(projectId, c.alert_id)) throw invalid(`components.${i}.alert_id`, 'no alert rule with this id in this project');
  });
}

export function ownPage(meta: MetaStore, owner: Owner, slugText: string): StatusPage {
  const page = meta.getStatusPage(slugText);
  if (!page || page.project_id !== owner.projectId) throw pageNotFound();
  return page;
}

export async function createPage(meta: MetaStore, owner: Owner, body: unknown): Promise<StatusPage> {
  const def = goodlogsBody(newPage, body);
  checkAlerts(meta, owner.projectId, def.components);
  const at = new Date().toISOString();
  const page: StatusPage = { ...def, project_id: owner.projectId, region: owner.region, created_at: at, updated_at: at };
  try {
    await meta.createStatusPage(page);
  } catch (err) {
    if (err instanceof ConflictError) throw new ApiError(409, 'CONFLICT', `The slug "${def.slug}" is taken; slugs are unique across every project`);
    throw err;
  }
  return page;
}

export async function updatePage(meta: MetaStore, owner: Owner, slugText: string, body: unknown): Promise<StatusPage> {
  const change = goodlogsBody(pageChange, body ?? {});
  if (change.components) checkAlerts(meta, owner.projectId, change.components);
  const page = await meta.updateStatusPage(owner.projectId, slugText, change, new Date().toISOString());
  if (!page) throw pageNotFound();
  return page;
}

export async function deletePage(meta: MetaStore, owner: Owner, slugText: string): Promise<void> {
  if (!(await meta.deleteStatusPage(owner.projectId, slugText))) throw pageNotFound();
}

function checkComponents(page: StatusPage, names: string[] | undefined): void {
  const known = new Set(page.components.map((c) => c.name));
  names?.forEach((n, i) => {
    if (!known.has(n)) throw invalid(`components.${i}`, `the page has no component "${n}"`);
  });
}

export async function createIncident(meta: MetaStore, owner: Owner, slugText: string, body: unknown): Promise<StatusIncident> {
  const page = ownPage(meta, owner, slugText);
  const def = goodlogsBody(newIncident, body);
  checkComponents(page, def.components);
  const at = new Date().toISOString();
  const started = def.started_at ? new Date(def.started_at).toISOString() : at;
  if (started > at) throw invalid('started_at', 'must not be in the future');
  const incident: StatusIncident = {
    id: uuidv7(), page_slug: page.slug, project_id: owner.projectId, title: def.title, status: def.status, impact: def.impact,
    components: def.components, updates: [{ at, status: def.status, message: def.message }],
    started_at: started, resolved_at: def.status === 'resolved' ? at : null, updated_at: at,
  };
  if (!(await meta.createIncident(incident))) throw pageNotFound();
  return incident;
}

export async function updateIncident(meta: MetaStore, owner: Owner, slugText: string, id: string, body: unknown): Promise<StatusIncident> {
  const page = ownPage(meta, owner, slugText);
  const { status, message, ...fields } = goodlogsBody(incidentChange, body ?? {});
  checkComponents(page, fields.components);
  const change: IncidentChange = { ...fields, ...(status !== undefined || message !== undefined ? { update: { status, message: message ?? '' } } : {}) };
  const incident = await meta.updateIncident(owner.projectId, page.slug, id, change, new Date().toISOString());
  if (!incident) throw incidentNotFound();
  return incident;
}

export async function deleteIncident(meta: MetaStore, owner: Owner, slugText: string, id: string): Promise<void> {
  if (!(await meta.deleteIncident(owner.projectId, slugText, id))) throw incidentNotFound();
}
