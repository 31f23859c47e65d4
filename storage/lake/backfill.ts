import { existsSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LakeFile, LakeManifest } from './manifest.js';
import { indexPathOf, writeSkipIndex } from './skip-index.js';

/**
 * Skip indexes for the logs files that lack one: files from before the index existed, and the files of
 * closed hours no merge rewrites (an hour's only flush). Compaction indexes the files it merges; this gives
 * old lakes their indexes a few files per round, so that a round stays short beside the writer.
 */
export class IndexBackfill {
  /** Live files known to have an index, or whose index could not be built (not retried until restart). */
  private done = new Set<string>();

  constructor(
    private readonly manifest: LakeManifest,
    private readonly perRound: number,
  ) {}

  /** Indexes up to `perRound` live logs files of hours before `currentHour` that have none; returns how many. */
  async run(conn: DuckDBConnection, currentHour: string): Promise<number> {
    let written = 0;
    for (const f of this.pending(currentHour)) {
      if (written >= this.perRound) break;
      const path = this.manifest.absolute(f.path);
      // A file committed but not renamed into place yet is indexed in a later round.
      if (!existsSync(path)) continue;
      this.done.add(f.path);
      if (await writeSkipIndex(conn, 'logs', path, path)) written++;
    }
    return written;
  }

  /** Newest hours first: the ones searches read most. */
  private pending(currentHour: string): LakeFile[] {
    const out: LakeFile[] = [];
    const done = new Set<string>();
    for (const f of this.manifest.all()) {
      if (f.table !== 'logs' || f.hour >= currentHour) continue;
      if (this.done.has(f.path) || existsSync(indexPathOf(this.manifest.absolute(f.path)))) done.add(f.path);
      else out.push(f);
    }
    // Only live files are kept: merged and expired ones leave the set with the manifest.
    this.done = done;
    return out.sort((a, b) => (a.hour < b.hour ? 1 : a.hour > b.hour ? -1 : 0));
  }
}
