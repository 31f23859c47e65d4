// The PostHog-style logs query API (seed 001), an encapsulated plugin with the PostHog error envelope.
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import { posthogAuth, posthogErrorHandler, posthogLogsUrls } from '../../../server/posthog.js';
import type { QueryRouteDeps } from '../goodlogs.js';
import { countRangesRoute } from './count-ranges.js';
import { exportRoute } from './export.js';
import { hasLogsRoute } from './has-logs.js';
import { patternsRoute } from './patterns.js';
import { searchRoute } from './search.js';
import { servicesRoute } from './services.js';
import { sparklineRoute } from './sparkline.js';
import { valuesRoute } from './values.js';

export function posthogQueryPlugin(deps: QueryRouteDeps) {
  return async function posthogQuery(app: FastifyInstance) {
    app.setErrorHandler(posthogErrorHandler);
    app.addHook('onRequest', posthogAuth(deps.meta, 'logs:read'));
    const route = (method: 'GET' | 'POST', name: string, handler: RouteHandlerMethod) => {
      for (const url of posthogLogsUrls(`/${name}`)) app.route({ method, url, handler });
    };
    route('POST', 'query', searchRoute(deps));
    route('POST', 'export', exportRoute(deps));
    route('POST', 'count-ranges', countRangesRoute(deps));
    route('POST', 'sparkline', sparklineRoute(deps));
    route('POST', 'services', servicesRoute(deps));
    route('POST', 'patterns', patternsRoute(deps));
    route('GET', 'values', valuesRoute(deps));
    route('GET', 'has_logs', hasLogsRoute(deps));
  };
}
