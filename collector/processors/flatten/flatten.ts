import type { Properties, PropertyValue } from '../../../core/records.js';
import { countDroppedKeys } from '../dropped-keys.js';
import type { FlattenConfig } from './config.js';

interface Walk {
  out: Record<string, PropertyValue>;
  count: number;
  dropped: number;
  limits: FlattenConfig;
}

// Module-level functions, not closures per call: the hot path flattens every record of every batch.
function put(w: Walk, key: string, value: PropertyValue): void {
  if (!(key in w.out)) {
    if (w.count >= w.limits.max_keys) {
      w.dropped++;
      return;
    }
    w.count++;
  }
  w.out[key] = value;
}

function walk(w: Walk, obj: Record<string, unknown>, prefix: string, depth: number): void {
  for (const k in obj) {
    const v = obj[k];
    const key = prefix ? `${prefix}.${k}` : k;
    if (v === null || v === undefined) continue;
    if (typeof v === 'string' || typeof v === 'boolean') put(w, key, v);
    else if (typeof v === 'number') put(w, key, Number.isFinite(v) ? v : String(v));
    else if (Array.isArray(v)) put(w, key, JSON.stringify(v));
    else if (typeof v === 'object') {
      if (depth >= w.limits.max_depth) put(w, key, JSON.stringify(v));
      else walk(w, v as Record<string, unknown>, key, depth + 1);
    } else put(w, key, String(v));
  }
}

/** Already flat, finite and within the key bound: most records, which then need no copy. */
function isFlat(props: Properties, maxKeys: number): boolean {
  let n = 0;
  for (const k in props) {
    const v = props[k];
    if (++n > maxKeys) return false;
    if (typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number' && Number.isFinite(v)) continue;
    return false;
  }
  return true;
}

/**
 * Nested objects become dot-path keys (`{"http":{"status":500}}` → `http.status`); a key that already has
 * a dot stays as it is; arrays become their JSON text; nulls are dropped. Bounded in depth and key count.
 */
export function flattenProperties(props: Properties, limits: FlattenConfig): Record<string, PropertyValue> {
  if (isFlat(props, limits.max_keys)) return props as Record<string, PropertyValue>;
  const w: Walk = { out: {}, count: 0, dropped: 0, limits };
  walk(w, props, '', 1);
  countDroppedKeys(w.out, w.dropped);
  return w.out;
}
