import type { LogRecord } from '../../../core/records.js';
import type { Processor, SignalBatch } from '../../component.js';
import type { SamplingConfig } from './config.js';
import { unitHash } from './hash.js';

/**
 * Keeps `ratio` of the records. A record with a key (a log's trace id, an event's distinct id) goes by its
 * key's hash, so a trace or a user is kept or dropped whole, in every batch and every collector; a record
 * without one goes by chance.
 */
export class Sampler implements Processor {
  /** Records this instance let through and dropped since it was created. */
  kept = 0;
  dropped = 0;

  constructor(
    private readonly config: SamplingConfig,
    private readonly random: () => number = Math.random,
  ) {}

  process(batch: SignalBatch): SignalBatch {
    const total = batch.records.length;
    if (this.config.ratio === 1) {
      this.kept += total;
      return batch;
    }
    const kept: SignalBatch =
      batch.table === 'logs'
        ? { ...batch, records: batch.records.filter((r) => this.keepLog(r)) }
        : { ...batch, records: batch.records.filter((r) => this.keep(r.distinct_id)) };
    this.kept += kept.records.length;
    this.dropped += total - kept.records.length;
    return kept.records.length === total ? batch : kept;
  }

  private keepLog(record: LogRecord): boolean {
    if (!this.config.sample_errors && (record.severity === 'error' || record.severity === 'fatal')) return true;
    return this.keep(record.trace_id);
  }

  private keep(key: string | null): boolean {
    return (key ? unitHash(key) : this.random()) < this.config.ratio;
  }
}
