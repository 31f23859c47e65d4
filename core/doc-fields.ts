export type Doc = Record<string, unknown>;

export function isObject(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Removes and returns the field at `path` when `convert` accepts its value; a value it refuses stays where
 * it is (so it still reaches the properties). Shippers write a nested field either way, as the literal key
 * `log.level` or as `{"log": {"level": …}}`, so both are looked at. Nested objects are copied, not mutated.
 */
export function take<T>(doc: Doc, path: readonly string[], convert: (value: unknown) => T | null): T | null {
  const dotted = path.join('.');
  if (Object.hasOwn(doc, dotted)) {
    const value = convert(doc[dotted]);
    if (value !== null) {
      delete doc[dotted];
      return value;
    }
  }
  if (path.length < 2) return null;
  const parent = doc[path[0]];
  if (!isObject(parent)) return null;
  const copy = { ...parent };
  const value = take(copy, path.slice(1), convert);
  if (value === null) return null;
  if (Object.keys(copy).length === 0) delete doc[path[0]];
  else doc[path[0]] = copy;
  return value;
}

/** The first of `paths` that `take` accepts. */
export function takeFirst<T>(doc: Doc, paths: readonly (readonly string[])[], convert: (value: unknown) => T | null): T | null {
  for (const path of paths) {
    const value = take(doc, path, convert);
    if (value !== null) return value;
  }
  return null;
}
