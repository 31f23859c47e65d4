import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { processAlive } from '../../core/process.js';
import type { AlertRule, AlertStatus } from './store.js';
import type { State } from './state.js';

/**
 * Which evaluator node checks a rule: a lease in the shared store. Owners are `host:pid:nonce`, so a lease
 * of a process of this machine that died is free at once rather than when it expires (a restart after a
 * crash checks its rules on schedule); a lease of another machine's node waits for `until`.
 */

export function newLeaseOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** A node's own lease counts too: a check still running when the next poll comes must not start twice. */
function held(lease: AlertRule['lease'], nowMs: number): boolean {
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

export function finishCheck(state: State, id: string, owner: string, version: number, status: AlertStatus): boolean {
  const rule = state.alerts.find((r) => r.id === id);
  if (!rule || rule.lease?.owner !== owner) return false;
  rule.lease = null;
  if (rule.version !== version) return false;
  rule.status = status;
  rule.version += 1;
  return true;
}

export function releaseAll(state: State, owner: string): void {
  for (const rule of state.alerts) if (rule.lease?.owner === owner) rule.lease = null;
}
