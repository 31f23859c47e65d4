import type { FastifyInstance } from 'fastify';
import { logtrailConfig } from '../collector/receivers/logtrail/config.js';
import type { Config } from '../config/schema.js';
import type { MetaStore } from '../storage/meta/store.js';
import { adminPlugin } from '../server/admin/plugin.js';
import type { Tokens } from '../server/admin/tokens.js';
import { goodlogsInfoPlugin } from '../server/info/goodlogs.js';
import { logtrailInfoPlugin } from '../server/info/logtrail.js';
import type { Limiter } from '../server/limits/limiter.js';
import { LOGTRAIL_PREFIX } from '../server/logtrail.js';

export interface AccessDeps {
  meta: MetaStore;
  limits: Limiter;
  tokens: Tokens;
  config: Config;
}

/** The tenancy and access routes: sign-up and login, the admin API, and each surface's info routes. */
export function registerAccessRoutes(http: FastifyInstance, deps: AccessDeps): void {
  const { meta, limits, tokens, config } = deps;
  http.register(adminPlugin({ meta, limits, tokens, defaultRegion: config.bootstrap.region, signup: config.auth.signup }));
  http.register(goodlogsInfoPlugin({ meta, limits }));
  const logtrail = logtrailConfig.parse(config.receivers.logtrail ?? {});
  http.register(
    logtrailInfoPlugin({ meta, limits, maxBatchSize: logtrail.max_bulk, maxLogSize: logtrail.max_log_bytes, defaultEnvironment: logtrail.default_environment }),
    { prefix: LOGTRAIL_PREFIX },
  );
}
