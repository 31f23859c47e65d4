/**
 * Preloaded into the process under benchmark (`--import`) by `npm run bench`: how late the event loop runs
 * a 10 ms timer (what `perf_hooks.monitorEventLoopDelay` measures, but kept per sample with its time, so
 * the benchmark can take the load's window alone and line stalls up with other events), how long the main
 * thread waited for a CPU meanwhile (the scheduler's run-queue wait, `/proc/…/schedstat`: a loop that is
 * late while its thread waits is starved by other threads and processes, not held by its own work), and
 * each GC pause.
 * Written as JSON to `LOGLAKE_LOOP_FILE` when the process exits.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';

const file = process.env.LOGLAKE_LOOP_FILE;
if (file) {
  const EVERY_MS = 10;
  const schedstat = `/proc/self/task/${process.pid}/schedstat`;
  /** The main thread's run-queue wait so far, in ms. */
  const waited = () => Number(readFileSync(schedstat, 'utf8').split(' ')[1]) / 1e6;
  /** [ms since the epoch, ms late, ms waited for a CPU since the sample before], flat. */
  const delays = [];
  const gcs = [];
  let expected = performance.now() + EVERY_MS;
  let waitedBefore = waited();
  setInterval(() => {
    const now = performance.now();
    const w = waited();
    delays.push(Math.round(performance.timeOrigin + now), +(now - expected).toFixed(1), +(w - waitedBefore).toFixed(1));
    expected = now + EVERY_MS;
    waitedBefore = w;
  }, EVERY_MS).unref();
  const kinds = { [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb' };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push([Math.round(performance.timeOrigin + e.startTime), +e.duration.toFixed(1), kinds[e.detail?.kind] ?? String(e.detail?.kind)]);
  }).observe({ entryTypes: ['gc'] });
  process.on('exit', () => writeFileSync(file, JSON.stringify({ everyMs: EVERY_MS, delays, gcs })));
}
