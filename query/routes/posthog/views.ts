// PostHog-style saved logs views (seed 002): named structured filters of the logs query API, kept in the
// metadata store per project, reached with a personal key or from the dashboard with a session token.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { ApiError } from '../../../core/errors.js';
import { limitOffsetPage, posthogErrorHandler, posthogLogsUrls, posthogUserAuth } from '../../../server/posthog.js';
import type { MetaStore, SavedView, ViewChange } from '../../../storage/meta/store.js';
import { ConflictError } from '../../../storage/meta/store.js';
import { pageParams, parseQuery } from '../../language/index.js';
import { membersOf } from '../members.js';

export interface ViewRouteDeps {
  meta: MetaStore;
  /** The query clock, against which relative `dateRange`s in filters are checked. */
  now: () => Date;
}

const viewBody = z.object({
  name: z.string().trim().min(1).max(400),
  filters: z.record(z.string(), z.unknown()),
  pinned: z.boolean(),
});
const created = viewBody.partial({ filters: true, pinned: true });
const patch = viewBody.partial();

/** PostHog's short ids are 8 characters of letters and digits. */
const SHORT_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SHORT_ID_ATTEMPTS = 5;

function shortId(): string {
  return [...randomBytes(8)].map((b) => SHORT_ID_ALPHABET[b % SHORT_ID_ALPHABET.length]).join('');
}

/** A view's filters are what `POST …/logs/query` takes as `query`: refused when saved, as that route would refuse them. */
function checkFilters(filters: Record<string, unknown>, now: Date): void {
  parseQuery({ dialect: 'structured', text: filters, now });
}

/** PostHog's user object; loglake users have an email and no names, and their address is not verified. */
function userView(meta: MetaStore, userId: string | null) {
  const user = userId ? meta.getUser(userId) : null;
  if (!user) return null;
  return {
    id: user.number, uuid: user.id, distinct_id: user.id, first_name: '', last_name: '', email: user.email,
    is_email_verified: false, hedgehog_config: null, role_at_organization: null,
  };
}

function render(meta: MetaStore, view: SavedView) {
  const { id, short_id, name, filters, pinned, created_at, updated_at } = view;
  return { id, short_id, name, filters, pinned, created_at, created_by: userView(meta, view.created_by), updated_at };
}

const notFound = () => new ApiError(404, 'NOT_FOUND', 'No view with this short_id in this project');

type WithShortId = FastifyRequest<{ Params: { short_id: string } }>;

export function posthogViewsPlugin(deps: ViewRouteDeps) {
  const { meta } = deps;
  return async function posthogViews(app: FastifyInstance) {
    app.setErrorHandler(posthogErrorHandler);
    const route = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, scope: 'logs:read' | 'logs:write', handler: RouteHandlerMethod) => {
      for (const url of posthogLogsUrls(`/views${path}`)) app.route({ method, url, onRequest: posthogUserAuth(meta, scope), handler });
    };
    const caller = (request: FastifyRequest) => request.posthogCaller!;
    const stored = (request: FastifyRequest) => {
      const view = meta.getView(caller(request).projectId, (request as WithShortId).params.short_id);
      if (!view) throw notFound();
      return view;
    };

    route('GET', '', 'logs:read', async (request) => {
      const { limit, offset } = pageParams(request.query);
      // Newest first, as PostHog lists saved things.
      const views = meta.listViews(caller(request).projectId).sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id));
      return limitOffsetPage(request, views, limit, offset, (v) => render(meta, v));
    });

    route('POST', '', 'logs:write', async (request, reply) => {
      const body = membersOf(created, request.body, 'view', 'VALIDATION_ERROR');
      const filters = body.filters ?? {};
      checkFilters(filters, deps.now());
      const at = new Date().toISOString();
      const { projectId, userId } = caller(request);
      for (let attempt = 0; ; attempt++) {
        const view: SavedView = {
          id: uuidv7(), short_id: shortId(), project_id: projectId, name: body.name, filters, pinned: body.pinned ?? false,
          created_by: userId, created_at: at, updated_at: at,
        };
        try {
          await meta.createView(view);
          return reply.code(201).send(render(meta, view));
        } catch (err) {
          // A short id drawn twice: draw again.
          if (!(err instanceof ConflictError) || attempt + 1 >= SHORT_ID_ATTEMPTS) throw err;
        }
      }
    });

    route('GET', '/:short_id', 'logs:read', async (request) => render(meta, stored(request)));

    route('PATCH', '/:short_id', 'logs:write', async (request) => {
      const change: ViewChange = membersOf(patch, request.body ?? {}, 'view', 'VALIDATION_ERROR');
      if (change.filters) checkFilters(change.filters, deps.now());
      const view = await meta.updateView(caller(request).projectId, (request as WithShortId).params.short_id, change, new Date().toISOString());
      if (!view) throw notFound();
      return render(meta, view);
    });

    route('DELETE', '/:short_id', 'logs:write', async (request, reply) => {
      if (!(await meta.deleteView(caller(request).projectId, (request as WithShortId).params.short_id))) throw notFound();
      return reply.code(204).send();
    });
  };
}
