import { z } from 'zod';

export const busExporterConfig = z.object({
  /** Publish attempts (same de-duplication id each time) before the batch is refused. */
  attempts: z.number().int().min(1).max(10).default(3),
});

export type BusExporterConfig = z.infer<typeof busExporterConfig>;
