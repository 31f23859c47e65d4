import { z } from 'zod';

/** Limits from the GoodLogs API document; raising them makes loglake accept what GoodLogs would refuse. */
export const goodlogsConfig = z.object({
  max_batch: z.number().int().positive().default(500),
  max_body_bytes: z.number().int().positive().default(2 * 1024 * 1024),
  max_message_bytes: z.number().int().positive().default(64 * 1024),
  /** Ingest requests waiting on the bus at once; beyond this the API answers 429 (backpressure, not memory). */
  max_in_flight: z.number().int().positive().default(256),
  default_environment: z.enum(['production', 'staging', 'development']).default('production'),
  /** Origins whose browser pages may send events with a public key (`*`: any); any other origin gets 403. */
  cors: z.object({ allowed_origins: z.array(z.string()).default(['*']) }).prefault({}),
});

export type GoodlogsConfig = z.infer<typeof goodlogsConfig>;
