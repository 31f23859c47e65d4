/**
 * Each stage of a surface's ingest alone, in this process, on the end-to-end run's bodies, as records
 * per CPU-second of one core (CPU time, not wall time, so a busy machine skews it less; DuckDB's and the
 * bus's threads count, and for JetStream the nats-server's CPU too): the ceilings an end-to-end figure
 * sits under. Median of `rounds` rounds of `batches` bodies each.
 *
 * Stages: parse only; parse + validate and map (the receiver's path, `paths.ts`); + the default
 * pipeline's processors and the bus payload encoding (`publishBatch`). Then, alone, on those payloads:
 * the embedded bus's publish (fsync'd) and JetStream's (on `nats`), and DuckDB writing them into Parquet
 * from the writer's staging files (`ParquetWriter.fromStaged`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer, SignalBatch } from '../collector/component.js';
import { processorFactories } from '../collector/registry.js';
import { configSchema } from '../config/schema.js';
import type { Bus, OutgoingMessage } from '../storage/bus/bus.js';
import { EmbeddedBus } from '../storage/bus/embedded.js';
import { JetStreamBus } from '../storage/bus/jetstream.js';
import { publishBatch } from '../storage/bus/producer.js';
import { isColumnar } from '../storage/lake/encode.js';
import { ParquetWriter } from '../storage/lake/parquet.js';
import { deleteStream, type OwnNats } from '../test/helpers/nats.js';
import { receiverPath } from './paths.js';
import { cpuSeconds } from './process.js';
import { BATCH, type Surface } from './surfaces.js';

export interface CeilingOptions {
  batches: number;
  rounds: number;
  /** JetStream's publish is measured on this server when given. */
  nats?: OwnNats;
}

/** As many distinct bodies as the end-to-end run cycles through. */
const BODIES = 64;
/** Publishers at a time, as the end-to-end run's 8 clients' requests would be. */
const PUBLISHERS = 8;

const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
const cpuOfThis = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** Records per CPU-second of `work`, counting this process and, when named, another one (nats-server). */
async function perCpuSecond(records: number, work: () => Promise<unknown>, otherPid?: number): Promise<number> {
  const other = () => (otherPid ? cpuSeconds(otherPid) : 0);
  const [self0, other0] = [cpuOfThis(), other()];
  await work();
  return records / (cpuOfThis() - self0 + (other() - other0));
}

/** The default pipeline's processors for `table`, as `loglake start` builds them from an empty config. */
function processorsFor(table: 'logs' | 'events') {
  const config = configSchema.parse({});
  return config.service.pipelines[table]!.processors.map((id) => {
    const factory = processorFactories[id as keyof typeof processorFactories];
    return factory.create(factory.configSchema.parse(config.processors[id] ?? {}), { id, host: {} as never });
  });
}

/**
 * What the receiver hands on, through the default pipeline's processors of `table` and the bus payload
 * encoding, with each payload given to `take` instead of a bus.
 */
export function payloadEncoder(table: 'logs' | 'events', take: (payload: OutgoingMessage) => void): Consumer {
  const processors = processorsFor(table);
  const bus = { publish: async (m: OutgoingMessage) => void take(m) } as Bus;
  return {
    async consume(batch) {
      let current = batch as SignalBatch;
      for (const p of processors) current = p.process(current);
      await publishBatch(bus, current, { attempts: 1, timeoutMs: 10_000 });
    },
  };
}

async function publishAll(bus: Bus, payloads: OutgoingMessage[], round: number): Promise<void> {
  for (let i = 0; i < payloads.length; i += PUBLISHERS) {
    await Promise.all(payloads.slice(i, i + PUBLISHERS).map((m, j) => bus.publish({ ...m, msgId: `r${round}-${i + j}` })));
  }
}

export async function measureCeilings(surface: Surface, opts: CeilingOptions) {
  const bodies = Array.from({ length: BODIES }, (_, b) => surface.body(b));
  const path = receiverPath(surface.id);
  const records = opts.batches * BATCH;
  // Payloads are kept from one round only: holding every round's would load the GC.
  let payloads: OutgoingMessage[] = [];
  const dropped: Consumer = { consume: async () => undefined };
  const encoded = payloadEncoder(surface.table, (m) => payloads.push(m));
  const each = async (work: (body: Buffer) => unknown) => {
    for (let i = 0; i < opts.batches; i++) await work(bodies[i % BODIES]);
  };

  const rounds = { parse: [] as number[], accept: [] as number[], encode: [] as number[], embedded: [] as number[], jetstream: [] as number[], duckdb: [] as number[] };
  for (let r = 0; r < opts.rounds; r++) {
    rounds.parse.push(await perCpuSecond(records, () => each((b) => path.parse(b))));
    rounds.accept.push(await perCpuSecond(records, () => each((b) => path.accept(b, dropped))));
    payloads = [];
    rounds.encode.push(await perCpuSecond(records, () => each((b) => path.accept(b, encoded))));
  }
  const rows = payloads.reduce((n, m) => n + m.rows, 0);
  const bytes = payloads.reduce((n, m) => n + m.data.length, 0);

  const dir = mkdtempSync(join(tmpdir(), 'loglake-stages-'));
  try {
    const embedded = new EmbeddedBus({ dir: join(dir, 'bus'), duplicateWindowSeconds: 120 });
    await embedded.start();
    for (let r = 0; r < opts.rounds; r++) rounds.embedded.push(await perCpuSecond(rows, () => publishAll(embedded, payloads, r)));
    await embedded.close();

    if (opts.nats) {
      const stream = `BENCH_STAGES_${Date.now()}`;
      const jetstream = new JetStreamBus({ url: opts.nats.url, stream, subjectPrefix: stream.toLowerCase(), duplicateWindowSeconds: 120, maxAgeHours: 1, ackWaitSeconds: 10, replicas: 1 });
      await jetstream.start();
      try {
        // The first publish waits for the connection and the stream: not part of any round.
        await jetstream.publish({ ...payloads[0], msgId: 'warm-up' });
        for (let r = 0; r < opts.rounds; r++) rounds.jetstream.push(await perCpuSecond(rows, () => publishAll(jetstream, payloads, r), opts.nats.proc.pid));
      } finally {
        await jetstream.close();
        await deleteStream(stream, opts.nats.url);
      }
    }

    // Staged as the writer stages them: columnar payloads and NDJSON rows apart.
    const staged = { rows: [join(dir, 'staged.ndjson')], columns: [join(dir, 'staged.columns.ndjson')] };
    writeFileSync(staged.rows[0], Buffer.concat(payloads.filter((m) => !isColumnar(m.data)).map((m) => m.data)));
    writeFileSync(staged.columns[0], Buffer.concat(payloads.filter((m) => isColumnar(m.data)).map((m) => m.data)));
    if (payloads.every((m) => isColumnar(m.data))) staged.rows = [];
    if (!payloads.some((m) => isColumnar(m.data))) staged.columns = [];
    const parquet = await ParquetWriter.create();
    try {
      for (let r = 0; r < opts.rounds; r++) rounds.duckdb.push(await perCpuSecond(rows, () => parquet.fromStaged(surface.table, staged, join(dir, `out-${r}.parquet`))));
    } finally {
      parquet.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    surface: surface.id,
    parse: median(rounds.parse),
    parse_validate_map: median(rounds.accept),
    parse_to_bus_payloads: median(rounds.encode),
    bus_payload_bytes_per_record: Math.round(bytes / rows),
    embedded_bus_publish: median(rounds.embedded),
    jetstream_publish: opts.nats ? median(rounds.jetstream) : null,
    duckdb_write: median(rounds.duckdb),
  };
}

export type Ceilings = Awaited<ReturnType<typeof measureCeilings>>;
