// The members of a PostHog-style request: the `query` object of a POST body, its filters and its cursor.
import { ApiError } from '../../../core/errors.js';
import { decodeCursor, QueryError, type RequestParams } from '../../language/index.js';

export type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The body's `query` object. `query` and `export` need one ("No query provided", as PostHog answers); the
 * aggregate routes default to no filters, as PostHog's do.
 */
export function queryMember(body: unknown, required: boolean): Json {
  const query = isObject(body) ? body.query : undefined;
  if (query === undefined || query === null) {
    if (required) throw new ApiError(400, 'VALIDATION_ERROR', 'No query provided');
    return {};
  }
  if (!isObject(query)) throw new ApiError(400, 'VALIDATION_ERROR', 'query must be an object');
  return query;
}

/** PostHog's `after` (the `nextCursor` of the previous page) as the dialect's keyset cursor. */
export function afterCursor(after: unknown): RequestParams {
  if (after === undefined || after === null || after === '') return {};
  try {
    if (typeof after !== 'string') throw new TypeError('not a string');
    const cursor = decodeCursor(after);
    return { cursorTS: cursor.ts, cursorID: cursor.id };
  } catch {
    throw new QueryError('VALIDATION_QUERY_SYNTAX', 'Invalid cursor in after: pass the nextCursor of the previous page', {
      details: { dialect: 'structured', path: '/after', found: after },
    });
  }
}

/** A member that must be one of `choices` when present. */
export function choiceMember<T extends string>(query: Json, name: string, choices: readonly T[]): T | null {
  const value = query[name];
  if (value === undefined || value === null) return null;
  if (!choices.includes(value as T)) {
    throw new QueryError('VALIDATION_QUERY_SYNTAX', `${name} must be one of ${choices.join(', ')}`, {
      details: { dialect: 'structured', path: `/${name}`, found: value },
    });
  }
  return value as T;
}
