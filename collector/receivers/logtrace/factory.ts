import type { ReceiverFactory } from '../../component.js';
import { logtraceConfig, type LogtraceConfig } from './config.js';
import { logtraceIngestPlugin } from './plugin.js';

/** The LogTrace ingest API (`POST /v1/logs/ingest`) on the shared HTTP server. */
export const logtraceReceiverFactory: ReceiverFactory<LogtraceConfig, 'logs'> = {
  type: 'logtrace',
  signals: ['logs'],
  configSchema: logtraceConfig,
  create(config, { id, host, consumers }) {
    host.http.register(logtraceIngestPlugin({ config, meta: host.meta, limits: host.limits, consumer: consumers.logs, receiverId: id }));
    return {};
  },
};
