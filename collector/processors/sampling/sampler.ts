import type { Batch, EventRecord, LogRecord } from '../../../core/records.js';
import type { Processor } from '../../component.js';
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

  process(batch: Batch): Batch {
    if (batch.table === 'alert_events') return batch;
    const total = batch.records.length;
    if (this.config.ratio === 1) {
      this.kept += total;
      return batch;
    }
    const records =
      batch.table === 'logs'
        ? (batch.records as LogRecord[]).filter((r) => this.keepLog(r))
        : (batch.records as EventRecord[]).filter((r) => this.keep(r.distinct_id));
    this.kept += records.length;
    this.dropped += total - records.length;
    return records.length === total ? batch : { ...batch, records };
  }

  private keepLog(record: LogRecord): boolean {
    if (!this.config.sample_errors && (record.severity === 'error' || record.severity === 'fatal')) return true;
    return this.keep(record.trace_id);
  }

  private keep(key: string | null): boolean {
    return (key ? unitHash(key) : this.random()) < this.config.ratio;
  }
}
