import type { AnyValue, Int64, KeyValue } from './proto.js';

/** OTLP `AnyValue`s as loglake property values. */

export function int64(value: Int64 | null | undefined, signed: boolean): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'object') {
    const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
    return signed ? BigInt.asIntN(64, bits) : bits;
  }
  return BigInt(value);
}

/**
 * Scalars keep their type (an int beyond 2^53 becomes its decimal text rather than a rounded number; bytes
 * become base64); arrays stay arrays and kvlists nested objects, which the flatten processor turns into
 * JSON text and dot paths. An empty value is null (absent).
 */
export function fromAnyValue(value: AnyValue | null | undefined): unknown {
  switch (value?.value) {
    case 'stringValue':
      return value.stringValue;
    case 'boolValue':
      return value.boolValue;
    case 'intValue': {
      const n = int64(value.intValue, true);
      return Number.isSafeInteger(Number(n)) ? Number(n) : n.toString();
    }
    case 'doubleValue':
      return value.doubleValue;
    case 'bytesValue':
      return Buffer.from(value.bytesValue ?? []).toString('base64');
    case 'arrayValue':
      return (value.arrayValue?.values ?? []).map(fromAnyValue);
    case 'kvlistValue':
      return fromKeyValues(value.kvlistValue?.values);
    default:
      return null;
  }
}

/** Later duplicates win; `Object.fromEntries` defines keys, so a `__proto__` key stays a plain key. */
export function fromKeyValues(list: KeyValue[] | null | undefined): Record<string, unknown> {
  const entries: [string, unknown][] = [];
  for (const kv of list ?? []) if (kv.key) entries.push([kv.key, fromAnyValue(kv.value)]);
  return Object.fromEntries(entries);
}

/** Resource attributes are stored as text: structured ones as JSON. */
export function stringifyValues(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]),
  );
}
