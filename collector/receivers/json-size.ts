/**
 * Whether `JSON.stringify(value)` is surely at most `limit` bytes of UTF-8, from a walk that adds up an
 * upper bound of each part instead of rendering it: a per-record size limit then costs a stringify only for
 * the records near it. False means "not sure": the caller measures exactly.
 *
 * Bounds: a string's UTF-16 unit takes at most 6 bytes (`\u001f`, a lone surrogate's `\ud800`; otherwise
 * at most 3 of UTF-8), a number at most 25 characters (`-0.0000012345678901234567`), quotes, colons and
 * commas one byte each. Nesting beyond `MAX_DEPTH` is left to the exact measure, so that its failures
 * (JSON.stringify's own stack limit) stay the same.
 */
export function jsonBytesAtMost(value: unknown, limit: number): boolean {
  return bound(value, limit, 0) <= limit;
}

const MAX_DEPTH = 32;
const NUMBER = 25;

/** The bound of `value`, or something above `budget` as soon as it is past it. */
function bound(value: unknown, budget: number, depth: number): number {
  switch (typeof value) {
    case 'string':
      return 2 + 6 * value.length;
    case 'number':
      return NUMBER;
    case 'boolean':
      return 5;
    case 'object':
      break;
    default:
      // undefined, functions and symbols: not in parsed JSON.
      return Infinity;
  }
  if (value === null) return 4;
  // A Date (or any toJSON) renders as something else than its keys: not from JSON.parse, measured exactly.
  if (depth >= MAX_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === 'function') return Infinity;
  let total = 2;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && total <= budget; i++) total += 1 + bound(value[i], budget - total, depth + 1);
    return total;
  }
  const bag = value as Record<string, unknown>;
  for (const k in bag) {
    total += 4 + 6 * k.length + bound(bag[k], budget - total, depth + 1);
    if (total > budget) return total;
  }
  return total;
}
