/**
 * The skip index's build cost beside the merge it rides on (issue 14): for a few logs hour files, µs of this
 * process's CPU per row to index each file (as compaction's hook does) and to merge it (sort + write, as
 * compaction does), on one DuckDB thread, median over runs; plus each index's SHA-256, so two builds can
 * be compared byte for byte. Files are only read: indexes and merged copies go to a temp directory.
 *
 *   npx tsx bench/skip-build.ts [--files 4] [--runs 5] DIR|FILE…   (DIR: a lake, or a folder of hour files)
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ParquetWriter } from '../storage/lake/parquet.js';
import { indexPathOf, writeSkipIndex } from '../storage/lake/skip-index.js';

const { values, positionals } = parseArgs({
  options: { files: { type: 'string', default: '4' }, runs: { type: 'string', default: '5' } },
  allowPositionals: true,
});

function parquetFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return (readdirSync(path, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.parquet') && !f.includes('_retired'))
    .sort()
    .map((f) => join(path, f));
}

/** Spread over the lake (every n-th file), so the sample is not one day's. */
function sample(all: string[], n: number): string[] {
  const step = Math.max(1, Math.floor(all.length / n));
  return all.filter((_, i) => i % step === 0).slice(0, n);
}

const cpuMicros = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from);
  return d.user + d.system;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const files = sample(positionals.flatMap(parquetFiles), Number(values.files));
if (files.length === 0) throw new Error('no .parquet files given');
const out = mkdtempSync(join(tmpdir(), 'loglake-skip-build-'));
const parquet = await ParquetWriter.create(1);
const rows = files.map(() => 0);
const index: number[] = [];
const merge: number[] = [];
const digests = new Map<string, string>();
try {
  for (let run = 0; run < Number(values.runs); run++) {
    let indexCpu = 0;
    let mergeCpu = 0;
    let total = 0;
    for (const [i, file] of files.entries()) {
      const copy = join(out, `${i}-${basename(file)}`);
      let t = process.cpuUsage();
      rows[i] = await parquet.merge('logs', [file], copy);
      mergeCpu += cpuMicros(t);
      total += rows[i];
      t = process.cpuUsage();
      // The hook itself (build, encode, write), over the source file, named as the copy so it lands in `out`.
      if (!(await parquet.withConnection((conn) => writeSkipIndex(conn, 'logs', file, copy)))) throw new Error(`no index for ${file}`);
      indexCpu += cpuMicros(t);
      digests.set(file, createHash('sha256').update(readFileSync(indexPathOf(copy))).digest('hex').slice(0, 16));
      rmSync(copy, { force: true });
    }
    index.push(indexCpu / total);
    merge.push(mergeCpu / total);
  }
} finally {
  parquet.close();
  rmSync(out, { recursive: true, force: true });
}
console.log(JSON.stringify({
  files: files.length, rows: rows.reduce((a, b) => a + b, 0), runs: index.length, loadavg: loadavg().map((l) => Number(l.toFixed(2))),
  indexMicrosPerRow: Number(median(index).toFixed(2)), mergeMicrosPerRow: Number(median(merge).toFixed(2)),
  indexOverMerge: Number((median(index) / median(merge)).toFixed(2)),
  indexRuns: index.map((x) => Number(x.toFixed(2))), mergeRuns: merge.map((x) => Number(x.toFixed(2))),
  digests: Object.fromEntries(digests),
}, null, 2));
