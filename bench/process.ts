import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const preload = (name: string) => `--import ${pathToFileURL(join(import.meta.dirname, name)).href}`;

/**
 * The environment that makes a started loglake write, when it stops, its event loop's delays and GC
 * pauses into `loopFile` (`loop-delay.mjs`) and its CPU profile into `profileDir` (`cpu-profile.mjs`),
 * each when given. Both cost the process being measured: the loop's sampling alone took 15–25 % of
 * GoodLogs' records/s (bench/README.md), so neither is on by default.
 */
export function preloadEnv(loopFile: string | undefined, profileDir: string | undefined): Record<string, string> {
  const imports = [...(loopFile ? [preload('loop-delay.mjs')] : []), ...(profileDir ? [preload('cpu-profile.mjs')] : [])];
  if (imports.length === 0) return {};
  return {
    NODE_OPTIONS: [process.env.NODE_OPTIONS ?? '', ...imports].join(' ').trim(),
    ...(loopFile ? { LOGLAKE_LOOP_FILE: loopFile } : {}),
    ...(profileDir ? { LOGLAKE_CPU_PROF_DIR: profileDir } : {}),
  };
}

/** User + system CPU seconds a process has used so far (all its threads: DuckDB's too). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A process's resident memory in MB; 0 once it is gone. */
export function rssMb(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}
