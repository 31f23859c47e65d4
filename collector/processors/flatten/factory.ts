import type { Batch } from '../../../core/records.js';
import type { ProcessorFactory } from '../../component.js';
import { flattenConfig, type FlattenConfig } from './config.js';
import { flattenProperties } from './flatten.js';

export const flattenProcessorFactory: ProcessorFactory<FlattenConfig> = {
  type: 'flatten',
  configSchema: flattenConfig,
  create(config) {
    return {
      process(batch: Batch) {
        if (batch.table === 'alert_events') return batch;
        for (const record of batch.records as { properties: Record<string, unknown> }[]) {
          record.properties = flattenProperties(record.properties, config);
        }
        return batch;
      },
    };
  },
};
