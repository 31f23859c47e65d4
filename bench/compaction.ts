/**
 * `npm run bench:compaction`: what compaction costs per row, which `npm run bench`'s runs (shorter than one
 * compaction interval) never see. For each logs surface, the writer's rolling files are made from the
 * end-to-end run's bodies through the receiver, the default processors, the bus encoding and the writer's
 * Parquet write; then, as compaction does per merge: the pattern miner, the merge (sort + write, with the
 * pattern ids) and the skip index, each in µs of this process's CPU per row (DuckDB's thread included), one
 * DuckDB thread, median of `--runs`. Steady-state CPU per record is about `npm run bench`'s figure plus this
 * (each row is merged once when the current hour's merges reach the target size, more often below it).
 * Also the process's peak RSS in each step (sampled every 10 ms while DuckDB works), the largest of the runs.
 *
 *   npm run bench:compaction -- [--surfaces goodlogs-logs|all|id,id…] [--files 8] [--runs 3]
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { OutgoingMessage } from '../storage/bus/bus.js';
import { PatternMiner, PatternStore } from '../storage/catalog/patterns.js';
import { ParquetWriter } from '../storage/lake/parquet.js';
import { writeSkipIndex } from '../storage/lake/skip-index.js';
import { payloadEncoder } from './ceilings.js';
import { receiverPath } from './paths.js';
import { BATCH, surfacesOf } from './surfaces.js';

const { values } = parseArgs({ options: { surfaces: { type: 'string', default: 'goodlogs-logs' }, files: { type: 'string', default: '8' }, runs: { type: 'string', default: '3' } } });
/** Bodies per rolling file: 75,000 rows, what a 500 ms flush holds at 150,000 records a second. */
const BODIES_PER_FILE = 150;

const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const micros = (seconds: number, rows: number) => Number(((seconds / rows) * 1e6).toFixed(2));

/** The process's largest RSS since the last `take`, in MB. */
function rssPeaks() {
  let peak = 0;
  const sample = () => (peak = Math.max(peak, process.memoryUsage.rss()));
  const timer = setInterval(sample, 10);
  return {
    take: () => {
      sample();
      const mb = Math.round(peak / 2 ** 20);
      peak = 0;
      return mb;
    },
    stop: () => clearInterval(timer),
  };
}

/** The writer's rolling files of `files` × BODIES_PER_FILE bodies of the surface. */
async function rollingFiles(surface: ReturnType<typeof surfacesOf>[number], files: number, dir: string, writer: ParquetWriter): Promise<string[]> {
  const path = receiverPath(surface.id);
  const out: string[] = [];
  let body = 0;
  for (let f = 0; f < files; f++) {
    const payloads: OutgoingMessage[] = [];
    const encoded = payloadEncoder(surface.table, (m) => payloads.push(m));
    for (let i = 0; i < BODIES_PER_FILE; i++) await path.accept(surface.body(body++), encoded);
    const staged = join(dir, `staged-${f}.columns.ndjson`);
    writeFileSync(staged, Buffer.concat(payloads.map((m) => m.data)));
    const file = join(dir, `rolling-${f}.parquet`);
    await writer.fromStaged(surface.table, { rows: [], columns: [staged] }, file);
    rmSync(staged);
    out.push(file);
  }
  return out;
}

for (const surface of surfacesOf(values.surfaces)) {
  if (surface.table !== 'logs') continue;
  const dir = mkdtempSync(join(tmpdir(), 'loglake-bench-compaction-'));
  const writer = await ParquetWriter.create(1);
  try {
    const sources = await rollingFiles(surface, Number(values.files), dir, writer);
    const rows = sources.length * BODIES_PER_FILE * BATCH;
    const runs = { patterns: [] as number[], merge: [] as number[], index: [] as number[] };
    const rss = rssPeaks();
    const peaks = { files: rss.take(), miner: 0, merge: 0, index: 0 };
    let bytes = 0;
    for (let r = 0; r < Number(values.runs); r++) {
      const patterns = join(dir, `patterns-${r}`);
      mkdirSync(patterns);
      const target = join(dir, `merged-${r}.parquet`);
      const t0 = cpuSeconds();
      const withPatterns = await new PatternMiner(new PatternStore(patterns)).mine(writer, 'p', 'logs', sources);
      const t1 = cpuSeconds();
      peaks.miner = Math.max(peaks.miner, rss.take());
      if ((await writer.merge('logs', sources, target, withPatterns)) !== rows) throw new Error('the merge lost rows');
      const t2 = cpuSeconds();
      peaks.merge = Math.max(peaks.merge, rss.take());
      if (!(await writer.withConnection((conn) => writeSkipIndex(conn, 'logs', target, target)))) throw new Error('no skip index was written');
      const t3 = cpuSeconds();
      peaks.index = Math.max(peaks.index, rss.take());
      runs.patterns.push(t1 - t0);
      runs.merge.push(t2 - t1);
      runs.index.push(t3 - t2);
      bytes = statSync(target).size;
    }
    rss.stop();
    const [patterns, merge, index] = [median(runs.patterns), median(runs.merge), median(runs.index)];
    console.log(JSON.stringify({
      surface: surface.id, rolling_files: sources.length, rows, runs: runs.merge.length,
      patterns_us_per_row: micros(patterns, rows), merge_us_per_row: micros(merge, rows), index_us_per_row: micros(index, rows),
      compaction_cpu_s_per_million_records: Number(((patterns + merge + index) / rows * 1e6).toFixed(1)),
      merged_bytes_per_record: Number((bytes / rows).toFixed(1)),
      peak_rss_mb: peaks,
    }, null, 2));
  } finally {
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
