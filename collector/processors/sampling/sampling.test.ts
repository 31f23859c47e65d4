import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Batch, EventRecord, LogRecord, Severity } from '../../../core/records.js';
import { samplingConfig } from './config.js';
import { unitHash } from './hash.js';
import { Sampler } from './sampler.js';

function log(trace_id: string | null, severity: Severity = 'info'): LogRecord {
  return {
    id: 'r', project_id: 'p', environment: 'production', timestamp: '2026-06-15T12:00:00.000Z', observed_timestamp: '2026-06-15T12:00:00.000Z',
    severity, severity_number: 9, message: trace_id, service: null, action: null, tags: [], trace_id, span_id: null, trace_flags: null,
    properties: {}, resource: {}, receiver: 'test',
  };
}

function event(distinct_id: string | null): EventRecord {
  return { id: 'e', project_id: 'p', environment: 'production', timestamp: 't', observed_timestamp: 't', event: 'pageview', distinct_id, properties: {} };
}

const logs = (records: LogRecord[]): Batch<'logs'> => ({ table: 'logs', projectId: 'p', records, context: { receiver: 'test' } });
const sampler = (config: unknown, random?: () => number) => new Sampler(samplingConfig.parse(config), random);
const kept = (s: Sampler, records: LogRecord[]) => (s.process(logs(records)).records as LogRecord[]).map((r) => r.trace_id);

/** Trace ids as OTel SDKs make them: 32 random-looking hex digits (here derived, so the test is repeatable). */
const traceIds = Array.from({ length: 10_000 }, (_, i) => createHash('md5').update(String(i)).digest('hex'));

describe('sampling processor', () => {
  it('keeps the configured share of traces', () => {
    // Sequential ids, unlike an SDK's, differ only in their last characters: they must spread as well.
    for (const ids of [traceIds, traceIds.map((_, i) => `trace-${i}`)]) {
      const share = kept(sampler({ ratio: 0.25 }), ids.map((id) => log(id))).length / ids.length;
      expect(share).toBeGreaterThan(0.235);
      expect(share).toBeLessThan(0.265);
    }
  });

  it('decides a trace the same way in every batch, on every instance, in every process', () => {
    const first = sampler({ ratio: 0.25 });
    const whole = kept(first, traceIds.map((id) => log(id)));
    const second = sampler({ ratio: 0.25 });
    const inSmallBatches = [];
    for (let i = 0; i < traceIds.length; i += 7) inSmallBatches.push(...kept(second, traceIds.slice(i, i + 7).map((id) => log(id))));
    expect(inSmallBatches).toEqual(whole);
    // Interleaved in one batch, each trace's five records are kept or dropped together.
    const interleaved = Array.from({ length: 5 }, () => traceIds.slice(0, 100).map((id) => log(id))).flat();
    const perTrace = new Map<string, number>();
    for (const id of kept(sampler({ ratio: 0.5 }), interleaved)) perTrace.set(id!, (perTrace.get(id!) ?? 0) + 1);
    expect(new Set(perTrace.values())).toEqual(new Set([5]));
    expect(perTrace.size).toBeGreaterThan(30);
    // Pinned: a different hash would split traces between collectors running different releases.
    expect(unitHash('4bf92f3577b34da6a3ce929d0e0e4736')).toBe(0.8814454493112862);
    expect(kept(sampler({ ratio: 0.89 }), [log('4bf92f3577b34da6a3ce929d0e0e4736')])).toHaveLength(1);
    expect(kept(sampler({ ratio: 0.88 }), [log('4bf92f3577b34da6a3ce929d0e0e4736')])).toHaveLength(0);
  });

  it('keeps error and fatal logs unless told to sample them too', () => {
    const records = () => [log('a', 'info'), log('b', 'warn'), log('c', 'error'), log('d', 'fatal'), log(null, 'error')];
    expect(kept(sampler({ ratio: 0 }), records())).toEqual(['c', 'd', null]);
    expect(kept(sampler({ ratio: 0, sample_errors: true }), records())).toEqual([]);
  });

  it('draws by chance for records without a trace id', () => {
    const draws = [0.1, 0.9, 0.2, 0.8];
    const s = sampler({ ratio: 0.5 }, () => draws.shift()!);
    const records = [log(null), log(null), log(null), log(null)];
    records.forEach((r, i) => (r.message = String(i)));
    expect((s.process(logs(records)).records as LogRecord[]).map((r) => r.message)).toEqual(['0', '2']);
  });

  it('samples events by distinct id, so a user is kept or dropped whole', () => {
    const s = sampler({ ratio: 0.5 });
    const users = Array.from({ length: 200 }, (_, i) => `user_${i}`);
    const batch = (): Batch<'events'> => ({ table: 'events', projectId: 'p', records: users.flatMap((u) => [event(u), event(u)]), context: { receiver: 'test' } });
    const first = (s.process(batch()).records as EventRecord[]).map((e) => e.distinct_id);
    const again = (s.process(batch()).records as EventRecord[]).map((e) => e.distinct_id);
    expect(again).toEqual(first);
    expect(first.length % 2).toBe(0);
    for (let i = 0; i < first.length; i += 2) expect(first[i]).toBe(first[i + 1]);
    expect(first.length / 2).toBeGreaterThan(70);
    expect(first.length / 2).toBeLessThan(130);
  });

  it('counts what it kept and dropped, and passes everything at ratio 1', () => {
    const s = sampler({ ratio: 0 });
    s.process(logs([log('a'), log('b', 'error'), log(null)]));
    expect([s.kept, s.dropped]).toEqual([1, 2]);
    const all = sampler({});
    const batch = logs([log('a'), log(null)]);
    expect(all.process(batch)).toBe(batch);
    expect([all.kept, all.dropped]).toEqual([2, 0]);
  });

  it('refuses a ratio outside 0–1', () => {
    expect(samplingConfig.safeParse({ ratio: 1.5 }).success).toBe(false);
    expect(samplingConfig.safeParse({ ratio: -0.1 }).success).toBe(false);
  });
});
