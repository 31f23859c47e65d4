import { z } from 'zod';
import { ENVIRONMENTS } from '../../../core/records.js';

/** The LogTrace ingest API (`POST /v1/logs/ingest`). Only the batch limit is the seed's; the byte limits are loglake's. */
export const logtraceConfig = z.object({
  /** "Supports up to 5,000 events per request." */
  max_batch: z.number().int().positive().default(5000),
  max_body_bytes: z.number().int().positive().default(16 * 1024 * 1024),
  /** One record, as its JSON text: a bus message must stay under NATS's 1 MiB payload. */
  max_record_bytes: z.number().int().positive().default(64 * 1024),
  /** Ingest requests waiting on the bus at once; beyond this the API answers 429 (backpressure, not memory). */
  max_in_flight: z.number().int().positive().default(256),
  /** For a record naming no environment sent with a key that may write anywhere; a key scoped to one environment uses that one. */
  default_environment: z.enum(ENVIRONMENTS).default('production'),
});

export type LogtraceConfig = z.infer<typeof logtraceConfig>;
