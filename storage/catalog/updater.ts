import type { Logger } from 'pino';
import type { LakeFile } from '../lake/manifest.js';
import type { SchemaCatalog } from './catalog.js';
import type { StatsReader } from './stats.js';

/**
 * Feeds the catalog from files the writer committed, off the write path: the writer hands files over
 * and goes on acking; stats are read one file at a time and the catalog is saved every `saveEveryMs`.
 */
export class CatalogUpdater {
  private queue: { file: LakeFile; path: string }[] = [];
  private draining: Promise<void> | null = null;
  private timer: NodeJS.Timeout;

  constructor(
    private readonly catalog: SchemaCatalog,
    private readonly reader: StatsReader,
    private readonly logger: Logger,
    saveEveryMs = 2000,
  ) {
    this.timer = setInterval(() => void this.save(), saveEveryMs);
  }

  /** What a save could not store stays in the catalog and goes with the next one. */
  private save(): Promise<void> {
    return this.catalog.save().catch((err) => this.logger.warn({ err }, 'catalog: saving failed; retrying with the next save'));
  }

  committed(files: { file: LakeFile; path: string }[]): void {
    this.queue.push(...files);
    this.draining ??= this.drain().finally(() => (this.draining = null));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const { file, path } = this.queue.shift()!;
      try {
        this.catalog.add(file.project, file.table, await this.reader.read(file.table, path, this.catalog.wantsExamples(file.project, file.table)));
      } catch (err) {
        // Compaction may have merged the file away already; its rows are then simply not counted.
        this.logger.debug({ err, path }, 'catalog: could not read a committed file');
      }
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.draining;
    await this.save();
    this.reader.close();
  }
}
