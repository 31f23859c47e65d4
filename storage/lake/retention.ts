import { mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import { hourKey } from './layout.js';
import { moveAside, type LakeManifest } from './manifest.js';
import { indexPathOf } from './skip-index.js';

/**
 * Drops whole hour partitions older than the retention period, by the real clock: a pinned query clock
 * (`query.now`) makes reports reproducible and must never make data look old enough to delete.
 * Dropped files go to `_retired/` like compacted ones, and are deleted after the same grace.
 */
export async function dropExpired(manifest: LakeManifest, lakeDir: string, days: number, logger: Logger, now = Date.now()): Promise<number> {
  if (days <= 0) return 0;
  // An hour partition is expired once its whole hour lies before the cut.
  const cut = hourKey(new Date(now - days * 86_400_000 - 3_600_000));
  const expired = manifest.all().filter((f) => f.hour < cut);
  if (expired.length === 0) return 0;
  if (!(await manifest.replace([], expired.map((f) => f.path)))) return 0;
  const retired = join(lakeDir, '_retired');
  mkdirSync(retired, { recursive: true });
  for (const f of expired) {
    moveAside(manifest.absolute(f.path), join(retired, `${now}-${basename(f.path)}`));
    rmSync(indexPathOf(manifest.absolute(f.path)), { force: true });
  }
  logger.info({ files: expired.length, before: cut }, 'retention: dropped expired partitions');
  return expired.length;
}
