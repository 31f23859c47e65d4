import { z } from 'zod';

/**
 * Per-record bounds, so that one bad sender cannot bloat the lake. What is cut is named in the record's
 * `_truncated` property (`message`, `properties`, `tags`, `resource`, comma-separated); dropped property
 * keys are counted in `_dropped_keys`, as flatten counts its own. Run it after flatten: before, a nested
 * object is one key and its strings are not yet values.
 */
export const limitsConfig = z.object({
  /** Cut on a character boundary. The HTTP APIs and Logstash refuse records this large already; OTLP does not. */
  max_message_bytes: z.number().int().min(1).default(64 * 1024),
  /** String property values, cut likewise. */
  max_property_value_bytes: z.number().int().min(1).default(16 * 1024),
  /** Keys past this many (in the order sent) are dropped; flatten's `max_keys` default. */
  max_properties: z.number().int().min(1).default(512),
  /** Tags past this many are dropped. */
  max_tags: z.number().int().min(0).default(100),
  /** Resource attributes past this many are dropped. */
  max_resource_attributes: z.number().int().min(0).default(128),
});

export type LimitsConfig = z.infer<typeof limitsConfig>;
