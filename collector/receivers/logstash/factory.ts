import type { ReceiverFactory } from '../../component.js';
import { logstashConfig, type LogstashConfig } from './config.js';
import { LogstashReceiver } from './receiver.js';

/** Logstash-style `json_lines` over TCP and UDP (port 5000 by default). */
export const logstashReceiverFactory: ReceiverFactory<LogstashConfig, 'logs'> = {
  type: 'logstash',
  signals: ['logs'],
  configSchema: logstashConfig,
  create: (config, ctx) => new LogstashReceiver(config, ctx),
};
