import { z } from 'zod';
import { ENVIRONMENTS } from '../../../core/records.js';

/**
 * The Logtrail ingest API (`/api/v1/workspace/logs`, `/logs/bulk`, `/logs/validate`). The seed names a
 * bulk limit and a per-log size (`plan.max_batch_size`, `plan.max_log_size`) without numbers: these
 * defaults are loglake's.
 */
export const logtrailConfig = z.object({
  /** Logs per `/logs/bulk` (and array `/logs/validate`) request; beyond it `VALIDATION_BULK_LIMIT_EXCEEDED`. */
  max_bulk: z.number().int().positive().default(1000),
  /** One log, as its JSON text. */
  max_log_bytes: z.number().int().positive().default(64 * 1024),
  max_body_bytes: z.number().int().positive().default(8 * 1024 * 1024),
  /** Ingest requests waiting on the bus at once; beyond this the API answers 429 (backpressure, not memory). */
  max_in_flight: z.number().int().positive().default(256),
  /** For a log without `environment` whose key may write anywhere; a key scoped to one environment uses that one. */
  default_environment: z.enum(ENVIRONMENTS).default('production'),
});

export type LogtrailConfig = z.infer<typeof logtrailConfig>;
