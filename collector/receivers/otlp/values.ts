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
 * Unsigned nanoseconds as whole microseconds, without BigInt for the `Long` form every protobuf record
 * has (BigInt arithmetic was a sixth of mapping a record): high·2^32/1000 = high·4,294,967 + high·296/1000,
 * every product exact in a double for any time before the year 2255.
 */
export function microsOf(value: Int64 | null | undefined): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'object') {
    const high = value.high >>> 0;
    return high * 4_294_967 + Math.floor((high * 296 + (value.low >>> 0)) / 1000);
  }
  return Number(int64(value, false) / 1000n);
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

/** Later duplicates win. A `__proto__` key is defined, not assigned, so it stays a plain key and never a prototype. */
export function fromKeyValues(list: KeyValue[] | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!list) return out;
  for (const kv of list) {
    const key = kv.key;
    if (!key) continue;
    if (key === '__proto__') Object.defineProperty(out, key, { value: fromAnyValue(kv.value), enumerable: true, writable: true, configurable: true });
    else out[key] = fromAnyValue(kv.value);
  }
  return out;
}

/** Resource attributes are stored as text: structured ones as JSON. */
export function stringifyValues(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]),
  );
}
