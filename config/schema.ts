import { z } from 'zod';
import { plansSchema } from './plans.js';

/**
 * loglake.yaml: the OpenTelemetry Collector's shape (receivers, processors, exporters, service.pipelines)
 * plus loglake's own sections. Every key has a default, so an empty file (or none) is a working config.
 * Component sections stay `unknown` here: each component's factory validates its own block.
 */

const componentBlock = z.record(z.string(), z.unknown());

const pipelineSchema = z.object({
  receivers: z.array(z.string()).min(1),
  processors: z.array(z.string()).default([]),
  exporters: z.array(z.string()).min(1),
});

type Pipeline = z.infer<typeof pipelineSchema>;

const DEFAULT_PIPELINES: Record<'logs' | 'events', Pipeline> = {
  logs: { receivers: ['goodlogs', 'logtrail', 'logtrace', 'otlp', 'logstash'], processors: ['severity', 'flatten', 'useragent', 'ip'], exporters: ['bus'] },
  events: { receivers: ['goodlogs'], processors: ['flatten', 'useragent', 'ip'], exporters: ['bus'] },
};

/**
 * Without a `service` section, the default pipelines keep only the components the config has, so a file
 * that lists its own receivers or processors works without restating the pipelines.
 */
function defaultPipelines(c: { receivers: Record<string, unknown>; processors: Record<string, unknown>; exporters: Record<string, unknown> }) {
  const pipelines: Partial<Record<'logs' | 'events', Pipeline>> = {};
  for (const [signal, p] of Object.entries(DEFAULT_PIPELINES) as ['logs' | 'events', Pipeline][]) {
    const receivers = p.receivers.filter((id) => id in c.receivers);
    const exporters = p.exporters.filter((id) => id in c.exporters);
    if (receivers.length && exporters.length) pipelines[signal] = { receivers, processors: p.processors.filter((id) => id in c.processors), exporters };
  }
  return pipelines;
}

export const configObject = z.object({
  receivers: componentBlock.default({ goodlogs: {}, logtrail: {}, logtrace: {}, otlp: {}, logstash: {} }),
  processors: componentBlock.default({ severity: {}, flatten: {}, useragent: {}, ip: {} }),
  exporters: componentBlock.default({ bus: {} }),
  service: z.object({ pipelines: z.partialRecord(z.enum(['logs', 'events']), pipelineSchema) }).optional(),
  http: z
    .object({
      host: z.string().default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(8080),
      /** Fastify's own cap; each API enforces its documented limit below this. */
      body_limit_bytes: z.number().int().positive().default(16 * 1024 * 1024),
    })
    .prefault({}),
  storage: z
    .object({
      data_dir: z.string().default('./data'),
      /**
       * The Parquet lake and its manifest; default `<data_dir>/lake`. Every process over one lake names the
       * same directory (one machine, or a shared file system); the data dir keeps each process's own state.
       */
      lake_dir: z.string().optional(),
      bus: z
        .object({
          /** `auto`: JetStream when a NATS server is named (here or by NATS_URL), the embedded bus otherwise. */
          kind: z.enum(['auto', 'jetstream', 'embedded']).default('auto'),
          /** One NATS server, or several of one cluster separated by commas (`n1:4222,n2:4222,n3:4222`). */
          nats_url: z.string().optional(),
          /**
           * Copies JetStream keeps of the stream and of the metadata and catalog buckets: 1 on one server, 3 on a
           * 3-node cluster (at most the cluster's size).
           */
          replicas: z.number().int().min(1).max(5).default(1),
          /** Also names the KV buckets of the metadata and the schema catalog: `<stream lowercased>-meta`, `-catalog`. */
          stream: z.string().regex(/^[A-Za-z0-9_-]+$/).default('LOGLAKE'),
          subject_prefix: z.string().regex(/^[A-Za-z0-9_-]+$/).default('loglake'),
          consumer: z.string().regex(/^[A-Za-z0-9_-]+$/).default('loglake-writer'),
          /** How long the bus remembers message ids: a request re-sent within it (same Idempotency-Key, or same body) is stored once. */
          duplicate_window_seconds: z.number().int().positive().default(120),
          max_age_hours: z.number().positive().default(72),
          /**
           * How long JetStream waits for a writer's ack before redelivering. A live writer keeps what it holds
           * "in progress", so this only bounds how long a killed writer's messages wait for the next one.
           */
          ack_wait_seconds: z.number().int().positive().default(10),
        })
        .prefault({}),
      writer: z
        .object({
          /** A record is queryable about this long after its 202 (plus the write itself). */
          flush_interval_ms: z.number().int().positive().default(500),
          /** Flush a partition early when it holds this many rows. */
          max_buffered_rows: z.number().int().positive().default(200_000),
          max_pending_messages: z.number().int().positive().default(1000),
          /** `GET /ready` answers 503 while messages wait and the writer has committed nothing for this long. */
          max_lag_ms: z.number().int().positive().default(30_000),
        })
        .prefault({}),
      compaction: z
        .object({
          enabled: z.boolean().default(true),
          interval_ms: z.number().int().positive().default(30_000),
          /** A partition is compacted once it holds at least this many files. */
          min_files: z.number().int().min(2).default(8),
          /** Files of this many rows or more are left alone, and no merge writes more. */
          target_rows: z.number().int().positive().default(2_000_000),
          /** Hour partitions older than this many days are dropped (by the real clock); 0 keeps everything. */
          retention_days: z.number().int().nonnegative().default(0),
          /** Replaced files are deleted after this grace, so queries already reading them finish. */
          delete_grace_ms: z.number().int().nonnegative().default(60_000),
        })
        .prefault({}),
    })
    .prefault({}),
  query: z
    .object({
      /** Pins the query clock (ISO instant): reproducible reports and tests. */
      now: z.string().optional(),
      timeout_ms: z.number().int().positive().default(30_000),
      max_concurrent: z.number().int().positive().default(4),
      threads: z.number().int().positive().optional(),
      memory_limit: z.string().default('2GB'),
    })
    .prefault({}),
  alerts: z
    .object({
      enabled: z.boolean().default(true),
      check_interval_override_seconds: z.number().positive().optional(),
      /** Where users reach this loglake; links in notifications start with it (default: http://localhost:<http.port>). */
      public_url: z.url({ protocol: /^https?$/ }).optional(),
      destinations: z
        .object({
          /**
           * Whether webhook and Slack destinations may be loopback or private addresses. Allowed by default: a
           * self-hosted loglake's receivers (a chat relay, an incident tool) often live on the same private
           * network. Set false where users who write rules must not reach that network. Link-local addresses
           * (cloud metadata, 169.254.169.254) are refused either way.
           */
          allow_private: z.boolean().default(true),
        })
        .prefault({}),
    })
    .prefault({}),
  ai: z
    .object({
      /**
       * Who turns natural language into GQL (`POST /v1/gql/nl`): `offline`, a deterministic translator that
       * knows the project's schema and needs no network, or `openai`, any OpenAI-compatible chat-completions API.
       */
      provider: z.enum(['offline', 'openai']).default('offline'),
      /** The API's base URL (`openai`); `/chat/completions` is appended. */
      base_url: z.url({ protocol: /^https?$/ }).default('https://api.openai.com/v1'),
      model: z.string().min(1).default('gpt-4o-mini'),
      /** The environment variable holding the API key (`openai`); the key itself never goes in the file. */
      api_key_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default('OPENAI_API_KEY'),
      timeout_ms: z.number().int().positive().default(20_000),
    })
    .prefault({}),
  plans: plansSchema,
  auth: z
    .object({
      /** `closed`: no one signs up alone; a member of an organization adds users to it (with their session token). */
      signup: z.enum(['open', 'closed']).default('open'),
    })
    .prefault({}),
  bootstrap: z
    .object({
      region: z.string().regex(/^[a-z0-9]+$/).default('eu'),
      admin_email: z.string().default('admin@loglake.local'),
    })
    .prefault({}),
  log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export const configSchema = configObject.transform((c) => ({ ...c, service: c.service ?? { pipelines: defaultPipelines(c) } }));

export type Config = z.infer<typeof configSchema>;
