import { z } from 'zod';
import { ENVIRONMENTS } from '../../../core/records.js';

const listener = (port: number) =>
  z
    .object({
      host: z.string().default('0.0.0.0'),
      /** 0 picks a free port (tests read the bound one back). */
      port: z.number().int().min(0).max(65535).default(port),
    })
    .prefault({});

/** The OTLP logs receiver: OTLP/HTTP (protobuf and JSON) and OTLP/gRPC, each on its own port. */
export const otlpConfig = z.object({
  http: listener(4318),
  grpc: listener(4317),
  auth: z
    .object({
      /** Off only on a trusted network: every request then lands in `project`. */
      enabled: z.boolean().default(true),
    })
    .prefault({}),
  /** The project of unauthenticated requests (when `auth.enabled` is false). */
  project: z.string().min(1).default('default'),
  /** Used when a resource's `deployment.environment(.name)` is absent or not a loglake environment. */
  default_environment: z.enum(ENVIRONMENTS).default('production'),
  /** Decompressed request size: a gzip bomb stops here, not in memory. */
  max_request_bytes: z.number().int().positive().default(16 * 1024 * 1024),
  /** Log records per request; SDK batch processors send 512 by default, the Collector's batcher 8192. */
  max_records: z.number().int().positive().default(10_000),
  /** Requests waiting on the bus at once; beyond this senders are told to back off (429 / UNAVAILABLE). */
  max_in_flight: z.number().int().positive().default(256),
  /** Seconds a throttled or refused sender is asked to wait (`Retry-After`, gRPC `RetryInfo`). */
  retry_after_seconds: z.number().int().positive().default(1),
});

export type OtlpConfig = z.infer<typeof otlpConfig>;
