import { z } from 'zod';

/**
 * Plans: the limits a project is held to. A project created without a plan, and the bootstrap project, are
 * on `unlimited` (self-hosted users own their machine); limits apply only to projects put on a plan. Every
 * limit is optional; a plan enforces the ones it names, on every API surface, each refusal in the
 * surface's own words.
 */
export const planSchema = z.strictObject({
  /** Requests per second, per project (GoodLogs: Free 10, Starter 20, Pro 50, Team 100). */
  requests_per_second: z.number().int().positive().optional(),
  /** Ingest requests per UTC hour, per project (LogTrace: standard 10,000, enterprise 50,000). */
  ingest_requests_per_hour: z.number().int().positive().optional(),
  /** Query requests per UTC hour, per project (LogTrace: standard 2,000, enterprise 10,000). */
  query_requests_per_hour: z.number().int().positive().optional(),
  /** Logs accepted per UTC calendar month, per project (Logtrail's quota; the seed names no figures, these are loglake's). */
  logs_per_month: z.number().int().positive().optional(),
  /** AI requests (natural language → GQL) per UTC calendar month, per project (the seed names no figures, these are loglake's). */
  ai_queries_per_month: z.number().int().positive().optional(),
});

export type Plan = z.infer<typeof planSchema>;

/** The plan with no limits; its name cannot be redefined. */
export const UNLIMITED = 'unlimited';

/** GoodLogs' Free and Logtrail's Free share the name, so `free` carries both the rate and the quota. */
export const DEFAULT_PLANS: Record<string, Plan> = {
  free: { requests_per_second: 10, logs_per_month: 100_000, ai_queries_per_month: 50 },
  starter: { requests_per_second: 20, ai_queries_per_month: 500 },
  pro: { requests_per_second: 50, ai_queries_per_month: 2_000 },
  team: { requests_per_second: 100, ai_queries_per_month: 10_000 },
  standard: { ingest_requests_per_hour: 10_000, query_requests_per_hour: 2_000 },
  enterprise: { ingest_requests_per_hour: 50_000, query_requests_per_hour: 10_000 },
  developer: { logs_per_month: 1_000_000 },
  professional: { logs_per_month: 10_000_000 },
};

/** `plans:` in loglake.yaml: each entry defines (or replaces) the plan of that name; the others keep their defaults. */
export const plansSchema = z
  .record(z.string().regex(/^[a-z0-9_-]+$/, 'lower-case letters, digits, _ and -'), planSchema)
  .refine((plans) => !(UNLIMITED in plans), { message: `"${UNLIMITED}" is the plan without limits and cannot be redefined` })
  .default({})
  .transform((plans) => ({ ...DEFAULT_PLANS, ...plans }));
