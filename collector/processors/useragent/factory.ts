import type { ProcessorFactory, SignalBatch } from '../../component.js';
import { useragentConfig, type UseragentConfig } from './config.js';
import { AgentCache } from './parse.js';

/** Adds `$browser`, `$os`, `$device` from the request's User-Agent to every log and event of the batch. */
export const useragentProcessorFactory: ProcessorFactory<UseragentConfig> = {
  type: 'useragent',
  signals: ['logs', 'events'],
  configSchema: useragentConfig,
  create(config) {
    const cache = new AgentCache(config.cache_size);
    return {
      process(batch: SignalBatch) {
        const header = batch.context.headers?.['user-agent'];
        if (typeof header !== 'string' || header === '') return batch;
        // Once per batch: the same request's fields go onto every record.
        const fields = Object.entries(cache.get(header));
        for (const record of batch.records) {
          for (const [k, v] of fields) {
            if (!config.keep_client_values || record.properties[k] === undefined) record.properties[k] = v;
          }
        }
        return batch;
      },
    };
  },
};
