import { z } from 'zod';
import { SEVERITIES } from '../../../core/records.js';

export const severityConfig = z.object({
  /**
   * Properties that may name the level, looked at in order; the first whose value names a level wins. A
   * dotted name matches the literal key or the nested path (`log.level` or `{"log": {"level": …}}`), so the
   * processor may run before or after flatten.
   */
  from_properties: z.array(z.string().min(1)).min(1).default(['level', 'log.level', 'severity', 'levelname', 'loglevel']),
  /**
   * Words (case-insensitive) beyond those every receiver knows, and numbers that are not OTel's:
   * `{ notice: info, crit: fatal, "3": error }` (syslog's 3 is an error, OTel's 3 a trace).
   */
  map: z.record(z.string(), z.enum(SEVERITIES)).default({}),
  /** Removes the property the level was read from; off by default, so what was sent stays searchable. */
  remove_property: z.boolean().default(false),
  /**
   * false: only records whose receiver found no level and used its default (OTLP without a severity,
   * Logstash without a readable `level`); a level the sender gave is never replaced. true: every log whose
   * properties name a level takes it.
   */
  override: z.boolean().default(false),
});

export type SeverityConfig = z.infer<typeof severityConfig>;
