// Rules as their APIs create and change them: the definition checked as a whole, and what a change does to
// the rule's status (its schedule, its datapoints, its timeline).
import { v7 as uuidv7 } from 'uuid';
import { QueryError } from '../query/language/index.js';
import type { AlertRule } from '../storage/meta/store.js';
import { conditionProblem } from './condition.js';
import { DEFINITION_FIELDS, invalidField, type Definition, type DefinitionField, type Surface } from './definition.js';
import { withInterval } from './state-machine.js';

/** A change to these makes earlier datapoints answers to another question. */
const CONDITION_FIELDS: DefinitionField[] = ['query', 'filters', 'threshold', 'operator', 'window_minutes', 'evaluation_periods', 'datapoints_to_alarm'];

export function definitionOf(rule: AlertRule): Definition {
  return Object.fromEntries(DEFINITION_FIELDS.map((f) => [f, rule[f]])) as Definition;
}

/** A patch over a definition. A rule's condition is a query or filters: giving one drops the other. */
export function patched(base: Definition, patch: Partial<Definition>): Definition {
  const next = { ...base, ...patch };
  if (patch.query !== undefined && patch.filters === undefined) next.filters = null;
  if (patch.filters !== undefined && patch.query === undefined) next.query = null;
  return next;
}

/** Checks across fields, each refusal naming the field in the API's spelling; an unparsable condition is its QueryError. */
export function checkDefinition(def: Definition, surface: Surface, now: Date): void {
  const name = (field: DefinitionField) => surface.names[field] ?? field;
  if (def.datapoints_to_alarm > def.evaluation_periods) {
    throw invalidField(name('datapoints_to_alarm'), `must be at most evaluation_periods (${def.evaluation_periods})`);
  }
  const field = name(def.filters !== null ? 'filters' : 'query');
  let problem: string | null;
  try {
    problem = conditionProblem(def, now);
  } catch (err) {
    if (!(err instanceof QueryError)) throw err;
    throw new QueryError(err.type, `${field}: ${err.message}`, {
      position: err.position, end: err.end, expected: err.expected as never, details: { ...err.details, field },
    });
  }
  if (problem) throw invalidField(field, problem);
}

export function newRule(def: Definition, projectId: string, environments: string[] | null, now: Date): AlertRule {
  const at = now.toISOString();
  return {
    id: uuidv7(),
    project_id: projectId,
    ...def,
    environments,
    created_at: at,
    updated_at: at,
    version: 0,
    lease: null,
    status: {
      state: 'not_firing',
      datapoints: [],
      last_value: null,
      next_check_at: def.enabled ? at : null,
      last_checked_at: null,
      last_notified_at: null,
      notified_state: 'not_firing',
      consecutive_failures: 0,
      last_error_message: null,
      state_timeline: [{ start: at, end: null, state: 'not_firing', enabled: def.enabled }],
    },
  };
}

/**
 * The rule with a new definition. A changed condition (or reach: `environments`, those of the writing key)
 * forgets old datapoints; that, enabling and a new interval all check at once; disabling stops checks.
 */
export function changedRule(rule: AlertRule, def: Definition, environments: string[] | null, now: Date): AlertRule {
  const at = now.toISOString();
  const differs = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
  const conditionChanged = CONDITION_FIELDS.some((f) => differs(rule[f], def[f])) || differs(rule.environments, environments);
  const toggled = rule.enabled !== def.enabled;
  const status = { ...rule.status };
  if (conditionChanged || toggled) status.datapoints = [];
  if (toggled) status.state_timeline = withInterval(status.state_timeline, at, status.state, def.enabled);
  if (conditionChanged || toggled || rule.check_interval_minutes !== def.check_interval_minutes) status.next_check_at = def.enabled ? at : null;
  return { ...rule, ...def, environments, updated_at: at, status };
}
