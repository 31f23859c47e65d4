import { LOGTRAIL_PREFIX } from '../../../server/logtrail.js';
import type { ReceiverFactory } from '../../component.js';
import { logtrailConfig, type LogtrailConfig } from './config.js';
import { logtrailIngestPlugin } from './plugin.js';

/** The Logtrail ingest API on the shared HTTP server, under `/api/v1/workspace`. */
export const logtrailReceiverFactory: ReceiverFactory<LogtrailConfig, 'logs'> = {
  type: 'logtrail',
  signals: ['logs'],
  configSchema: logtrailConfig,
  create(config, { id, host, consumers }) {
    host.http.register(logtrailIngestPlugin({ config, meta: host.meta, limits: host.limits, consumer: consumers.logs, receiverId: id }), { prefix: LOGTRAIL_PREFIX });
    return {};
  },
};
