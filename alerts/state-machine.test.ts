import { describe, expect, it } from 'vitest';
import type { AlertRule } from '../storage/meta/store.js';
import { DEFAULTS } from './definition.js';
import { newRule } from './rules.js';
import { afterCheck, nextCheckAt, type Outcome } from './state-machine.js';

const T0 = new Date('2026-06-15T12:00:00.000Z');
const MINUTE = 60_000;
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE);

function rule(overrides: Partial<AlertRule> = {}): AlertRule {
  return { ...newRule({ ...DEFAULTS, name: 'errors', query: 'severity:error', threshold: 5 }, 'p', null, T0), ...overrides };
}

/** Runs checks one minute apart (the rule's interval), each with its value, and returns the rule after each. */
function run(start: AlertRule, values: (number | null | Error)[]): { rules: AlertRule[]; changes: string[]; announced: string[] } {
  const rules: AlertRule[] = [];
  const changes: string[] = [];
  const announced: string[] = [];
  let current = start;
  values.forEach((v, i) => {
    const outcome: Outcome = v instanceof Error ? { error: v.message } : { value: v };
    const result = afterCheck(current, outcome, at(i), MINUTE);
    current = { ...current, status: result.status };
    rules.push(current);
    if (result.change) changes.push(`${i}:${result.change.from}->${result.change.to}`);
    if (result.announce) announced.push(`${i}:${result.announce}`);
  });
  return { rules, changes, announced };
}

describe('alert state machine', () => {
  it('fires when the value is above the threshold, resolves when it is not, and fires again', () => {
    const { changes, announced, rules } = run(rule(), [0, 6, 9, 5, 2, 7]);
    expect(changes).toEqual(['1:not_firing->firing', '3:firing->resolved', '5:resolved->firing']);
    expect(announced).toEqual(['1:firing', '3:resolved', '5:firing']);
    expect(rules.at(-1)!.status).toMatchObject({ state: 'firing', last_value: 7, consecutive_failures: 0, notified_state: 'firing' });
  });

  it('"below" fires on values under the threshold; no value never breaches', () => {
    const { changes } = run(rule({ operator: 'below', threshold: 1 }), [3, 0, null, 2]);
    expect(changes).toEqual(['1:not_firing->firing', '2:firing->resolved']);
  });

  it('fires on M breaching datapoints of the last N, not fewer, and resolves when fewer than M remain', () => {
    const twoOfThree = rule({ evaluation_periods: 3, datapoints_to_alarm: 2 });
    // breaches:            no  yes  no  yes   yes  no  no
    const { changes } = run(twoOfThree, [0, 9, 0, 9, 9, 0, 0]);
    expect(changes).toEqual(['3:not_firing->firing', '6:firing->resolved']);
    const threeOfThree = run(rule({ evaluation_periods: 3, datapoints_to_alarm: 3 }), [9, 9, 0, 9, 9, 9]);
    expect(threeOfThree.changes).toEqual(['5:not_firing->firing']);
    expect(threeOfThree.rules.at(-1)!.status.datapoints).toEqual([true, true, true]);
  });

  it('announces only changes of firing: not again while it stays firing', () => {
    const { announced } = run(rule(), [9, 9, 9, 9]);
    expect(announced).toEqual(['0:firing']);
  });

  it('holds a change inside the cooldown and announces it after, if it still holds; a flap inside it is never announced', () => {
    const cooled = rule({ cooldown_minutes: 3 });
    // fire at 0 (announced); resolve at 1 (held); still resolved at 3 (cooldown over: announced)
    expect(run(cooled, [9, 0, 0, 0]).announced).toEqual(['0:firing', '3:resolved']);
    // fire at 0; resolve at 1 and fire again at 2, both inside the cooldown: destinations only ever heard "firing"
    const flap = run(cooled, [9, 0, 9, 9, 9]);
    expect(flap.changes).toEqual(['0:not_firing->firing', '1:firing->resolved', '2:resolved->firing']);
    expect(flap.announced).toEqual(['0:firing']);
  });

  it('announces nothing while snoozed but keeps evaluating; a change that still holds is announced after the snooze', () => {
    const snoozed = rule({ snooze_until: at(2).toISOString() });
    const { changes, announced, rules } = run(snoozed, [9, 9, 9]);
    expect(changes).toEqual(['0:not_firing->firing']);
    expect(announced).toEqual(['2:firing']);
    expect(rules[1].status.last_notified_at).toBeNull();
    // Fired and resolved inside the snooze: nothing to say afterwards.
    expect(run(snoozed, [9, 0, 0]).announced).toEqual([]);
  });

  it('counts failures and keeps the message, leaving state and datapoints as they were', () => {
    const { rules, changes } = run(rule(), [9, new Error('The query ran longer than 30000 ms'), new Error('again'), 0]);
    expect(rules[2].status).toMatchObject({ state: 'firing', consecutive_failures: 2, last_error_message: 'again', last_value: 9, datapoints: [true] });
    expect(rules[3].status).toMatchObject({ state: 'resolved', consecutive_failures: 0, last_error_message: 'again' });
    expect(changes).toEqual(['0:not_firing->firing', '3:firing->resolved']);
  });

  it('keeps a timeline of intervals: each change closes one and opens the next', () => {
    const { rules } = run(rule(), [9, 9, 0]);
    expect(rules.at(-1)!.status.state_timeline).toEqual([
      { start: T0.toISOString(), end: at(0).toISOString(), state: 'not_firing', enabled: true },
      { start: at(0).toISOString(), end: at(2).toISOString(), state: 'firing', enabled: true },
      { start: at(2).toISOString(), end: null, state: 'resolved', enabled: true },
    ]);
  });

  it('schedules on the rule’s grid: no drift, and one catch-up check for slots missed while nothing ran', () => {
    const scheduled = at(0).toISOString();
    expect(nextCheckAt(scheduled, new Date(T0.getTime() + 250), MINUTE)).toBe(at(1).toISOString());
    expect(nextCheckAt(scheduled, at(10.5), MINUTE)).toBe(at(11).toISOString());
    expect(nextCheckAt(null, T0, 5_000)).toBe(new Date(T0.getTime() + 5_000).toISOString());
    const late = afterCheck(rule(), { value: 0 }, at(7.2), MINUTE);
    expect(late.status).toMatchObject({ last_checked_at: at(7.2).toISOString(), next_check_at: at(8).toISOString() });
  });
});
