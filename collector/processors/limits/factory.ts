import type { Batch, EventRecord, LogRecord } from '../../../core/records.js';
import type { ProcessorFactory } from '../../component.js';
import { boundEvent, boundLog } from './bound.js';
import { limitsConfig, type LimitsConfig } from './config.js';

/** Holds every log and event of the batch to the configured bounds. */
export const limitsProcessorFactory: ProcessorFactory<LimitsConfig> = {
  type: 'limits',
  configSchema: limitsConfig,
  create(config) {
    return {
      process(batch: Batch) {
        if (batch.table === 'logs') for (const record of batch.records as LogRecord[]) boundLog(record, config);
        else if (batch.table === 'events') for (const record of batch.records as EventRecord[]) boundEvent(record, config);
        return batch;
      },
    };
  },
};
