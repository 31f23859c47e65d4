// Every state change becomes a row of the lake's `alert_events` table, sent through the bus like any
// ingested batch, so `from:alert_events | last 7d` answers a rule's history.
import { publishBatch } from '../storage/bus/producer.js';
import { newRecordId } from '../core/ids.js';
import type { AlertEventRecord } from '../core/records.js';
import type { Bus } from '../storage/bus/bus.js';
import type { AlertRule } from '../storage/meta/store.js';

/** Nobody waits on an alert event's publish: it may take its time. */
const PUBLISH = { attempts: 5, timeoutMs: 30_000 };

export function alertEvent(rule: AlertRule, at: Date): AlertEventRecord {
  return {
    id: newRecordId(),
    project_id: rule.project_id,
    timestamp: at.toISOString(),
    alert_id: rule.id,
    alert_name: rule.name,
    state: rule.status.state,
    value: rule.status.last_value,
    threshold: rule.threshold,
  };
}

/** Named by the row's id: a node that takes over an unsettled outbox entry may publish it again. */
export function publishAlertEvent(bus: Bus, event: AlertEventRecord): Promise<void> {
  const context = { receiver: 'alerts', requestId: `alert-event.${event.id}` };
  return publishBatch(bus, { table: 'alert_events', projectId: event.project_id, records: [event], context }, PUBLISH);
}
