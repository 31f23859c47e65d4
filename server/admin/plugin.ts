import type { FastifyInstance } from 'fastify';
import { goodlogsErrorHandler } from '../goodlogs.js';
import { authRoutes } from './auth-routes.js';
import { memberRoutes } from './member-routes.js';
import { projectRoutes, type AdminDeps } from './project-routes.js';

/** Sign-up, login and the admin API, in GoodLogs' error envelope (its dashboard routes are the model). */
export function adminPlugin(deps: AdminDeps) {
  return async function admin(app: FastifyInstance) {
    app.setErrorHandler(goodlogsErrorHandler);
    await app.register(authRoutes(deps));
    await app.register(projectRoutes(deps));
    await app.register(memberRoutes(deps));
  };
}
