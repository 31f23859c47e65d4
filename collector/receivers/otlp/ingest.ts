import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import { ApiError } from '../../../core/errors.js';
import type { BatchContext } from '../../../core/records.js';
import type { Consumer } from '../../component.js';
import { BusUnconfirmedError } from '../../../storage/bus/bus.js';
import { UNCONFIRMED_MESSAGE } from '../hand-on.js';
import { ingestRequestId } from '../../../server/idempotency.js';
import type { MetaStore } from '../../../storage/meta/store.js';
import type { Limiter } from '../../../server/limits/limiter.js';
import type { OtlpConfig } from './config.js';
import { toLogRecords, type Target } from './mapping.js';
import { countRecords, type ExportLogsRequest, type ExportOutcome } from './proto.js';

/**
 * The request's id for the bus (`server/idempotency.ts`): from `Idempotency-Key` or the decoded body's
 * digest, scoped to the sender's key (or project, on a trusted network).
 */
export function otlpRequestId(receiverId: string, target: Target, headers: IncomingHttpHeaders, digest: string): string | undefined {
  return ingestRequestId(`${receiverId}\0logs\0${target.key?.id ?? target.projectId}`, headers, digest);
}

export type ExportLogs = (request: ExportLogsRequest, target: Target, context: BatchContext) => Promise<ExportOutcome>;

/**
 * An Export call, whatever the transport: limits, mapping, then one batch per request to the pipeline.
 * It resolves only once the batch is durable; every refusal is an ApiError whose `code` names the gRPC
 * status and whose `status` is the OTLP/HTTP one.
 */
export function logsIngest(config: OtlpConfig, consumer: Consumer, logger: Logger): ExportLogs {
  let inFlight = 0;
  const retryAfter = { 'retry-after': String(config.retry_after_seconds) };
  return async (request, target, context) => {
    const count = countRecords(request);
    if (count > config.max_records) {
      throw new ApiError(413, 'RESOURCE_EXHAUSTED', `The request holds ${count} log records; the limit is ${config.max_records}: export smaller batches`);
    }
    if (count > 0 && inFlight >= config.max_in_flight) throw new ApiError(429, 'UNAVAILABLE', 'Ingest is saturated; retry later', undefined, retryAfter);
    const mapped = toLogRecords(request, target, config.default_environment, new Date().toISOString());
    if (mapped.records.length > 0) {
      inFlight++;
      try {
        await consumer.consume({ table: 'logs', projectId: target.projectId, records: mapped.records, context });
      } catch (err) {
        // Anything else is a server fault, which both transports log and answer as INTERNAL.
        if (!(err instanceof BusUnconfirmedError)) throw err;
        logger.warn({ err }, 'otlp: the bus did not confirm a batch; the sender is told to retry');
        throw new ApiError(503, 'UNAVAILABLE', UNCONFIRMED_MESSAGE, undefined, retryAfter);
      } finally {
        inFlight--;
      }
    }
    const errorMessage = mapped.rejected > 0 ? `${mapped.rejected} log record(s) rejected: ${mapped.reasons.join('; ')}` : '';
    return { rejected: mapped.rejected, errorMessage };
  };
}

/** What both OTLP listeners (HTTP and gRPC) are built from. */
export interface ListenerDeps {
  config: OtlpConfig;
  logger: Logger;
  meta: MetaStore;
  /** The plan limits every ingest surface shares. */
  limits: Limiter;
  ingest: ExportLogs;
  receiverId: string;
}
