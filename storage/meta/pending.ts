import type { State } from './state.js';

/** Each counter keeps its most recent periods only: a year of months, half a day of hours. */
const KEPT_PERIODS = 13;

export interface Drained {
  uses: Map<string, string>;
  counts: Map<string, number>;
}

const counterId = (project: string, metric: string, period: string) => JSON.stringify([project, metric, period]);

/**
 * Writes too frequent to make one at a time (a key's last use, usage counters), gathered in memory and
 * applied to the stored state together. Counters are added, never set, so several processes flushing
 * their own pending counts into one file sum correctly.
 */
export class PendingWrites {
  private uses = new Map<string, string>();
  private counts = new Map<string, number>();

  get empty(): boolean {
    return this.uses.size === 0 && this.counts.size === 0;
  }

  touch(keyId: string, at: string): void {
    this.uses.set(keyId, at);
  }

  add(project: string, metric: string, period: string, n: number): void {
    const id = counterId(project, metric, period);
    this.counts.set(id, (this.counts.get(id) ?? 0) + n);
  }

  count(project: string, metric: string, period: string): number {
    return this.counts.get(counterId(project, metric, period)) ?? 0;
  }

  /** Takes everything pending; `restore` puts it back when it could not be written. */
  drain(): Drained {
    const drained = { uses: this.uses, counts: this.counts };
    this.uses = new Map();
    this.counts = new Map();
    return drained;
  }

  restore(drained: Drained): void {
    for (const [id, at] of drained.uses) if (!this.uses.has(id)) this.uses.set(id, at);
    for (const [id, n] of drained.counts) this.counts.set(id, (this.counts.get(id) ?? 0) + n);
  }
}

export function applyDrained(state: State, drained: Drained): void {
  if (drained.uses.size > 0) {
    for (const key of state.keys) {
      const at = drained.uses.get(key.id);
      if (at && (!key.last_used_at || key.last_used_at < at)) key.last_used_at = at;
    }
  }
  for (const [id, n] of drained.counts) {
    const [project, metric, period] = JSON.parse(id) as [string, string, string];
    const periods = ((state.usage[project] ??= {})[metric] ??= {});
    periods[period] = (periods[period] ?? 0) + n;
    // ISO periods sort in time order.
    const old = Object.keys(periods).sort().slice(0, -KEPT_PERIODS);
    for (const p of old) delete periods[p];
  }
}
