import { z } from 'zod';

export const samplingConfig = z.object({
  /** Share of records kept, 0–1; 1 keeps everything. */
  ratio: z.number().min(0).max(1).default(1),
  /** Logs at `error` and `fatal` are always kept unless this is true. */
  sample_errors: z.boolean().default(false),
});

export type SamplingConfig = z.infer<typeof samplingConfig>;
