// Conversion of what a SQL runner hands back into JSON values. Runners differ: @duckdb/node-api's
// getRowObjectsJS gives Date/bigint/[{key,value}] maps, getRowObjectsJson gives strings, raw readers give
// DuckDB value objects. Accept all of them so the engine can choose.

/** Counts arrive as BIGINT (JS bigint or string); responses need plain numbers. */
export function toNumber(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  if (typeof v === 'object' && v !== null && 'toDouble' in v && typeof v.toDouble === 'function') {
    return Number(v.toDouble());
  }
  return Number(v);
}

const SQL_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Microsecond-precise UTC text `YYYY-MM-DDTHH:mm:ss.ssssssZ` (trailing zero micros dropped). */
function preciseIso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object' && 'micros' in v && typeof v.micros === 'bigint') {
    const micros = v.micros;
    const ms = new Date(Number(micros / 1000n)).toISOString();
    const extra = Number(((micros % 1000n) + 1000n) % 1000n);
    return extra === 0 ? ms : `${ms.slice(0, -1)}${String(extra).padStart(3, '0')}Z`;
  }
  if (typeof v === 'string') {
    const m = SQL_TIMESTAMP.exec(v);
    if (!m) return new Date(v).toISOString();
    const zone = !m[4] || m[4] === 'Z' ? 'Z' : m[4].length === 3 ? `${m[4]}:00` : m[4];
    const fraction = (m[3] ?? '').padEnd(6, '0').slice(0, 6);
    const date = new Date(`${m[1]}T${m[2]}.${fraction.slice(0, 3)}${zone}`);
    const extra = fraction.slice(3);
    return extra === '000' ? date.toISOString() : `${date.toISOString().slice(0, -1)}${extra}Z`;
  }
  if (typeof v === 'number') return new Date(v).toISOString();
  return null;
}

/** `YYYY-MM-DDTHH:mm:ss.sssZ` for responses (section 14). */
export function toIso(v: unknown): string | null {
  const precise = preciseIso(v);
  return precise === null ? null : precise.replace(/(\.\d{3})\d+Z$/, '$1Z');
}

/** Cursor timestamps keep microseconds so keyset pagination neither skips nor repeats rows. */
export function toCursorTs(v: unknown): string | null {
  return preciseIso(v);
}

/** MAP values as entries, whatever the runner produced. */
export function mapEntries(v: unknown): [string, unknown][] {
  if (v === null || v === undefined) return [];
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => [String(k), x]);
  if (Array.isArray(v)) {
    return v.map((e: { key: unknown; value: unknown }) => [String(e.key), e.value] as [string, unknown]);
  }
  if (typeof v === 'object' && 'entries' in v && Array.isArray(v.entries)) return mapEntries(v.entries);
  if (typeof v === 'object') return Object.entries(v);
  return [];
}

export function toList(v: unknown): unknown[] | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v;
  if (typeof v === 'object' && 'items' in v && Array.isArray(v.items)) return v.items;
  return null;
}

export function toBool(v: unknown): boolean | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'boolean' ? v : v === 'true' || v === 1;
}

export function toText(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

/** A property as stored: each key lives in exactly one of the typed maps. */
export function typedValue(s: unknown, n: unknown, b: unknown): string | number | boolean | null {
  if (s !== null && s !== undefined) return String(s);
  if (n !== null && n !== undefined) return toNumber(n);
  if (b !== null && b !== undefined) return toBool(b);
  return null;
}
