import type { z } from 'zod';
import { ApiError } from '../../core/errors.js';

/** A request's members (body or query string) checked against `schema`: the first problem is a 400 in the surface's `code`. */
export function membersOf<T>(schema: z.ZodType<T>, value: unknown, what: string, code: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.join('.') || 'body';
  throw new ApiError(400, code, `${what}: ${field}: ${issue.message}`, { field });
}

/** A query request is a handful of short members; a body past this is not one. */
export const QUERY_BODY_LIMIT = 64 * 1024;
