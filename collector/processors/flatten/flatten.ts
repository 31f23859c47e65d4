import type { Properties, PropertyValue } from '../../../core/records.js';
import type { FlattenConfig } from './config.js';

/**
 * Nested objects become dot-path keys (`{"http":{"status":500}}` → `http.status`); a key that already has
 * a dot stays as it is; arrays become their JSON text; nulls are dropped. Bounded in depth and key count.
 */
export function flattenProperties(props: Properties, limits: FlattenConfig): Record<string, PropertyValue> {
  const out: Record<string, PropertyValue> = {};
  let count = 0;
  let dropped = 0;
  const put = (key: string, value: PropertyValue) => {
    if (count >= limits.max_keys && !(key in out)) {
      dropped++;
      return;
    }
    if (!(key in out)) count++;
    out[key] = value;
  };
  const walk = (obj: Record<string, unknown>, prefix: string, depth: number) => {
    for (const k in obj) {
      const v = obj[k];
      const key = prefix ? `${prefix}.${k}` : k;
      if (v === null || v === undefined) continue;
      if (typeof v === 'string' || typeof v === 'boolean') put(key, v);
      else if (typeof v === 'number') put(key, Number.isFinite(v) ? v : String(v));
      else if (Array.isArray(v)) put(key, JSON.stringify(v));
      else if (typeof v === 'object') {
        if (depth >= limits.max_depth) put(key, JSON.stringify(v));
        else walk(v as Record<string, unknown>, key, depth + 1);
      } else put(key, String(v));
    }
  };
  walk(props, '', 1);
  if (dropped > 0) out._dropped_keys = dropped;
  return out;
}
