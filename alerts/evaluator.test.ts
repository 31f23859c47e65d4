import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertEventRecord } from '../core/records.js';
import { QueryError } from '../query/language/index.js';
import { newLeaseOwner } from '../storage/meta/alert-leases.js';
import { FileMetaStore } from '../storage/meta/file-store.js';
import type { AlertRule } from '../storage/meta/store.js';
import { DEFAULTS } from './definition.js';
import { Evaluator, type EvaluatorDeps } from './evaluator.js';
import type { Notice } from './notify/notice.js';
import { newRule } from './rules.js';

const T0 = new Date('2026-06-15T12:00:00.000Z');
const stores: FileMetaStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

async function store(dir: string): Promise<FileMetaStore> {
  const s = new FileMetaStore(dir, { flushIntervalMs: 60_000 });
  await s.open();
  stores.push(s);
  return s;
}

/** An evaluator on `meta` with a clock the test moves and a condition whose value the test sets. */
function evaluator(meta: FileMetaStore, clock: { now: Date }, measure: EvaluatorDeps['measure'], intervalOverrideSeconds?: number) {
  const events: AlertEventRecord[] = [];
  const notices: Notice[] = [];
  const e = new Evaluator({
    meta, measure, clock: () => clock.now, logger: pino({ level: 'silent' }),
    deliveries: (_rule, notice) => [{ url: 'http://receiver.test/', body: notice, label: 'test' }],
    send: (entry) => {
      if (entry.event) events.push(entry.event);
      notices.push(...entry.deliveries.map((d) => d!.body as Notice));
    },
  }, { intervalOverrideSeconds, pollMs: 10, leaseMs: 30_000, maxConcurrent: 4, linkBase: 'http://loglake.test', outboxLeaseMs: 60_000, owner: newLeaseOwner() });
  return { e, events, notices };
}

async function rule(meta: FileMetaStore, overrides: Partial<AlertRule> = {}): Promise<AlertRule> {
  const r = { ...newRule({ ...DEFAULTS, name: 'errors', query: 'severity:error', threshold: 2 }, 'default', null, T0), ...overrides };
  await meta.createAlert(r);
  return r;
}

describe('evaluator', () => {
  it('checks each rule once per interval when two nodes share the store, whichever node takes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loglake-evaluator-'));
    const [metaA, metaB] = [await store(dir), await store(dir)];
    const clock = { now: T0 };
    const checks: string[] = [];
    const measure = async (r: AlertRule) => {
      checks.push(r.id);
      return 0;
    };
    const [a, b] = [evaluator(metaA, clock, measure), evaluator(metaB, clock, measure)];
    const rules = await Promise.all([rule(metaA), rule(metaA), rule(metaA)]);
    for (let minute = 0; minute < 5; minute++) {
      clock.now = new Date(T0.getTime() + minute * 60_000 + 1);
      await Promise.all([a.e.tick(), b.e.tick(), a.e.tick()]);
    }
    for (const r of rules) expect(checks.filter((id) => id === r.id)).toHaveLength(5);
    expect(metaB.getAlert('default', rules[0].id)!.status.next_check_at).toBe(new Date(T0.getTime() + 5 * 60_000).toISOString());
  });

  it('replaces every rule’s interval with the override', async () => {
    const meta = await store(mkdtempSync(join(tmpdir(), 'loglake-evaluator-')));
    const clock = { now: T0 };
    const r = await rule(meta, { check_interval_minutes: 5 });
    await evaluator(meta, clock, async () => 0, 10).e.tick();
    expect(meta.getAlert('default', r.id)!.status.next_check_at).toBe(new Date(T0.getTime() + 10_000).toISOString());
  });

  it('records each state change and announces it with a link to the query', async () => {
    const meta = await store(mkdtempSync(join(tmpdir(), 'loglake-evaluator-')));
    const clock = { now: T0 };
    let value = 5;
    const { e, events, notices } = evaluator(meta, clock, async () => value);
    const r = await rule(meta, { window_minutes: 15 });
    await e.tick();
    value = 0;
    clock.now = new Date(T0.getTime() + 60_000);
    await e.tick();
    expect(events.map((x) => [x.state, x.value, x.threshold, x.alert_id, x.timestamp])).toEqual([
      ['firing', 5, 2, r.id, T0.toISOString()],
      ['resolved', 0, 2, r.id, clock.now.toISOString()],
    ]);
    expect(notices.map((n) => n.state)).toEqual(['firing', 'resolved']);
    expect(notices[0]).toMatchObject({ value: 5, window: { minutes: 15, from: '2026-06-15T11:45:00.000Z', to: T0.toISOString() } });
    expect(notices[0].link).toBe(`http://loglake.test/api/orgs//projects/default/gql?q=${encodeURIComponent('severity:error | last 15m')}`);
  });

  it('counts failures; an engine failure is kept without its text', async () => {
    const meta = await store(mkdtempSync(join(tmpdir(), 'loglake-evaluator-')));
    const clock = { now: T0 };
    let failure: Error = new QueryError('VALIDATION_QUERY_SYNTAX', 'Unknown source');
    const r = await rule(meta);
    const { e } = evaluator(meta, clock, async () => { throw failure; });
    await e.tick();
    expect(meta.getAlert('default', r.id)!.status).toMatchObject({ consecutive_failures: 1, last_error_message: 'Unknown source' });
    failure = new Error('Binder Error: SELECT secret FROM /data/lake');
    clock.now = new Date(T0.getTime() + 60_000);
    await e.tick();
    expect(meta.getAlert('default', r.id)!.status).toMatchObject({ consecutive_failures: 2, last_error_message: 'The query could not be run', state: 'not_firing' });
  });

  it('drops a check whose rule was changed while it ran, and checks the new rule', async () => {
    const meta = await store(mkdtempSync(join(tmpdir(), 'loglake-evaluator-')));
    const clock = { now: T0 };
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const seen: number[] = [];
    const { e, events } = evaluator(meta, clock, async (r) => {
      seen.push(r.threshold);
      if (seen.length === 1) await held;
      return 5;
    });
    const r = await rule(meta);
    const first = e.tick();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const current = meta.getAlert('default', r.id)!;
    expect(await meta.saveAlert({ ...current, threshold: 10, status: { ...current.status, next_check_at: T0.toISOString() } })).toBe('saved');
    release();
    await first;
    expect(events).toEqual([]);
    expect(meta.getAlert('default', r.id)!.status.last_checked_at).toBeNull();
    await e.tick();
    expect(seen).toEqual([2, 10]);
    expect(meta.getAlert('default', r.id)!.status).toMatchObject({ state: 'not_firing', last_value: 5 });
  });

  it('start polls on its own and stop releases what it holds', async () => {
    const meta = await store(mkdtempSync(join(tmpdir(), 'loglake-evaluator-')));
    const clock = { now: T0 };
    const r = await rule(meta);
    const { e } = evaluator(meta, clock, async () => 0);
    e.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await e.stop();
    expect(meta.getAlert('default', r.id)!.status.last_checked_at).toBe(T0.toISOString());
    expect(meta.getAlert('default', r.id)!.lease).toBeNull();
  });
});
