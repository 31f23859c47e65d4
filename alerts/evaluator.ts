// Runs each enabled rule on its interval: claims due rules through a lease in the metadata store (so in
// scale-out one node checks a rule at a time), measures the condition over the window ending now, stores
// the new status, then records a state change and announces what destinations should hear.
import type { Logger } from 'pino';
import { ApiError } from '../core/errors.js';
import { v7 as uuidv7 } from 'uuid';
import { QueryError } from '../query/language/index.js';
import type { AlertDelivery, AlertOutboxEntry, AlertRule, MetaStore } from '../storage/meta/store.js';
import type { Window } from './condition.js';
import { alertEvent } from './events.js';
import { noticeOf, queryLink, type Notice } from './notify/notice.js';
import { afterCheck, type Outcome } from './state-machine.js';

export interface EvaluatorDeps {
  meta: MetaStore;
  measure(rule: AlertRule, window: Window): Promise<number | null>;
  /** The notifications a notice becomes, one per destination of the rule. */
  deliveries(rule: AlertRule, notice: Notice): AlertDelivery[];
  /** Sends what a stored state change owes (its `alert_events` row, its notifications) without waiting. */
  send(entry: AlertOutboxEntry): void;
  logger: Logger;
  /** Real time in service; tests move their own. */
  clock?: () => Date;
}

export interface EvaluatorOptions {
  /** Replaces every rule's `check_interval_minutes` (`alerts.check_interval_override_seconds`). */
  intervalOverrideSeconds?: number;
  /** How often due rules are looked for: the most a check runs late. */
  pollMs: number;
  /** A claim outlives a check's longest run (the query timeout), so no second node starts it meanwhile. */
  leaseMs: number;
  maxConcurrent: number;
  /** Where users reach this loglake: notices link to it. */
  linkBase: string;
  /** How long an outbox entry is this node's to send before another node may take it over. */
  outboxLeaseMs: number;
  /** This node in leases (`newLeaseOwner`), for its rules and the outbox entries their checks store. */
  owner: string;
}

/** Storage and engine failures are kept without their text, which may hold SQL or paths (spec section 15). */
function failureMessage(err: unknown): string {
  return err instanceof QueryError || err instanceof ApiError ? err.message : 'The query could not be run';
}

export class Evaluator {
  private readonly running = new Set<Promise<void>>();
  private readonly clock: () => Date;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly deps: EvaluatorDeps,
    private readonly opts: EvaluatorOptions,
  ) {
    this.clock = deps.clock ?? (() => new Date());
  }

  start(): void {
    const poll = () => {
      this.polling = this.claim().then(() => {
        if (!this.stopped) this.timer = setTimeout(poll, this.opts.pollMs).unref();
      });
    };
    poll();
  }

  /** Checks every rule due now and resolves when they are done. */
  async tick(): Promise<void> {
    await Promise.all(await this.claim());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.polling;
    await Promise.all(this.running);
    await this.deps.meta.releaseAlerts(this.opts.owner).catch((err) => this.deps.logger.warn({ err }, 'alerts: releasing leases failed; they expire'));
  }

  private intervalMs(rule: AlertRule): number {
    return (this.opts.intervalOverrideSeconds ?? rule.check_interval_minutes * 60) * 1000;
  }

  /** Leases what is due, as many as there are free slots, and starts their checks. */
  private async claim(): Promise<Promise<void>[]> {
    const free = this.opts.maxConcurrent - this.running.size;
    if (this.stopped || free <= 0) return [];
    let rules: AlertRule[];
    try {
      rules = await this.deps.meta.claimDueAlerts(this.opts.owner, this.clock(), this.opts.leaseMs, free);
    } catch (err) {
      this.deps.logger.error({ err }, 'alerts: claiming due rules failed');
      return [];
    }
    return rules.map((rule) => {
      const task = this.check(rule)
        .catch((err) => this.deps.logger.error({ err, alert: rule.id }, 'alerts: a check could not be completed'))
        .finally(() => this.running.delete(task));
      this.running.add(task);
      return task;
    });
  }

  private async check(rule: AlertRule): Promise<void> {
    const now = this.clock();
    const window = { from: new Date(now.getTime() - rule.window_minutes * 60_000), to: now };
    let outcome: Outcome;
    try {
      outcome = { value: await this.deps.measure(rule, window) };
    } catch (err) {
      if (!(err instanceof QueryError || err instanceof ApiError)) this.deps.logger.error({ err, alert: rule.id }, 'alerts: a condition failed');
      outcome = { error: failureMessage(err) };
    }
    const result = afterCheck(rule, outcome, now, this.intervalMs(rule));
    const checked = { ...rule, status: result.status };
    const event = result.change ? alertEvent(checked, now) : null;
    let deliveries: AlertDelivery[] = [];
    if (result.announce) {
      const org = this.deps.meta.getProject(rule.project_id)?.org_id ?? '';
      deliveries = this.deps.deliveries(checked, noticeOf(checked, result.announce, rule.status.notified_state, window, queryLink(this.opts.linkBase, checked, org)));
    }
    const owed: AlertOutboxEntry | undefined = event || deliveries.length ? {
      id: uuidv7(), rule_id: rule.id, project_id: rule.project_id, event, deliveries,
      lease: { owner: this.opts.owner, until: new Date(Date.now() + this.opts.outboxLeaseMs).toISOString() },
    } : undefined;
    // Not stored means the rule was changed or deleted meanwhile: this check answered an old question.
    if (!(await this.deps.meta.finishAlertCheck(rule.id, this.opts.owner, rule.version, result.status, owed))) return;
    if (owed) this.deps.send(owed);
  }
}
