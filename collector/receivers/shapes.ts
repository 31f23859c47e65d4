import { isObject } from '../../core/doc-fields.js';

/*
 * The shape checks the receivers' hand-written item checks share: each one passes exactly the JSON values
 * its zod counterpart passes, so an item that fits is used as sent and any other goes through the schema,
 * which words the rejection.
 */

/** `z.number()`: zod's numbers are finite, and JSON's `1e400` parses to Infinity. */
export function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** `z.string().nullish()` */
export function isText(v: unknown): boolean {
  return v === undefined || v === null || typeof v === 'string';
}

/** `z.array(z.string())` */
export function isStrings(v: unknown): v is string[] {
  if (!Array.isArray(v)) return false;
  for (const t of v) if (typeof t !== 'string') return false;
  return true;
}

/** `z.array(z.string()).nullish()` */
export function isTags(v: unknown): boolean {
  return v === undefined || v === null || isStrings(v);
}

/** A plain-object check (`z.custom` of one) that is `.nullish()`. */
export function isBagOrNone(v: unknown): boolean {
  return v === undefined || v === null || isObject(v);
}

/**
 * `z.record(z.string(), z.unknown())` on a parsed JSON object. The record's output is a copy without an own
 * `__proto__` key (JSON.parse makes one of `"__proto__"`): an object that has one goes through the schema
 * instead, which makes that copy; one lookup, where the schema checks every key.
 */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return isObject(v) && !Object.hasOwn(v, '__proto__');
}
