import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Batch, Table } from '../../core/records.js';
import { RateMeter } from '../../core/meter.js';
import { DEFAULT_PLANS } from '../../config/plans.js';
import { Limiter } from '../../server/limits/limiter.js';
import { createHttpServer } from '../../server/http.js';
import { FileMetaStore } from '../../storage/meta/file-store.js';
import { bootstrap, type BootstrapInfo } from '../../storage/meta/bootstrap.js';
import { BusUnconfirmedError, type Bus } from '../../storage/bus/bus.js';
import type { MetaStore } from '../../storage/meta/store.js';
import type { Consumer, Host, Receiver, ReceiverFactory, Signal } from '../component.js';
import { ComponentCounters } from '../counters.js';

/**
 * What receiver tests share: a host with a real metadata store holding the bootstrap keys, a real HTTP
 * server, and consumers that record what a receiver hands on (optionally failing, to test that a
 * receiver never answers success for a batch the bus refused).
 */
export interface ReceiverHarness {
  http: FastifyInstance;
  keys: BootstrapInfo['keys'];
  /** The store behind the keys: tests create keys with other scopes or environments here. */
  meta: MetaStore;
  batches: Batch[];
  /** Records handed on, per table. */
  records(table: Table): Record<string, unknown>[];
  /** Makes the next `n` consume calls fail as a bus outage would: unconfirmed. */
  failNext(n: number): void;
  /** Makes consume calls wait, as a stalled bus would, until the returned function is called. */
  holdConsumes(): () => void;
  receiver: Receiver;
  close(): Promise<void>;
}

export async function receiverHarness<C>(factory: ReceiverFactory<C>, config: unknown = {}, signals: readonly Signal[] = factory.signals): Promise<ReceiverHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'loglake-receiver-'));
  const meta = new FileMetaStore(join(dir, 'meta'));
  await meta.open();
  const info = (await bootstrap(meta, dir, { region: 'eu', adminEmail: 'admin@test' }))!;
  const logger = pino({ level: 'silent' });
  const http = createHttpServer({ bodyLimit: 16 * 1024 * 1024, logger });
  const batches: Batch[] = [];
  let failures = 0;
  let held: Promise<void> | null = null;
  const consumer: Consumer = {
    async consume(batch) {
      while (held) await held;
      if (failures > 0) {
        failures--;
        throw new BusUnconfirmedError('the bus did not confirm within 1 ms');
      }
      batches.push(structuredClone(batch));
    },
  };
  const host: Host = { logger, http, bus: undefined as unknown as Bus, meta, ingested: new RateMeter(), limits: new Limiter(meta, DEFAULT_PLANS), counters: new ComponentCounters() };
  const consumers = Object.fromEntries(signals.map((s) => [s, consumer]));
  const receiver = factory.create(factory.configSchema.parse(config), { id: factory.type, host, consumers });
  await receiver.start?.();
  await http.ready();
  return {
    http,
    keys: info.keys,
    meta,
    batches,
    records: (table) => batches.filter((b) => b.table === table).flatMap((b) => b.records as unknown as Record<string, unknown>[]),
    failNext: (n) => {
      failures = n;
    },
    holdConsumes: () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      held = gate;
      return () => {
        if (held === gate) held = null;
        release();
      };
    },
    receiver,
    async close() {
      await receiver.shutdown?.();
      await http.close();
      await meta.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
