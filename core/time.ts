/** The last millisecond rendered: the records of one batch mostly share theirs, and toISOString is most of the cost. */
let lastMs = NaN;
let lastIso = '';

/**
 * Microsecond-capable ISO rendering: JS Date stops at milliseconds, OTLP and DuckDB do not. `micros` is a
 * whole number (exact to the microsecond until 2^53 µs, in the year 2255).
 */
export function isoFromMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const rest = micros - ms * 1000;
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return rest === 0 ? lastIso : `${lastIso.slice(0, -1)}${String(rest).padStart(3, '0')}Z`;
}

/** Parses an ISO 8601 / RFC 3339 timestamp (a zone-less one is UTC); null when it is not one. */
export function parseInstant(text: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(text)) return null;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) || text.length === 10 ? text : `${text}Z`;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) return null;
  const date = new Date(ms);
  const [y, m, d] = text.slice(0, 10).split('-').map(Number);
  // Date.parse rolls 2026-02-30 over to March; a calendar check refuses it when no zone shift is involved.
  if (/(Z)$/i.test(zoned) && (date.getUTCFullYear() !== y || date.getUTCMonth() + 1 !== m || date.getUTCDate() !== d)) return null;
  return date.toISOString();
}
