// Field resolution (spec 2.2) and the class of every column (spec 10.1), per source.
import type { FieldRef, Source } from './ast.js';

export type FieldClass =
  | 'text' | 'enum' | 'severity' | 'identifier' | 'number' | 'time' | 'tags' | 'property' | 'resource';

interface ColumnDef { cls: FieldClass; aliases: string[]; fullText?: boolean }

const LOGS: Record<string, ColumnDef> = {
  id: { cls: 'identifier', aliases: [] },
  timestamp: { cls: 'time', aliases: ['client_timestamp'] },
  observed_timestamp: { cls: 'time', aliases: ['server_timestamp'] },
  severity: { cls: 'severity', aliases: ['level', 'severity_text'] },
  severity_number: { cls: 'number', aliases: [] },
  message: { cls: 'text', aliases: ['body'], fullText: true },
  service: { cls: 'text', aliases: ['service_name', 'service.name'] },
  environment: { cls: 'enum', aliases: [] },
  action: { cls: 'text', aliases: ['event_name'], fullText: true },
  tags: { cls: 'tags', aliases: ['tag'] },
  trace_id: { cls: 'identifier', aliases: [] },
  span_id: { cls: 'identifier', aliases: [] },
};

const EVENTS: Record<string, ColumnDef> = {
  id: { cls: 'identifier', aliases: [] },
  timestamp: { cls: 'time', aliases: [] },
  event: { cls: 'text', aliases: ['event_name', 'name'], fullText: true },
  distinct_id: { cls: 'identifier', aliases: ['$distinct_id', 'distinctId'] },
  environment: { cls: 'enum', aliases: [] },
};

const ALERT_EVENTS: Record<string, ColumnDef> = {
  id: { cls: 'identifier', aliases: [] },
  timestamp: { cls: 'time', aliases: [] },
  alert_id: { cls: 'identifier', aliases: [] },
  alert_name: { cls: 'text', aliases: [], fullText: true },
  state: { cls: 'enum', aliases: [] },
  value: { cls: 'number', aliases: [] },
  threshold: { cls: 'number', aliases: [] },
};

export const COLUMNS: Record<Source, Record<string, ColumnDef>> = {
  logs: LOGS, events: EVENTS, alert_events: ALERT_EVENTS,
};

/** Lower-cased name or alias -> canonical column, per source (rule 3 is case-insensitive). */
const LOOKUP: Record<Source, Map<string, string>> = {
  logs: buildLookup(LOGS), events: buildLookup(EVENTS), alert_events: buildLookup(ALERT_EVENTS),
};

function buildLookup(cols: Record<string, ColumnDef>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, def] of Object.entries(cols)) {
    map.set(name, name);
    for (const alias of def.aliases) map.set(alias.toLowerCase(), name);
  }
  return map;
}

const PROPERTY_PREFIXES = ['properties.', 'attributes.', 'attrs.'];

/** Section 2.2, in order. `written` is the field text after back-quote unescaping. */
export function resolveField(written: string, source: Source): FieldRef {
  for (const prefix of PROPERTY_PREFIXES) {
    if (written.startsWith(prefix) && written.length > prefix.length) {
      return { kind: 'property', key: written.slice(prefix.length), written };
    }
  }
  if (source === 'logs' && written.startsWith('resource.') && written.length > 'resource.'.length) {
    return { kind: 'resource', key: written.slice('resource.'.length), written };
  }
  const column = LOOKUP[source].get(written.toLowerCase());
  if (column) return { kind: 'column', name: column, written };
  return { kind: 'property', key: written, written };
}

export function fieldClass(field: FieldRef, source: Source): FieldClass {
  if (field.kind !== 'column') return field.kind;
  return COLUMNS[source][field.name].cls;
}

/** Rule 6.2.10: the left side of `@` must be one of the source's full-text fields. */
export function isFullTextField(field: FieldRef, source: Source): boolean {
  return field.kind === 'column' && COLUMNS[source][field.name].fullText === true;
}

/** alert_events has no property maps: such fields resolve to nothing (spec 2.1). */
export function hasProperties(source: Source): boolean {
  return source !== 'alert_events';
}

/** Name used in echoes (`query.filters`, section 14.1). */
export function canonicalName(field: FieldRef): string {
  if (field.kind === 'column') return field.name;
  return field.kind === 'property' ? `properties.${field.key}` : `resource.${field.key}`;
}

export function sameField(a: FieldRef, b: FieldRef): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind === 'column' ? a.name === (b as typeof a).name : a.key === (b as typeof a).key;
}
