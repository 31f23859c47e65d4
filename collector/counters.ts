import type { CounterSource } from '../server/metrics.js';
import type { Signal } from './component.js';

/** What became of records at a component: taken on, refused back to the sender, or dropped on purpose. */
export type Outcome = 'accepted' | 'refused' | 'dropped';

export interface CounterSample {
  component: string;
  signal: Signal;
  outcome: Outcome;
  /** Why records were refused or dropped; empty for accepted ones. */
  reason: string;
  value: number;
}

/**
 * The same record counters for every component, kept by the host so that one `GET /metrics` shows them
 * all. Counters only grow (Prometheus counters): a restart starts them at zero.
 */
export class ComponentCounters implements CounterSource {
  private readonly samples = new Map<string, CounterSample>();

  add(component: string, signal: Signal, outcome: Outcome, count: number, reason = ''): void {
    if (count <= 0) return;
    const key = JSON.stringify([component, signal, outcome, reason]);
    const sample = this.samples.get(key);
    if (sample) sample.value += count;
    else this.samples.set(key, { component, signal, outcome, reason, value: count });
  }

  snapshot(): CounterSample[] {
    return [...this.samples.values()].map((s) => ({ ...s }));
  }
}
