// Opaque keyset cursors for endpoints whose clients pass one string (structured `nextCursor`).
import { syntaxError } from './errors.js';

export interface Cursor { ts: string; id: string }

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.ts, c.id]), 'utf8').toString('base64url');
}

/** The route turns a client's cursor back into `cursorTS`/`cursorID` request params. */
export function decodeCursor(text: string): Cursor {
  try {
    const [ts, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof ts === 'string' && typeof id === 'string') return { ts, id };
  } catch {
    // fall through to the validation error below
  }
  throw syntaxError('Invalid cursor', { details: { found: text, path: '/cursor' } });
}
