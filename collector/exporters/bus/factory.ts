import type { ExporterFactory } from '../../component.js';
import { busExporterConfig, type BusExporterConfig } from './config.js';
import { publishBatch } from '../../../storage/bus/producer.js';

/** Hands batches to the bus; `consume` resolves only once every part is durable there. */
export const busExporterFactory: ExporterFactory<BusExporterConfig> = {
  type: 'bus',
  signals: ['logs', 'events'],
  configSchema: busExporterConfig,
  create(config, { host }) {
    return {
      async consume(batch) {
        await publishBatch(host.bus, batch, { attempts: config.attempts, timeoutMs: config.timeout_ms });
        host.ingested.mark(batch.records.length);
        host.limits.recordAccepted(batch.projectId, batch.table, batch.records.length);
      },
    };
  },
};
