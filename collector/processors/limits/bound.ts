import type { EventRecord, LogRecord, Properties } from '../../../core/records.js';
import { countDroppedKeys, DROPPED_KEYS } from '../dropped-keys.js';
import type { LimitsConfig } from './config.js';
import { truncateUtf8 } from './utf8.js';

export const TRUNCATED = '_truncated';

/** In place (a record owns its properties); true when a value was cut. */
function boundProperties(props: Properties, limits: LimitsConfig): boolean {
  let count = 0;
  let dropped = 0;
  let cut = false;
  for (const key in props) {
    // Another processor's bookkeeping is kept whole and outside the bound, or its count would be lost.
    if (key === DROPPED_KEYS || key === TRUNCATED) continue;
    if (++count > limits.max_properties) {
      // Deleting the key being visited is safe in for-in; only records over the bound pay for it.
      delete props[key];
      dropped++;
      continue;
    }
    const value = props[key];
    if (typeof value !== 'string') continue;
    const shorter = truncateUtf8(value, limits.max_property_value_bytes);
    if (shorter !== null) {
      props[key] = shorter;
      cut = true;
    }
  }
  countDroppedKeys(props, dropped);
  return cut;
}

/** A copy with the first `max` entries, or null when there are no more than that. */
function firstEntries(entries: Record<string, string>, max: number): Record<string, string> | null {
  let count = 0;
  for (const _ in entries) if (++count > max) break;
  if (count <= max) return null;
  return Object.fromEntries(Object.entries(entries).slice(0, max));
}

export function boundLog(record: LogRecord, limits: LimitsConfig): void {
  const cut: string[] = [];
  const message = record.message === null ? null : truncateUtf8(record.message, limits.max_message_bytes);
  if (message !== null) {
    record.message = message;
    cut.push('message');
  }
  if (boundProperties(record.properties, limits)) cut.push('properties');
  if (record.tags.length > limits.max_tags) {
    record.tags = record.tags.slice(0, limits.max_tags);
    cut.push('tags');
  }
  // Replaced, not trimmed in place: OTLP records of one resource share its object.
  const resource = firstEntries(record.resource, limits.max_resource_attributes);
  if (resource) {
    record.resource = resource;
    cut.push('resource');
  }
  if (cut.length > 0) record.properties[TRUNCATED] = cut.join(',');
}

export function boundEvent(record: EventRecord, limits: LimitsConfig): void {
  if (boundProperties(record.properties, limits)) record.properties[TRUNCATED] = 'properties';
}
