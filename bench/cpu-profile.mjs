/**
 * Preloaded into the process under benchmark (`--import`) by `npm run bench -- --cpu-prof DIR`: node refuses
 * `--cpu-prof` in NODE_OPTIONS, so this takes the same V8 profile through the inspector and writes it as
 * `DIR/<pid>.cpuprofile` when the process exits.
 */
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.LOGLAKE_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  // The main thread's session answers synchronously, so the profile is written before the process ends.
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
