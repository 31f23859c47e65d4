/**
 * `npm run bench:stages`: each part of the GoodLogs `/v1/logs` path alone, in this process, on the
 * benchmark's own 500-record bodies, as records per CPU-second of one core (CPU time, not wall time, so a
 * busy machine skews it less). The parts' ceilings, to set beside `npm run bench`'s end-to-end figure.
 *
 *   npm run bench:stages -- [--batches 400] [--rounds 5]
 *
 * Stages, each including the ones before it up to the bus: JSON.parse of the bodies; + item validation and
 * mapping (`items.ts`); + the default logs processors; + encoding into bus payloads (`producer.ts`). Then
 * alone: the embedded bus's publish of those payloads (fsync'd), and DuckDB writing them into Parquet.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { goodlogsConfig } from '../collector/receivers/goodlogs/config.js';
import { toLogRecord } from '../collector/receivers/goodlogs/items.js';
import { processorFactories } from '../collector/registry.js';
import type { SignalBatch } from '../collector/component.js';
import type { LogRecord } from '../core/records.js';
import type { Bus, OutgoingMessage } from '../storage/bus/bus.js';
import { EmbeddedBus } from '../storage/bus/embedded.js';
import { publishBatch } from '../storage/bus/producer.js';
import { isColumnar } from '../storage/lake/encode.js';
import { ParquetWriter } from '../storage/lake/parquet.js';
import { logItem } from '../test/helpers/load.js';

const { values } = parseArgs({ options: { batches: { type: 'string', default: '400' }, rounds: { type: 'string', default: '5' } } });
const BATCHES = Number(values.batches);
const ROUNDS = Number(values.rounds);
const BATCH = 500;

// The same bodies as `npm run bench` sends.
const bodies = Array.from({ length: 64 }, (_, b) => JSON.stringify({ batch: Array.from({ length: BATCH }, (_, i) => {
  const item = logItem(b * BATCH + i);
  delete item.id;
  return item;
}) }));
const config = goodlogsConfig.parse({});
const processors = (['severity', 'flatten', 'useragent', 'ip'] as const).map((type) => {
  const factory = processorFactories[type];
  return factory.create(factory.configSchema.parse({}), { id: type, host: {} as never });
});
const context = { receiver: 'goodlogs', remoteAddress: '127.0.0.1', headers: { 'user-agent': 'curl/8.5.0' } };

function cpuMicros(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

/** One request's work up to `depth` stages; publishes the payloads into `sink` at the last. */
async function request(i: number, depth: number, sink: Bus): Promise<void> {
  const body = JSON.parse(bodies[i % bodies.length]) as { batch: unknown[] };
  if (depth < 2) return;
  const now = new Date().toISOString();
  const records: LogRecord[] = [];
  for (const item of body.batch) {
    const result = toLogRecord(item, 'bench-project', now, config);
    if (result.ok) records.push(result.record);
  }
  if (depth < 3) return;
  let batch: SignalBatch = { table: 'logs', projectId: 'bench-project', records, context };
  for (const p of processors) batch = p.process(batch);
  if (depth < 4) return;
  await publishBatch(sink, batch, { attempts: 1, timeoutMs: 10_000 });
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

async function main() {
  // Kept from the last round only, for the bus and DuckDB stages: holding every round's would load the GC.
  const payloads: OutgoingMessage[] = [];
  let keep = false;
  const collect: Bus = { publish: async (m: OutgoingMessage) => void (keep && payloads.push(m)) } as Bus;
  const stages = ['parse', 'parse + validate + map', '+ processors', '+ encode bus payloads'];
  const perRound: number[][] = stages.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (let s = 0; s < stages.length; s++) {
      keep = round === ROUNDS - 1;
      const start = process.cpuUsage();
      for (let i = 0; i < BATCHES; i++) await request(i, s + 1, collect);
      perRound[s].push((BATCHES * BATCH) / (cpuMicros(start) / 1e6));
    }
  }
  const figures: Record<string, number> = {};
  stages.forEach((s, i) => (figures[`${s}, records per CPU-s`] = Math.round(median(perRound[i]))));
  const rows = payloads.reduce((n, m) => n + m.rows, 0);
  const bytes = payloads.reduce((n, m) => n + m.data.length, 0);
  figures['bus payload bytes per record'] = Math.round(bytes / rows);

  const dir = mkdtempSync(join(tmpdir(), 'loglake-stages-'));
  try {
    const bus = new EmbeddedBus({ dir: join(dir, 'bus'), duplicateWindowSeconds: 120 });
    await bus.start();
    let start = process.cpuUsage();
    let wall = performance.now();
    // 8 publishers at a time, as 8 clients' requests would be.
    for (let i = 0; i < payloads.length; i += 8) await Promise.all(payloads.slice(i, i + 8).map((m, j) => bus.publish({ ...m, msgId: `m-${i + j}` })));
    figures['embedded bus publish, records per CPU-s'] = Math.round(rows / (cpuMicros(start) / 1e6));
    figures['embedded bus publish, records per wall-s'] = Math.round(rows / ((performance.now() - wall) / 1000));
    await bus.close();

    // Staged as the writer stages them: columnar payloads and NDJSON rows apart.
    const staged = { rows: [join(dir, 'staged.ndjson')], columns: [join(dir, 'staged.columns.ndjson')] };
    writeFileSync(staged.rows[0], Buffer.concat(payloads.filter((m) => !isColumnar(m.data)).map((m) => m.data)));
    writeFileSync(staged.columns[0], Buffer.concat(payloads.filter((m) => isColumnar(m.data)).map((m) => m.data)));
    if (payloads.every((m) => isColumnar(m.data))) staged.rows = [];
    if (!payloads.some((m) => isColumnar(m.data))) staged.columns = [];
    const parquet = await ParquetWriter.create();
    start = process.cpuUsage();
    wall = performance.now();
    const written = await parquet.fromStaged('logs', staged, join(dir, 'out.parquet'));
    // DuckDB works on its own thread; the process's CPU time counts it.
    figures['DuckDB staged → Parquet, records per CPU-s'] = Math.round(written / (cpuMicros(start) / 1e6));
    figures['DuckDB staged → Parquet, records per wall-s'] = Math.round(written / ((performance.now() - wall) / 1000));
    parquet.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ batches: BATCHES, batch: BATCH, rounds: ROUNDS, ...figures }, null, 2));
}

await main();
