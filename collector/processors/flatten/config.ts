import { z } from 'zod';

export const flattenConfig = z.object({
  /** Nesting deeper than this is kept as JSON text at that depth. */
  max_depth: z.number().int().min(1).max(32).default(8),
  /** Keys beyond this many per record are dropped and counted in `_dropped_keys`. */
  max_keys: z.number().int().min(1).default(512),
});

export type FlattenConfig = z.infer<typeof flattenConfig>;
