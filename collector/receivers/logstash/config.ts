import { z } from 'zod';
import { ENVIRONMENTS } from '../../../core/records.js';

/**
 * A Logstash-style input on one port: newline-delimited JSON (`json_lines`) over TCP, one document (or a
 * few newline-separated ones) per UDP datagram. Lines that are not JSON become the record's `message`.
 */
export const logstashConfig = z
  .object({
    host: z.string().default('0.0.0.0'),
    port: z.number().int().min(0).max(65535).default(5000),
    tcp: z.boolean().default(true),
    udp: z.boolean().default(true),
    /** A longer line is skipped up to its newline and counted as `oversized`; the connection stays open. */
    max_line_bytes: z.number().int().positive().default(64 * 1024),
    /** Lines per batch handed to the bus (lines of several projects or clients split into several batches). */
    batch_size: z.number().int().positive().default(500),
    /** The longest a line waits for its batch to fill. */
    batch_wait_ms: z.number().int().positive().default(200),
    /** The project lines belong to unless `key_field` routes them elsewhere. */
    project: z.string().min(1).default('default'),
    /**
     * A field (a dotted path reaches into objects: `fields.api_key`) holding a loglake API key with a write
     * scope: the line goes to that key's project and environments and the field is removed. A line whose
     * field holds anything else is rejected and counted; a line without the field goes to `project`.
     */
    key_field: z.string().min(1).optional(),
    default_environment: z.enum(ENVIRONMENTS).default('production'),
    /** UDP cannot push back: while this many lines wait in memory, further datagram lines are dropped and counted. */
    udp_max_queued_lines: z.number().int().positive().default(10_000),
    /** On shutdown a batch the bus refuses is retried this long; what is still refused then is logged as lost. */
    shutdown_timeout_ms: z.number().int().positive().default(10_000),
  })
  .refine((c) => c.tcp || c.udp, { message: 'enable tcp, udp or both' });

export type LogstashConfig = z.infer<typeof logstashConfig>;
