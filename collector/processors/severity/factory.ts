import { takeFirst } from '../../../core/doc-fields.js';
import type { ProcessorFactory, SignalBatch } from '../../component.js';
import { severityConfig, type SeverityConfig } from './config.js';
import { levelReader } from './level.js';

/** Sets a log's severity from a property that names its level (see `config.ts` for which logs). */
export const severityProcessorFactory: ProcessorFactory<SeverityConfig> = {
  type: 'severity',
  signals: ['logs', 'events'],
  configSchema: severityConfig,
  create(config) {
    const paths = config.from_properties.map((name) => name.split('.'));
    const read = levelReader(config.map);
    return {
      process(batch: SignalBatch) {
        if (batch.table !== 'logs') return batch;
        for (const record of batch.records) {
          if (!config.override && !record.severity_defaulted) continue;
          // `takeFirst` removes what it reads; on a shallow copy it only looks (nested objects are copied, not changed).
          const level = takeFirst(config.remove_property ? record.properties : { ...record.properties }, paths, read);
          if (!level) continue;
          record.severity = level.severity;
          record.severity_number = level.severity_number;
          record.severity_defaulted = false;
        }
        return batch;
      },
    };
  },
};
