import type { Batch } from '../../../core/records.js';
import type { ProcessorFactory } from '../../component.js';
import { useragentConfig, type UseragentConfig } from './config.js';
import { AgentCache } from './parse.js';

/** Adds `$browser`, `$os`, `$device` from the request's User-Agent to every log and event of the batch. */
export const useragentProcessorFactory: ProcessorFactory<UseragentConfig> = {
  type: 'useragent',
  configSchema: useragentConfig,
  create(config) {
    const cache = new AgentCache(config.cache_size);
    return {
      process(batch: Batch) {
        const header = batch.context.headers?.['user-agent'];
        if (batch.table === 'alert_events' || typeof header !== 'string' || header === '') return batch;
        const fields = cache.get(header);
        for (const record of batch.records as { properties: Record<string, unknown> }[]) {
          for (const [k, v] of Object.entries(fields)) {
            if (!config.keep_client_values || record.properties[k] === undefined) record.properties[k] = v;
          }
        }
        return batch;
      },
    };
  },
};
