import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { KeyFamily, KeyKind } from './store.js';

export function hashKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('hex')}$${scryptSync(password, salt, 32).toString('hex')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'hex');
  const actual = scryptSync(password, Buffer.from(salt, 'hex'), expected.length);
  return timingSafeEqual(expected, actual);
}

const LOGTRAIL_TYPE: Record<string, string> = { 'logs:read': 'ro', 'logs:write': 'wo' };

/**
 * The key text in each seed family's format:
 * GoodLogs `gl_pk_{region}_…`/`gl_sk_{region}_…`, Logtrail `lt_{env}_{ro|wo|rw}_…`, LogTrace `lt_live_…`,
 * PostHog-style personal keys `phx_…`.
 */
export function formatKey(family: KeyFamily, kind: KeyKind, opts: { region: string | null; environments: string[] | null; scopes: string[] }): string {
  const random = randomToken(16);
  switch (family) {
    case 'goodlogs':
      return `gl_${kind === 'public' ? 'pk' : 'sk'}_${opts.region ?? 'eu'}_${random}`;
    case 'logtrail': {
      const type = opts.scopes.length === 1 && LOGTRAIL_TYPE[opts.scopes[0]] ? LOGTRAIL_TYPE[opts.scopes[0]] : 'rw';
      // A reader over several environments has no one name for the slot; `all`/`multi` say so.
      const env = opts.environments === null ? 'all' : opts.environments.length === 1 ? opts.environments[0] : 'multi';
      return `lt_${env}_${type}_${random}`;
    }
    case 'logtrace':
      return `lt_live_${random}`;
    case 'posthog':
      return `phx_${randomToken(20)}`;
  }
}
