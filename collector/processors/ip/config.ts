import { z } from 'zod';

export const ipConfig = z.object({
  /** Proxy addresses whose X-Forwarded-For is believed; from anyone else the header is ignored. */
  trusted_proxies: z.array(z.string()).default(['127.0.0.1', '::1', '::ffff:127.0.0.1']),
  keep_client_values: z.boolean().default(false),
});

export type IpConfig = z.infer<typeof ipConfig>;
