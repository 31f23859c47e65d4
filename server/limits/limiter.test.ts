import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PLANS } from '../../config/plans.js';
import { FileMetaStore } from '../../storage/meta/file-store.js';
import { Limiter } from './limiter.js';

const meta = new FileMetaStore(mkdtempSync(join(tmpdir(), 'loglake-limits-')));
const limits = new Limiter(meta, { ...DEFAULT_PLANS, tiny: { requests_per_second: 2, ingest_requests_per_hour: 3, logs_per_month: 10 } });
const at = (iso: string) => Date.parse(iso);

beforeAll(async () => {
  await meta.open();
  await meta.createOrg('o', 'o');
  for (const plan of ['unlimited', 'free', 'standard', 'tiny', 'gone']) await meta.createProject('o', plan, plan, plan);
});
afterAll(() => meta.close());

describe('Limiter', () => {
  it('admits everything for unlimited projects (and plans the config no longer has), without headers', () => {
    for (const project of ['unlimited', 'gone']) {
      for (let i = 0; i < 200; i++) expect(limits.admit(project, 'logs', at('2026-06-15T12:00:00Z'))).toEqual({ ok: true, headers: {} });
    }
  });

  it('holds a project to its requests per second, with headers, then lets the next second in', () => {
    const now = at('2026-06-15T12:00:00.200Z');
    for (let i = 0; i < 10; i++) {
      const a = limits.admit('free', 'events', now);
      expect(a).toMatchObject({ ok: true, headers: { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': String(9 - i) } });
    }
    const refused = limits.admit('free', 'logs', now);
    expect(refused).toMatchObject({ ok: false, refusal: 'rate' });
    expect(refused.headers).toEqual({ 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Date.parse('2026-06-15T12:00:01Z') / 1000), 'retry-after': '1' });
    expect(limits.admit('free', 'logs', now + 800).ok).toBe(true);
  });

  it('counts ingest and query requests per UTC hour apart, in the store, until the top of the hour', () => {
    const now = at('2026-06-15T12:30:00Z');
    meta.addUsage('standard', 'ingest_requests', '2026-06-15T12', 9_999);
    expect(limits.admit('standard', 'logs', now)).toMatchObject({ ok: true, headers: { 'x-ratelimit-limit': '10000', 'x-ratelimit-remaining': '0' } });
    const refused = limits.admit('standard', 'events', now);
    expect(refused).toMatchObject({ ok: false, refusal: 'rate', headers: { 'retry-after': '1800' } });
    expect(limits.admit('standard', 'query', now)).toMatchObject({ ok: true, headers: { 'x-ratelimit-limit': '2000', 'x-ratelimit-remaining': '1999' } });
    expect(limits.admit('standard', 'validate', now)).toEqual({ ok: true, headers: {} });
    expect(limits.admit('standard', 'logs', at('2026-06-15T13:00:00Z')).ok).toBe(true);
  });

  it('refuses logs once the month’s quota is used, names the quota first, and lets events through', () => {
    const now = at('2026-06-20T00:00:00Z');
    limits.recordAccepted('tiny', 'logs', 10, new Date(now));
    const refused = limits.admit('tiny', 'logs', now);
    expect(refused).toMatchObject({ ok: false, refusal: 'quota', headers: { 'x-ratelimit-limit': '10', 'x-ratelimit-reset': String(Date.parse('2026-07-01T00:00:00Z') / 1000) } });
    expect(Number(refused.headers['retry-after'])).toBe(11 * 86_400);
    expect(limits.admit('tiny', 'events', now).ok).toBe(true);
    expect(limits.admit('tiny', 'logs', at('2026-07-01T00:00:00Z')).ok).toBe(true);
  });

  it('reports the month’s logs against the plan', () => {
    expect(limits.monthlyLogs('tiny', new Date('2026-06-30T23:59:59Z'))).toMatchObject({ plan: 'tiny', used: 10, limit: 10 });
    expect(limits.monthlyLogs('unlimited')).toMatchObject({ plan: 'unlimited', limit: null });
  });
});
