import type { Storage } from '../storage/storage.js';
import type { Gauge } from '../server/metrics.js';
import type { ReadinessCheck } from '../server/readiness.js';

/**
 * The readiness checks of a process: the bus must answer, the shared manifest (on JetStream) must be
 * loaded, and where this process writes the lake, the writer must not sit on waiting messages for longer
 * than `maxLagMs` without committing.
 */
export function readinessChecks(storage: Storage, maxLagMs: number): ReadinessCheck[] {
  const checks: ReadinessCheck[] = [() => storage.bus.unavailable(), async () => storage.manifestWaiting()];
  const writer = storage.lake?.writer;
  if (writer) {
    checks.push(async () => {
      const s = await writer.status();
      if (s.flushError) return `the writer cannot write the lake, and acknowledges nothing until it can: ${s.flushError}`;
      const waiting = s.undelivered + s.ackPending;
      const since = Date.now() - s.lastCommitAt;
      return waiting > 0 && since > maxLagMs
        ? `the writer lags: ${waiting} messages wait and nothing was committed for ${Math.round(since / 1000)} s (bound ${maxLagMs / 1000} s)`
        : null;
    });
  }
  return checks;
}

/** Bus lag, pending acks, writer backlog and last commit for `GET /metrics`; none while the bus does not answer. */
export function writerGauges(storage: Storage): () => Promise<Gauge[]> {
  return async () => {
    const writer = storage.lake?.writer;
    if (!writer) return [];
    const s = await writer.status().catch(() => null);
    if (!s) return [];
    return [
      { name: 'loglake_bus_undelivered_messages', help: 'Messages on the bus not yet delivered to the writer (bus lag).', value: s.undelivered },
      { name: 'loglake_bus_ack_pending_messages', help: 'Messages delivered to a writer and not yet acknowledged.', value: s.ackPending },
      { name: 'loglake_writer_buffered_messages', help: 'Messages the writer holds for its next flush.', value: s.bufferedMessages },
      { name: 'loglake_writer_buffered_rows', help: 'Rows the writer holds for its next flush.', value: s.bufferedRows },
      { name: 'loglake_writer_last_commit_timestamp_seconds', help: 'When the writer last committed a file (or started), in Unix seconds.', value: Math.floor(s.lastCommitAt / 1000) },
    ];
  };
}
