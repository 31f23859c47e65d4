import { z } from 'zod';
import { ENVIRONMENTS } from '../../core/records.js';
import type { KeyFamily, NewKey } from './store.js';

/** The scopes each family's API checks; `*` grants them all. */
const FAMILY_SCOPES: Record<KeyFamily, readonly string[]> = {
  goodlogs: ['data:read', 'alerts:read', 'alerts:write', 'ingest:write', 'ai:chat'],
  logtrail: ['logs:read', 'logs:write', 'rw'],
  logtrace: ['logs:read', 'logs:write', 'read:logs', 'write:logs'],
  posthog: ['logs:read', 'logs:write'],
};

/** A secret key given no scopes gets all its API has (each permission once, in one spelling). */
const DEFAULT_SCOPES: Record<KeyFamily, readonly string[]> = {
  goodlogs: FAMILY_SCOPES.goodlogs,
  logtrail: ['logs:read', 'logs:write'],
  logtrace: ['logs:read', 'logs:write'],
  posthog: ['logs:read', 'logs:write'],
};

/** A public key's text ships to browsers, so it may only send data, never read it. */
const PUBLIC_SCOPES = ['ingest:write'];

/** Names every environment in a key request (`--environments all` on the command line). */
export const ALL_ENVIRONMENTS = '*';

/** Families whose seeds scope each key to environments, and the scopes that let a key write. */
const ENVIRONMENT_SCOPED: readonly KeyFamily[] = ['logtrail', 'logtrace'];
const WRITE_SCOPES = ['logs:write', 'rw', 'write:logs', '*'];

/** The request to create a key, from the admin API or the CLI. */
export const keyRequest = z.strictObject({
  kind: z.enum(['public', 'secret']),
  format: z.enum(['goodlogs', 'logtrail', 'logtrace', 'posthog']),
  scopes: z.array(z.string()).min(1).optional(),
  /** null, absent or `["*"]`: every environment (Logtrail and LogTrace keys default to production instead). */
  environments: z.array(z.enum([...ENVIRONMENTS, ALL_ENVIRONMENTS])).min(1).nullable().optional(),
  region: z.string().regex(/^[a-z0-9]+$/, 'lower-case letters and digits').optional(),
  name: z.string().trim().min(1).max(100).optional(),
});

export type KeyRequest = z.infer<typeof keyRequest>;

export type KeySpecResult = { ok: true; spec: NewKey } | { ok: false; message: string };

/** Validates a key request and fills its defaults: the one place that decides what a new key may be. */
export function keySpec(input: unknown, target: { orgId: string; projectId: string; defaultRegion: string }): KeySpecResult {
  const parsed = keyRequest.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `${issue.path.join('.') || 'body'}: ${issue.message}` };
  }
  const { kind, format: family, name } = parsed.data;
  if (kind === 'public' && family !== 'goodlogs') return { ok: false, message: 'kind: public keys exist in the goodlogs format only' };
  const allowed = kind === 'public' ? PUBLIC_SCOPES : [...FAMILY_SCOPES[family], '*'];
  const scopes = [...new Set(parsed.data.scopes ?? (kind === 'public' ? PUBLIC_SCOPES : DEFAULT_SCOPES[family]))];
  const unknown = scopes.filter((s) => !allowed.includes(s));
  if (unknown.length > 0) return { ok: false, message: `scopes: ${unknown.join(', ')} not allowed on a ${kind} ${family} key (allowed: ${allowed.join(', ')})` };
  const named = parsed.data.environments;
  let environments = !named || named.includes(ALL_ENVIRONMENTS) ? null : [...new Set(named)];
  if (ENVIRONMENT_SCOPED.includes(family)) {
    // A record is written to one environment, so a key that writes names exactly that one; a reader
    // may look across several (Logtrail's `environments` filter) or all of them.
    if (!named) environments = ['production'];
    if (scopes.some((s) => WRITE_SCOPES.includes(s)) && environments?.length !== 1) {
      return { ok: false, message: `environments: a ${family} key that writes is scoped to exactly one environment (a read-only key may name several, or "*")` };
    }
  }
  return {
    ok: true,
    spec: {
      org_id: target.orgId,
      project_id: target.projectId,
      family,
      kind,
      scopes,
      environments,
      region: parsed.data.region ?? target.defaultRegion,
      name: name ?? `${family} ${kind}`,
    },
  };
}
