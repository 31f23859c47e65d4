import { z } from 'zod';

export const useragentConfig = z.object({
  /** Distinct user agents remembered; parsing is the costly part and agents repeat. */
  cache_size: z.number().int().min(0).default(10_000),
  /** Client-sent `$browser`/`$os`/`$device` win over the parsed header (SDKs know better). */
  keep_client_values: z.boolean().default(true),
});

export type UseragentConfig = z.infer<typeof useragentConfig>;
