import type { ProcessorFactory, SignalBatch } from '../../component.js';
import { clientIp } from './client-ip.js';
import { ipConfig, type IpConfig } from './config.js';

/** Adds `$ip` to every log and event of the batch. */
export const ipProcessorFactory: ProcessorFactory<IpConfig> = {
  type: 'ip',
  signals: ['logs', 'events'],
  configSchema: ipConfig,
  create(config) {
    const trusted = new Set(config.trusted_proxies);
    return {
      process(batch: SignalBatch) {
        const ip = clientIp(batch.context.remoteAddress, batch.context.headers?.['x-forwarded-for'], trusted);
        if (!ip) return batch;
        for (const record of batch.records) {
          if (!config.keep_client_values || record.properties.$ip === undefined) record.properties.$ip = ip;
        }
        return batch;
      },
    };
  },
};
