// What both alert APIs do to rules, each in its own spelling (`Surface`): list, create, change, delete, all
// within the calling key's project.
import { ApiError } from '../../core/errors.js';
import type { AlertRule, ApiKey, MetaStore } from '../../storage/meta/store.js';
import { invalidField, readDefinition, type Definition, type Surface } from '../definition.js';
import { destinationRefusal, type DestinationRules } from '../notify/address-guard.js';
import { changedRule, checkDefinition, definitionOf, newRule, patched } from '../rules.js';

export interface AlertRouteDeps {
  meta: MetaStore;
  /** The real clock: schedules and timelines are in real time even when queries are pinned. */
  now: () => Date;
  destinations: DestinationRules;
}

/** Refuses a destination that resolves to an address notifications may not go to; each send checks again. */
async function checkDestinations(def: Definition, rules: DestinationRules): Promise<void> {
  for (const [i, d] of def.destinations.entries()) {
    const why = await destinationRefusal(d.url, rules);
    if (why) throw invalidField('destinations', `${i}: url: ${why}`);
  }
}

/** A change computed from a read that another write overtook is recomputed; this many times at most. */
const SAVE_ATTEMPTS = 5;

const notFound = () => new ApiError(404, 'NOT_FOUND', 'No alert rule with this id in this project');

export function listRules(meta: MetaStore, key: ApiKey): AlertRule[] {
  return meta.listAlerts(key.project_id).sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
}

export function getRule(meta: MetaStore, key: ApiKey, id: string): AlertRule {
  const rule = meta.getAlert(key.project_id, id);
  if (!rule) throw notFound();
  return rule;
}

export async function createRule(deps: AlertRouteDeps, key: ApiKey, body: unknown, surface: Surface): Promise<AlertRule> {
  const now = deps.now();
  const def = { ...surface.defaults, ...readDefinition(body, surface, 'create') } as Definition;
  checkDefinition(def, surface, now);
  await checkDestinations(def, deps.destinations);
  const rule = newRule(def, key.project_id, key.environments, now);
  await deps.meta.createAlert(rule);
  return rule;
}

/** `replace` takes the body as the whole definition (defaults for what it leaves out), `patch` only what it gives. */
export async function updateRule(deps: AlertRouteDeps, key: ApiKey, id: string, body: unknown, surface: Surface, mode: 'replace' | 'patch'): Promise<AlertRule> {
  const patch = readDefinition(body, surface, mode);
  for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
    const rule = getRule(deps.meta, key, id);
    const now = deps.now();
    const def = mode === 'replace' ? ({ ...surface.defaults, ...patch } as Definition) : patched(definitionOf(rule), patch);
    checkDefinition(def, surface, now);
    await checkDestinations(def, deps.destinations);
    const next = changedRule(rule, def, key.environments, now);
    const saved = await deps.meta.saveAlert(next);
    if (saved === 'saved') return next;
    if (saved === 'missing') throw notFound();
  }
  throw new ApiError(409, 'CONFLICT', 'The rule kept changing while this update was made; send it again');
}

export async function deleteRule(meta: MetaStore, key: ApiKey, id: string): Promise<void> {
  if (!(await meta.deleteAlert(key.project_id, id))) throw notFound();
}
