import type { ReceiverFactory } from '../../component.js';
import { goodlogsConfig, type GoodlogsConfig } from './config.js';
import { goodlogsIngestPlugin } from './plugin.js';

/** The GoodLogs ingest API on the shared HTTP server. */
export const goodlogsReceiverFactory: ReceiverFactory<GoodlogsConfig> = {
  type: 'goodlogs',
  signals: ['logs', 'events'],
  configSchema: goodlogsConfig,
  create(config, { id, host, consumers }) {
    host.http.register(goodlogsIngestPlugin({ config, meta: host.meta, limits: host.limits, consumers, receiverId: id }));
    return {};
  },
};
