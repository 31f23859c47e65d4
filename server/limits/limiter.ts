import { UNLIMITED, type Plan } from '../../config/plans.js';
import type { Table } from '../../core/records.js';
import type { MetaStore } from '../../storage/meta/store.js';
import { hourWindow, monthWindow } from './windows.js';

/** What a request does, which decides the limits it counts against: ingest of logs or events, a query, a dry-run validation, an AI request. */
export type RequestKind = 'logs' | 'events' | 'query' | 'validate' | 'ai';

export type Refusal = 'rate' | 'quota';

export type Admission =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; refusal: Refusal; message: string; headers: Record<string, string> };

interface Check {
  limit: number;
  used: number;
  resetsAt: number;
  refusal: Refusal;
  what: string;
  /** Counts the admitted request against this limit. */
  take?: () => void;
}

/**
 * Monthly quotas. Logs are counted as they are accepted (`recordAccepted`), so admission only reads them;
 * an AI query is counted by its admission.
 */
const MONTHLY: Partial<Record<RequestKind, { limit: keyof Plan; metric: string; noun: string; countedHere: boolean }>> = {
  logs: { limit: 'logs_per_month', metric: 'logs', noun: 'logs', countedHere: false },
  ai: { limit: 'ai_queries_per_month', metric: 'ai_queries', noun: 'AI queries', countedHere: true },
};

const HOURLY: Partial<Record<RequestKind, { limit: keyof Plan; metric: string }>> = {
  logs: { limit: 'ingest_requests_per_hour', metric: 'ingest_requests' },
  events: { limit: 'ingest_requests_per_hour', metric: 'ingest_requests' },
  query: { limit: 'query_requests_per_hour', metric: 'query_requests' },
};

/** `X-RateLimit-Reset` is the epoch second the window ends (GitHub's reading; the seed gives only "integer"). */
function rateHeaders(check: Check, remaining: number): Record<string, string> {
  return {
    'x-ratelimit-limit': String(check.limit),
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': String(Math.ceil(check.resetsAt / 1000)),
  };
}

/**
 * Admits or refuses requests by their project's plan, and counts accepted records. Per-second windows are
 * this process's own; hourly request counts and monthly record counts are usage counters in the metadata
 * store, so processes sharing the store share them (each adds what it has not flushed yet).
 */
export class Limiter {
  private readonly seconds = new Map<string, { second: number; count: number }>();

  constructor(
    private readonly meta: MetaStore,
    private readonly plans: Record<string, Plan>,
  ) {}

  /** A project's plan; a plan name the config no longer defines counts as unlimited. */
  planOf(projectId: string): { code: string; plan: Plan } {
    const code = this.meta.getProject(projectId)?.plan ?? UNLIMITED;
    return { code, plan: this.plans[code] ?? {} };
  }

  hasPlan(code: string): boolean {
    return code === UNLIMITED || code in this.plans;
  }

  /** Logs accepted this month, against the plan's quota (null: none). */
  monthlyLogs(projectId: string, now = new Date()) {
    const window = monthWindow(now);
    const { code, plan } = this.planOf(projectId);
    return { plan: code, used: this.meta.getUsage(projectId, 'logs', window.key), limit: plan.logs_per_month ?? null, window };
  }

  recordAccepted(projectId: string, table: Table, records: number, now = new Date()): void {
    this.meta.addUsage(projectId, table, monthWindow(now).key, records);
  }

  admit(projectId: string, kind: RequestKind, now = Date.now()): Admission {
    const { plan } = this.planOf(projectId);
    const checks: Check[] = [];
    const monthly = MONTHLY[kind];
    const perMonth = monthly && plan[monthly.limit];
    if (monthly && perMonth) {
      const month = monthWindow(new Date(now));
      checks.push({
        limit: perMonth,
        used: this.meta.getUsage(projectId, monthly.metric, month.key),
        resetsAt: month.end.getTime(),
        refusal: 'quota',
        what: `the plan's ${perMonth} ${monthly.noun} this month`,
        ...(monthly.countedHere ? { take: () => this.meta.addUsage(projectId, monthly.metric, month.key, 1) } : {}),
      });
    }
    const hourly = HOURLY[kind];
    const perHour = hourly && plan[hourly.limit];
    if (hourly && perHour) {
      const hour = hourWindow(new Date(now));
      checks.push({
        limit: perHour,
        used: this.meta.getUsage(projectId, hourly.metric, hour.key),
        resetsAt: hour.end.getTime(),
        refusal: 'rate',
        what: `${perHour} ${kind === 'query' ? 'query' : 'ingest'} requests per hour`,
        take: () => this.meta.addUsage(projectId, hourly.metric, hour.key, 1),
      });
    }
    if (plan.requests_per_second) {
      const second = Math.floor(now / 1000);
      let window = this.seconds.get(projectId);
      if (!window || window.second !== second) this.seconds.set(projectId, (window = { second, count: 0 }));
      const counted = window;
      checks.push({
        limit: plan.requests_per_second,
        used: counted.count,
        resetsAt: (second + 1) * 1000,
        refusal: 'rate',
        what: `${plan.requests_per_second} requests per second`,
        take: () => counted.count++,
      });
    }
    if (checks.length === 0) return { ok: true, headers: {} };

    // The quota comes first: retrying after a rate window would not help.
    const refused = checks.find((c) => c.used >= c.limit);
    if (refused) {
      const retryAfter = Math.max(1, Math.ceil((refused.resetsAt - now) / 1000));
      return {
        ok: false,
        refusal: refused.refusal,
        message: `Limit reached: ${refused.what}; retry in ${retryAfter} s`,
        headers: { ...rateHeaders(refused, 0), 'retry-after': String(retryAfter) },
      };
    }
    for (const c of checks) c.take?.();
    // What is left once this request is counted (a quota counts records, later, not requests).
    const left = (c: Check) => c.limit - c.used - (c.take ? 1 : 0);
    const tightest = checks.reduce((a, b) => (left(b) < left(a) ? b : a));
    return { ok: true, headers: rateHeaders(tightest, left(tightest)) };
  }
}
