/**
 * `npm run bench -- --table`: per surface, from one run on the same bodies, the stage ceilings
 * (`ceilings.ts`, in this process, before the end-to-end run so the two do not compete for the cores)
 * and the end-to-end run (`e2e.ts`), whose records/s is given as a fraction of the slowest ceiling. Each
 * surface's figures go to stderr as JSON while the run goes on; the table to stdout, in Markdown.
 *
 *   npm run bench -- --table [--surfaces all|id,id…] [--seconds 10] [--clients 8] [--bus embedded|jetstream] [--batches 200] [--rounds 3]
 *
 * The ceilings are records per CPU-second of one core; the end-to-end figure is records per wall-second
 * on the whole machine (both cores, shared with the load generator), so a fraction above 1 is possible.
 * "All three on one core" adds up the costs of parse → payloads, the bus and DuckDB per record: what one
 * core doing every stage in turn would reach.
 */
import { parseArgs } from 'node:util';
import { startOwnNats } from '../test/helpers/nats.js';
import { measureCeilings, type Ceilings } from './ceilings.js';
import { machine, runEndToEnd, type EndToEnd } from './e2e.js';
import { SURFACES, surfacesOf } from './surfaces.js';

const { values } = parseArgs({
  options: {
    table: { type: 'boolean' },
    surfaces: { type: 'string', default: 'all' },
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '8' },
    bus: { type: 'string', default: 'embedded' },
    batches: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
  },
});

const n = (x: number) => x.toLocaleString('en-US');
const pair = (x: { p50: number; p99: number } | null) => (x ? `${n(x.p50)} / ${n(x.p99)}` : 'n/a');

/** The stage that bounds the surface: the slowest of parse → bus payloads, the bus in use, and DuckDB. */
function slowest(c: Ceilings, bus: EndToEnd['bus']): { stage: string; rate: number } {
  const stages = [
    { stage: 'parse → payloads', rate: c.parse_to_bus_payloads },
    { stage: 'bus', rate: bus === 'jetstream' ? c.jetstream_publish! : c.embedded_bus_publish },
    { stage: 'DuckDB', rate: c.duckdb_write },
  ];
  return stages.reduce((a, b) => (b.rate < a.rate ? b : a));
}

/** All three in turn on one core: what one process would reach if nothing ran side by side. */
function serial(c: Ceilings, bus: EndToEnd['bus']): number {
  return 1 / (1 / c.parse_to_bus_payloads + 1 / (bus === 'jetstream' ? c.jetstream_publish! : c.embedded_bus_publish) + 1 / c.duckdb_write);
}

function row(c: Ceilings, e: EndToEnd): string {
  const bound = slowest(c, e.bus);
  return `| ${SURFACES[c.surface].name} | ${n(c.parse)} | ${n(c.parse_validate_map)} | ${n(c.parse_to_bus_payloads)} | ${n(c.embedded_bus_publish)}${c.jetstream_publish === null ? '' : ` / ${n(c.jetstream_publish)}`} | ${n(c.duckdb_write)} | ${n(Math.round(serial(c, e.bus)))} `
    + `| ${n(e.end_to_end_records_per_s)} | ${(e.end_to_end_records_per_s / bound.rate).toFixed(2)} (${bound.stage}) | ${pair(e.sampled_ack_ms)} | ${pair(e.sampled_visible_ms)} (${e.samples.visible}${e.samples.missing ? `, ${e.samples.missing} missing` : ''}) | ${pair(e.sampled_visible_at_query_ms)} | ${pair(e.probe_query_ms)} `
    + `| ${e.loglake_cpu_s_per_million_records} | ${e.nats_cpu_s_per_million_records ?? 'n/a'} | ${e.rss_mb.max}${e.nats_rss_max_mb === null ? '' : ` / ${e.nats_rss_max_mb}`} |`;
}

const nats = values.bus === 'jetstream' ? await startOwnNats() : undefined;
const rows: string[] = [];
try {
  for (const surface of surfacesOf(values.surfaces)) {
    const ceilings = await measureCeilings(surface, { batches: Number(values.batches), rounds: Number(values.rounds), nats });
    console.error(JSON.stringify(ceilings));
    const e2e = await runEndToEnd(surface, { seconds: Number(values.seconds), clients: Number(values.clients), nats });
    console.error(JSON.stringify(e2e));
    rows.push(row(ceilings, e2e));
  }
} finally {
  await nats?.stop();
}
console.log(`${new Date().toISOString()}, ${machine()}, bus ${values.bus}, ${values.clients} clients × ${values.seconds} s, ceilings: median of ${values.rounds} rounds of ${values.batches} bodies\n`);
console.log('| surface | parse | + validate, map | + processors, bus payloads | bus publish (embedded' + (nats ? ' / JetStream' : '') + ') | DuckDB write | all three on one core | end to end per s | ÷ slowest ceiling | sampled ack p50 / p99 ms | sampled visible p50 / p99 ms (samples) | visible by the query sent, p50 / p99 ms | probe query p50 / p99 ms | loglake CPU-s per M | nats-server CPU-s per M | max RSS MB (loglake' + (nats ? ' / nats-server' : '') + ') |');
console.log(`|${'---|'.repeat(16)}`);
for (const r of rows) console.log(r);
