// Sends what stored state changes owe: each `alert_events` row and each notification leaves the metadata
// store's outbox only once it is done, so a crash between a state change and its row or its notifications
// delays them until a node takes the entry over, rather than losing them.
import type { Logger } from 'pino';
import type { AlertEventRecord } from '../core/records.js';
import type { AlertOutboxEntry, MetaStore } from '../storage/meta/store.js';
import type { NotificationQueue } from './notify/queue.js';

export interface OutboxDeps {
  meta: MetaStore;
  /** Writes an `alert_events` row; resolves once it is durable. */
  publish(event: AlertEventRecord): Promise<void>;
  queue: NotificationQueue;
  logger: Logger;
}

export interface OutboxOptions {
  /** The owner of this node's entries (the evaluator's). */
  owner: string;
  leaseMs: number;
  /** How often entries left by dead nodes, or by this one's failed sends, are looked for. */
  pollMs: number;
}

export class AlertOutbox {
  private readonly tasks = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly deps: OutboxDeps,
    private readonly opts: OutboxOptions,
  ) {}

  /** Takes over what is owed at once (a restart after a crash), then every `pollMs`. */
  start(): void {
    const poll = () => {
      void this.resume().finally(() => {
        if (!this.stopped) this.timer = setTimeout(poll, this.opts.pollMs).unref();
      });
    };
    poll();
  }

  async resume(): Promise<void> {
    try {
      for (const entry of await this.deps.meta.claimAlertOutbox(this.opts.owner, new Date(), this.opts.leaseMs)) this.send(entry);
    } catch (err) {
      this.deps.logger.error({ err }, 'alerts: taking over owed notifications failed; retrying');
    }
  }

  send(entry: AlertOutboxEntry): void {
    const settle = (part: 'event' | number) => this.deps.meta.settleAlertOutbox(entry.id, part)
      .catch((err) => this.deps.logger.error({ err, alert: entry.rule_id }, 'alerts: marking a notification done failed; it may be sent again'));
    entry.deliveries.forEach((d, i) => {
      if (d) this.deps.queue.enqueue(d, () => void settle(i));
    });
    if (!entry.event) return;
    const task = this.deps.publish(entry.event)
      .then(() => settle('event'))
      .catch((err) => this.deps.logger.error({ err, alert: entry.rule_id }, 'alerts: a state change could not be written to alert_events yet; it stays owed'))
      .finally(() => this.tasks.delete(task));
    this.tasks.add(task);
  }

  /** Stops looking; rows being published get to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.all(this.tasks);
  }
}
