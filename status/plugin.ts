// Status pages (seed 000): public, keyless reads of what a page publishes (`/v1/status/:slug`, its incident
// history, `/v1/status-pages/:slug/resolve`), and their management by the owning project, with a GoodLogs
// secret key (`/v1/status-pages…`) or a dashboard session (`/api/orgs/:org/projects/:project/status-pages…`).
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../core/errors.js';
import { dashboardAuth } from '../server/admin/dashboard-auth.js';
import type { Tokens } from '../server/admin/tokens.js';
import { goodlogsAuth, goodlogsBody, goodlogsErrorHandler } from '../server/goodlogs.js';
import type { MetaStore } from '../storage/meta/store.js';
import type { StatusIncident } from '../storage/meta/status-pages.js';
import { createIncident, createPage, deleteIncident, deletePage, ownPage, pageView, updateIncident, updatePage, type Owner } from './pages.js';
import { publicIncident, snapshot } from './snapshot.js';

export interface StatusDeps {
  meta: MetaStore;
  tokens: Tokens;
  /** The region pages made from a dashboard session (or a key naming none) report. */
  defaultRegion: string;
  /** The real clock: alert timelines and incidents are in real time. */
  now: () => Date;
}

const DAY_MS = 86_400_000;
/** Short, so a page fetched by many browsers costs little and still shows a firing alert within the minute. */
const PUBLIC_CACHE = 'public, max-age=30';

const historyQuery = z.object({
  days: z.coerce.number().int().min(1).max(365).default(90),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});

type WithSlug = FastifyRequest<{ Params: { slug: string; id?: string } }>;

const missing = () => new ApiError(404, 'NOT_FOUND', 'No status page with this slug');

/** An incident belongs to the last `days` if it was open at any moment of them. */
const within = (i: StatusIncident, since: number) => i.resolved_at === null || Date.parse(i.resolved_at) >= since;

export function statusPagesPlugin(deps: StatusDeps) {
  const { meta } = deps;
  return async function statusPages(app: FastifyInstance) {
    app.setErrorHandler(goodlogsErrorHandler);

    // Public: anyone may read, from any origin, what a page publishes; nothing else is reachable by slug.
    const publish = (reply: FastifyReply) => reply.header('access-control-allow-origin', '*').header('cache-control', PUBLIC_CACHE);
    const published = (request: FastifyRequest) => {
      const page = meta.getStatusPage((request as WithSlug).params.slug);
      if (!page) throw missing();
      return page;
    };
    app.get('/v1/status/:slug', async (request, reply) => {
      const page = published(request);
      publish(reply);
      return snapshot(meta, page, deps.now());
    });
    app.get('/v1/status/:slug/incidents', async (request, reply) => {
      const page = published(request);
      const q = goodlogsBody(historyQuery, request.query);
      const since = deps.now().getTime() - q.days * DAY_MS;
      const all = meta.listIncidents(page.slug).filter((i) => within(i, since)).sort((a, b) => b.started_at.localeCompare(a.started_at) || b.id.localeCompare(a.id));
      publish(reply);
      return { incidents: all.slice(q.offset, q.offset + q.limit).map(publicIncident), total: all.length, days: q.days, limit: q.limit, offset: q.offset, has_more: q.offset + q.limit < all.length };
    });
    app.get('/v1/status-pages/:slug/resolve', async (request, reply) => {
      const page = published(request);
      publish(reply);
      return { region: page.region, title: page.title };
    });

    const manage = (base: string, read: onRequestHookHandler, write: onRequestHookHandler, owner: (request: FastifyRequest) => Owner) => {
      const slugOf = (request: FastifyRequest) => (request as WithSlug).params.slug;
      const idOf = (request: FastifyRequest) => (request as WithSlug).params.id!;
      app.get(base, { onRequest: read }, async (request) => ({ status_pages: meta.listStatusPages(owner(request).projectId).map(pageView) }));
      app.post(base, { onRequest: write }, async (request, reply) => reply.code(201).send(pageView(await createPage(meta, owner(request), request.body))));
      app.get(`${base}/:slug`, { onRequest: read }, async (request) => pageView(ownPage(meta, owner(request), slugOf(request))));
      app.patch(`${base}/:slug`, { onRequest: write }, async (request) => pageView(await updatePage(meta, owner(request), slugOf(request), request.body)));
      app.delete(`${base}/:slug`, { onRequest: write }, async (request) => {
        await deletePage(meta, owner(request), slugOf(request));
        return { slug: slugOf(request), deleted: true };
      });
      app.get(`${base}/:slug/incidents`, { onRequest: read }, async (request) => {
        const page = ownPage(meta, owner(request), slugOf(request));
        return { incidents: meta.listIncidents(page.slug).reverse().map(publicIncident) };
      });
      app.post(`${base}/:slug/incidents`, { onRequest: write }, async (request, reply) =>
        reply.code(201).send(publicIncident(await createIncident(meta, owner(request), slugOf(request), request.body))));
      app.patch(`${base}/:slug/incidents/:id`, { onRequest: write }, async (request) =>
        publicIncident(await updateIncident(meta, owner(request), slugOf(request), idOf(request), request.body)));
      app.delete(`${base}/:slug/incidents/:id`, { onRequest: write }, async (request) => {
        await deleteIncident(meta, owner(request), slugOf(request), idOf(request));
        return { id: idOf(request), deleted: true };
      });
    };

    // The pages show the project's alerts, so managing them takes the alert scopes.
    manage(
      '/v1/status-pages',
      goodlogsAuth(meta, { secretOnly: true, scope: 'alerts:read' }),
      goodlogsAuth(meta, { secretOnly: true, scope: 'alerts:write' }),
      (request) => ({ projectId: request.apiKey!.project_id, region: request.apiKey!.region ?? deps.defaultRegion }),
    );
    const session = dashboardAuth(meta, deps.tokens);
    manage('/api/orgs/:org/projects/:project/status-pages', session, session, (request) => ({ projectId: request.dashboard!.project!.id, region: deps.defaultRegion }));
  };
}
