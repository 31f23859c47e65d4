import { ConfigError } from '../../../config/load.js';
import type { ReceiverFactory } from '../../component.js';
import { logtraceConfig, type LogtraceConfig } from './config.js';
import { logtraceIngestPlugin } from './plugin.js';

/** The LogTrace ingest API (`POST /v1/logs/ingest`) on the shared HTTP server. */
export const logtraceReceiverFactory: ReceiverFactory<LogtraceConfig> = {
  type: 'logtrace',
  configSchema: logtraceConfig,
  create(config, { id, host, consumers }) {
    if (!consumers.logs) throw new ConfigError(`receivers.${id}: LogTrace takes logs only; list it in service.pipelines.logs.receivers`);
    host.http.register(logtraceIngestPlugin({ config, meta: host.meta, limits: host.limits, consumer: consumers.logs, receiverId: id }));
    return {};
  },
};
