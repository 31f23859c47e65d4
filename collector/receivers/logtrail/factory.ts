import { ConfigError } from '../../../config/load.js';
import { LOGTRAIL_PREFIX } from '../../../server/logtrail.js';
import type { ReceiverFactory } from '../../component.js';
import { logtrailConfig, type LogtrailConfig } from './config.js';
import { logtrailIngestPlugin } from './plugin.js';

/** The Logtrail ingest API on the shared HTTP server, under `/api/v1/workspace`. */
export const logtrailReceiverFactory: ReceiverFactory<LogtrailConfig> = {
  type: 'logtrail',
  configSchema: logtrailConfig,
  create(config, { id, host, consumers }) {
    if (!consumers.logs) throw new ConfigError(`receivers.${id}: Logtrail takes logs only; list it in service.pipelines.logs.receivers`);
    host.http.register(logtrailIngestPlugin({ config, meta: host.meta, limits: host.limits, consumer: consumers.logs, receiverId: id }), { prefix: LOGTRAIL_PREFIX });
    return {};
  },
};
