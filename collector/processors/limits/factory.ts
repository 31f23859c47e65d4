import type { ProcessorFactory, SignalBatch } from '../../component.js';
import { boundEvent, boundLog } from './bound.js';
import { limitsConfig, type LimitsConfig } from './config.js';

/** Holds every log and event of the batch to the configured bounds. */
export const limitsProcessorFactory: ProcessorFactory<LimitsConfig> = {
  type: 'limits',
  signals: ['logs', 'events'],
  configSchema: limitsConfig,
  create(config) {
    return {
      process(batch: SignalBatch) {
        if (batch.table === 'logs') for (const record of batch.records) boundLog(record, config);
        else for (const record of batch.records) boundEvent(record, config);
        return batch;
      },
    };
  },
};
