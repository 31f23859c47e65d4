// Notifications leave through a queue: a slow or failing receiver is retried with backoff in the
// background and never holds up the evaluation of any rule.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from 'pino';
import { Semaphore } from '../../query/engine/semaphore.js';
import type { AlertDelivery } from '../../storage/meta/store.js';
import { guardedLookup, literalRefusal, RefusedDestination, type DestinationRules } from './address-guard.js';


export interface QueueOptions {
  attempts: number;
  /** The wait before the second attempt; it doubles for each one after. */
  backoffMs: number;
  timeoutMs: number;
  concurrency: number;
  /** Deliveries waiting or retrying; past this, new ones are dropped (and logged) rather than held without bound. */
  maxPending: number;
  destinations: DestinationRules;
}

export const QUEUE_DEFAULTS: QueueOptions = {
  attempts: 6, backoffMs: 1000, timeoutMs: 10_000, concurrency: 8, maxPending: 10_000, destinations: { allowPrivate: true },
};

type Attempt = { ok: true } | { ok: false; retry: boolean; reason: string };

/** POSTs JSON and answers the status; the connection goes only to addresses `rules` allow. */
function postJson(url: URL, body: unknown, rules: DestinationRules, signal: AbortSignal): Promise<number> {
  const literal = literalRefusal(url, rules);
  if (literal) return Promise.reject(new RefusedDestination(literal));
  const payload = JSON.stringify(body);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'user-agent': 'loglake-alerts' },
      lookup: guardedLookup(rules),
      signal,
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Timeouts, network errors, 5xx, 408 and 429 are worth another attempt; a refused address or any other refusal is not. */
async function post(url: string, body: unknown, opts: QueueOptions, signal: AbortSignal): Promise<Attempt> {
  try {
    const status = await postJson(new URL(url), body, opts.destinations, AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs)]));
    if (status >= 200 && status < 300) return { ok: true };
    return { ok: false, retry: status >= 500 || status === 408 || status === 429, reason: `HTTP ${status}` };
  } catch (err) {
    return { ok: false, retry: !(err instanceof RefusedDestination), reason: (err as Error).message };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

export class NotificationQueue {
  private readonly slots: Semaphore;
  private readonly tasks = new Set<Promise<void>>();
  /** Ends backoff waits at stop; `requests` ends attempts still running at the deadline. */
  private readonly waits = new AbortController();
  private readonly requests = new AbortController();

  constructor(
    private readonly logger: Logger,
    private readonly opts: QueueOptions = QUEUE_DEFAULTS,
  ) {
    this.slots = new Semaphore(opts.concurrency);
  }

  /**
   * `settled` runs once the delivery is done with: delivered, or given up after its attempts. It does not
   * run for one cut short by `stop` or dropped as over `maxPending`: those stay owed.
   */
  enqueue(delivery: AlertDelivery, settled?: () => void): void {
    if (this.waits.signal.aborted) return;
    if (this.tasks.size >= this.opts.maxPending) {
      this.logger.error({ destination: delivery.label }, `alerts: ${this.opts.maxPending} notifications pending; this one waits for a later pass`);
      return;
    }
    const task = this.deliver(delivery)
      .then((done) => {
        if (done) settled?.();
      })
      .finally(() => this.tasks.delete(task));
    this.tasks.add(task);
  }

  /** True when done with (delivered or given up), false when cut short by `stop`. */
  private async deliver(d: AlertDelivery): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const release = await this.slots.acquire();
      let result: Attempt;
      try {
        result = await post(d.url, d.body, this.opts, this.requests.signal);
      } finally {
        release();
      }
      if (result.ok) return true;
      if (result.retry && attempt < this.opts.attempts) await sleep(this.opts.backoffMs * 2 ** (attempt - 1), this.waits.signal);
      if (this.waits.signal.aborted && result.retry && attempt < this.opts.attempts) return false;
      if (!result.retry || attempt >= this.opts.attempts) {
        this.logger.warn({ destination: d.label, attempts: attempt, reason: result.reason }, 'alerts: a notification could not be delivered');
        return true;
      }
    }
  }

  /** Takes no more; attempts under way get until the deadline; retries not yet due are left unsettled (still owed). */
  async stop(deadlineMs = 2000): Promise<void> {
    this.waits.abort();
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, deadlineMs).unref());
    await Promise.race([Promise.all(this.tasks), deadline]);
    this.requests.abort();
    await Promise.all(this.tasks);
  }
}
