import { randomUUID } from 'node:crypto';

export interface SendOptions {
  url: string;
  key: string;
  table: 'logs' | 'events';
  batches: number;
  batchSize: number;
  concurrency: number;
  /** Stops sending new batches once true; batches in flight finish. */
  stop?: () => boolean;
}

export interface SendResult {
  /** Ids of records in batches answered 202. */
  acked: string[];
  /** Ids of records in batches that failed (connection refused or reset, 5xx): never acknowledged. */
  unacked: string[];
  statuses: number[];
}

export function logItem(i: number): Record<string, unknown> {
  const severities = ['debug', 'info', 'info', 'info', 'warn', 'error'];
  return {
    id: randomUUID(),
    severity: severities[i % severities.length],
    message: `request ${i} handled in ${i % 997} ms`,
    properties: { service: `svc-${i % 5}`, duration_ms: i % 997, user: { id: `u_${i % 321}` } },
  };
}

export function eventItem(i: number): Record<string, unknown> {
  return { id: randomUUID(), event: ['page_view', 'signup', 'purchase'][i % 3], distinctId: `user_${i % 250}`, properties: { plan: i % 2 ? 'pro' : 'free', amount: i % 100 } };
}

/** Sends GoodLogs batches from several concurrent clients, remembering which records were acknowledged. */
export async function sendBatches(opts: SendOptions): Promise<SendResult> {
  const result: SendResult = { acked: [], unacked: [], statuses: [] };
  let next = 0;
  const make = opts.table === 'logs' ? logItem : eventItem;
  const client = async () => {
    while (next < opts.batches && !opts.stop?.()) {
      const b = next++;
      const batch = Array.from({ length: opts.batchSize }, (_, j) => make(b * opts.batchSize + j));
      const ids = batch.map((item) => item.id as string);
      try {
        const res = await fetch(`${opts.url}/v1/${opts.table}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${opts.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ batch }),
        });
        result.statuses.push(res.status);
        const body = (await res.json()) as { accepted?: number };
        if (res.status === 202 && body.accepted === batch.length) result.acked.push(...ids);
        else result.unacked.push(...ids);
      } catch {
        result.unacked.push(...ids);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, client));
  return result;
}
