import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The environment that makes a started loglake write its CPU profile into `dir` when it stops (`cpu-profile.mjs`). */
export function profileEnv(dir: string | undefined): Record<string, string> {
  if (!dir) return {};
  return {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${pathToFileURL(join(import.meta.dirname, 'cpu-profile.mjs')).href}`,
    LOGLAKE_CPU_PROF_DIR: dir,
  };
}
