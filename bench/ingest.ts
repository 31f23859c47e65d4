/**
 * `npm run bench`: sustained ingest through the whole spine (bus → writer → Parquet) from a surface's
 * clients, one run per surface against a fresh process (`e2e.ts`). Prints the figures recorded in
 * bench/README.md, one JSON object per surface.
 *
 *   npm run bench -- [--surfaces goodlogs-logs|all|id,id…] [--seconds 30] [--clients 8] [--bus embedded|jetstream] [--cpu-prof DIR] [--loop-delay]
 *
 * `--flush-ms N` sets the writer's flush interval (`storage.writer.flush_interval_ms`, 500 ms by default).
 * `--bus jetstream` starts a `nats-server -js` of the benchmark's own for the runs, so that its CPU is
 * counted too. `--cpu-prof DIR` writes each started process's V8 CPU profile into DIR when it stops;
 * `--loop-delay` adds its event loop's delay, CPU wait and GC pauses to the figures. Both slow it down.
 * `npm run bench -- --table` (run.ts sends it to `table.ts`) adds each surface's stage ceilings and prints one table.
 */
import { parseArgs } from 'node:util';
import { startOwnNats } from '../test/helpers/nats.js';
import { machine, runEndToEnd } from './e2e.js';
import { surfacesOf } from './surfaces.js';

const { values } = parseArgs({
  options: {
    surfaces: { type: 'string', default: 'goodlogs-logs' },
    seconds: { type: 'string', default: '30' },
    clients: { type: 'string', default: '8' },
    bus: { type: 'string', default: 'embedded' },
    'flush-ms': { type: 'string' },
    'cpu-prof': { type: 'string' },
    'loop-delay': { type: 'boolean', default: false },
  },
});

const nats = values.bus === 'jetstream' ? await startOwnNats() : undefined;
try {
  for (const surface of surfacesOf(values.surfaces)) {
    const figures = await runEndToEnd(surface, { seconds: Number(values.seconds), clients: Number(values.clients), nats, cpuProf: values['cpu-prof'], loopDelay: values['loop-delay'], flushMs: values['flush-ms'] ? Number(values['flush-ms']) : undefined });
    console.log(JSON.stringify({ machine: machine(), ...figures }, null, 2));
  }
} finally {
  await nats?.stop();
}
