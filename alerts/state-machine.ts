// What one check does to a rule's status: pure, so the clock is a parameter and every rule of alerting
// (M of N, not_firing → firing → resolved and back, cooldown, snooze, failures, schedule) is unit-tested.
import type { AlertInterval, AlertRule, AlertState, AlertStatus } from '../storage/meta/store.js';

/** A check's result: the condition's value (null when the aggregate has none, e.g. avg over no rows) or why it failed. */
export type Outcome = { value: number | null } | { error: string };

export interface CheckResult {
  status: AlertStatus;
  /** The state change this check made: an `alert_events` row. */
  change: { from: AlertState; to: AlertState } | null;
  /** The state to tell the destinations about now. */
  announce: AlertState | null;
}

/** Older intervals are dropped so a flapping rule cannot grow the metadata store without bound. */
const TIMELINE_LIMIT = 100;

/** Strict comparisons: "above 5" is 6 or more errors. No value never breaches. */
export function breaches(rule: Pick<AlertRule, 'threshold' | 'operator'>, value: number | null): boolean {
  if (value === null) return false;
  return rule.operator === 'above' ? value > rule.threshold : value < rule.threshold;
}

/**
 * The next slot of the rule's grid (`scheduled` + k intervals) after `now`. Anchoring to the schedule
 * keeps checks from drifting, and slots missed while no node ran are skipped: one catch-up check, not many.
 */
export function nextCheckAt(scheduled: string | null, now: Date, intervalMs: number): string {
  const base = scheduled === null ? now.getTime() : Date.parse(scheduled);
  const missed = Math.max(0, Math.floor((now.getTime() - base) / intervalMs));
  return new Date(base + (missed + 1) * intervalMs).toISOString();
}

/** Closes the current interval at `at` and opens one in `state`. */
export function withInterval(timeline: AlertInterval[], at: string, state: AlertState, enabled: boolean): AlertInterval[] {
  const closed = timeline.map((i) => (i.end === null ? { ...i, end: at } : i));
  return [...closed, { start: at, end: null, state, enabled }].slice(-TIMELINE_LIMIT);
}

/** Firing needs `datapoints_to_alarm` breaches among the last `evaluation_periods` checks; a firing rule that no longer has them resolves. */
function nextState(rule: AlertRule, datapoints: boolean[]): AlertState {
  if (datapoints.filter(Boolean).length >= rule.datapoints_to_alarm) return 'firing';
  return rule.status.state === 'firing' ? 'resolved' : rule.status.state;
}

/**
 * Destinations hear whether a rule fires, once per change of that. Inside the cooldown after the last
 * notification, or while snoozed, a change waits; it is announced at the first check after, if it still holds.
 */
function announcement(rule: AlertRule, status: AlertStatus, nowMs: number): AlertState | null {
  if ((status.state === 'firing') === (status.notified_state === 'firing')) return null;
  if (rule.snooze_until !== null && nowMs < Date.parse(rule.snooze_until)) return null;
  if (status.last_notified_at !== null && nowMs < Date.parse(status.last_notified_at) + rule.cooldown_minutes * 60_000) return null;
  return status.state;
}

export function afterCheck(rule: AlertRule, outcome: Outcome, now: Date, intervalMs: number): CheckResult {
  const at = now.toISOString();
  const before = rule.status;
  const status: AlertStatus = { ...before, last_checked_at: at, next_check_at: nextCheckAt(before.next_check_at, now, intervalMs) };
  if ('error' in outcome) {
    status.consecutive_failures = before.consecutive_failures + 1;
    status.last_error_message = outcome.error;
  } else {
    status.consecutive_failures = 0;
    status.last_value = outcome.value;
    status.datapoints = [...before.datapoints, breaches(rule, outcome.value)].slice(-rule.evaluation_periods);
    status.state = nextState(rule, status.datapoints);
  }
  const change = status.state === before.state ? null : { from: before.state, to: status.state };
  if (change) status.state_timeline = withInterval(before.state_timeline, at, status.state, rule.enabled);
  const announce = announcement(rule, status, now.getTime());
  if (announce) {
    status.notified_state = announce;
    status.last_notified_at = at;
  }
  return { status, change, announce };
}
