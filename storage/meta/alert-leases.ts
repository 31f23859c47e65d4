import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { processAlive } from '../../core/process.js';
import type { AlertOutboxEntry, AlertRule, AlertStatus } from './store.js';
import type { State } from './state.js';

/**
 * Which evaluator node checks a rule: a lease in the shared store. Owners are `host:pid:nonce`, so a lease
 * of a process of this machine that died is free at once rather than when it expires (a restart after a
 * crash checks its rules on schedule); a lease of another machine's node waits for `until`.
 */

export function newLeaseOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * A node's own lease counts too: a check still running when the next poll comes must not start twice. (The
 * KV metadata store's write lock is such a lease.)
 */
export function held(lease: AlertRule['lease'], nowMs: number): boolean {
  if (!lease || Date.parse(lease.until) <= nowMs) return false;
  const [host, pid] = lease.owner.split(':');
  return host !== hostname() || processAlive(Number(pid));
}

export function isDue(rule: AlertRule, nowMs: number): boolean {
  const next = rule.status.next_check_at;
  return rule.enabled && next !== null && Date.parse(next) <= nowMs && !held(rule.lease, nowMs);
}

/** Leases the due rules, earliest due first; each claim is a write, so it bumps the rule's version. */
export function claimDue(state: State, owner: string, now: Date, leaseMs: number, max: number): AlertRule[] {
  const nowMs = now.getTime();
  const due = state.alerts
    .filter((r) => isDue(r, nowMs))
    .sort((a, b) => Date.parse(a.status.next_check_at!) - Date.parse(b.status.next_check_at!))
    .slice(0, max);
  const until = new Date(nowMs + leaseMs).toISOString();
  for (const rule of due) {
    rule.lease = { owner, until };
    rule.version += 1;
  }
  return structuredClone(due);
}

export function finishCheck(state: State, id: string, owner: string, version: number, status: AlertStatus, outbox?: AlertOutboxEntry): boolean {
  const rule = state.alerts.find((r) => r.id === id);
  if (!rule || rule.lease?.owner !== owner) return false;
  rule.lease = null;
  if (rule.version !== version) return false;
  rule.status = status;
  rule.version += 1;
  if (outbox) state.alert_outbox.push(structuredClone(outbox));
  return true;
}

/** The outbox entries no live node holds. */
export function freeOutbox(state: State, now: Date): AlertOutboxEntry[] {
  return state.alert_outbox.filter((e) => !held(e.lease, now.getTime()));
}

export function claimOutbox(state: State, owner: string, now: Date, leaseMs: number): AlertOutboxEntry[] {
  const nowMs = now.getTime();
  const free = freeOutbox(state, now);
  const until = new Date(nowMs + leaseMs).toISOString();
  for (const entry of free) entry.lease = { owner, until };
  return structuredClone(free);
}

export function settleOutbox(state: State, entryId: string, part: 'event' | number): void {
  const entry = state.alert_outbox.find((e) => e.id === entryId);
  if (!entry) return;
  if (part === 'event') entry.event = null;
  else entry.deliveries[part] = null;
  if (entry.event === null && entry.deliveries.every((d) => d === null)) state.alert_outbox = state.alert_outbox.filter((e) => e !== entry);
}

export function releaseAll(state: State, owner: string): void {
  for (const rule of state.alerts) if (rule.lease?.owner === owner) rule.lease = null;
}
