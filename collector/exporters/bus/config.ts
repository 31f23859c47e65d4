import { z } from 'zod';

export const busExporterConfig = z.object({
  /** Publish attempts (same de-duplication id each time) before the batch is refused. */
  attempts: z.number().int().min(1).max(10).default(3),
  /**
   * How long a batch may wait for the bus to confirm it, attempts included. Past it the sender is told the
   * batch may or may not be stored (503 with Retry-After, gRPC UNAVAILABLE) and retries it safely.
   */
  timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
});

export type BusExporterConfig = z.infer<typeof busExporterConfig>;
