import type { ProcessorFactory, SignalBatch } from '../../component.js';
import { flattenConfig, type FlattenConfig } from './config.js';
import { flattenProperties } from './flatten.js';

export const flattenProcessorFactory: ProcessorFactory<FlattenConfig> = {
  type: 'flatten',
  signals: ['logs', 'events'],
  configSchema: flattenConfig,
  create(config) {
    return {
      process(batch: SignalBatch) {
        for (const record of batch.records) {
          record.properties = flattenProperties(record.properties, config);
        }
        return batch;
      },
    };
  },
};
