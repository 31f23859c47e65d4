import { join } from 'node:path';
import type { Config } from '../../config/schema.js';
import { KvBucket, keyToken, kvPlaceOf, type KvBucketOptions } from '../kv/bucket.js';
import { bucketName } from '../kv/names.js';
import { emptyCatalog, FileCatalogBackend, SchemaCatalog, type CatalogBackend, type ProjectCatalog } from './catalog.js';

/** How often a save merges again on a newer catalog another writer stored before it gives up. */
const MAX_ATTEMPTS = 50;

type Stored = ProjectCatalog & { project: string };

/**
 * The catalog in a JetStream KV bucket, a key a project (`{project, properties, names}`), read by every
 * node from the watcher's copy; a save merges its delta into the newest value, compare-and-set.
 */
export class KvCatalogBackend implements CatalogBackend {
  private bucket: KvBucket | null = null;
  private parsed = new Map<string, { rev: number; stored: Stored }>();

  constructor(private readonly opts: Omit<KvBucketOptions, 'onChange'>) {}

  async open(): Promise<void> {
    this.bucket ??= await KvBucket.open(this.opts);
  }

  async close(): Promise<void> {
    await this.bucket?.close();
    this.bucket = null;
  }

  private get kv(): KvBucket {
    if (!this.bucket) throw new Error(`catalog: bucket ${this.opts.bucket} is not open`);
    return this.bucket;
  }

  private read(key: string): Stored | null {
    const entry = this.kv.get(key);
    if (!entry?.value) return null;
    const known = this.parsed.get(key);
    if (known?.rev === entry.rev) return known.stored;
    const stored = JSON.parse(entry.value) as Stored;
    this.parsed.set(key, { rev: entry.rev, stored });
    return stored;
  }

  get(project: string): ProjectCatalog | null {
    return this.read(keyToken(project));
  }

  async update(project: string, merge: (stored: ProjectCatalog) => ProjectCatalog): Promise<void> {
    const key = keyToken(project);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const { properties, names } = merge(this.read(key) ?? emptyCatalog());
      const value = JSON.stringify({ project, properties, names });
      this.kv.checkSize(key, value);
      if ((await this.kv.write(key, value, this.kv.get(key)?.rev ?? 0)) !== null) return;
      // Another writer came first: merge again on what it stored.
      await this.kv.sync();
    }
    throw new Error(`catalog: project ${project} kept changing under ${MAX_ATTEMPTS} attempts to save it`);
  }

  projects(): string[] {
    return [...this.kv.values()].map(([key]) => this.read(key)!.project);
  }
}

/**
 * The catalog a process uses, open: with the JetStream bus, the cluster's KV bucket `<stream>-catalog`
 * (`loglake-catalog` by default), so a query node anywhere sees what any writer discovered; with the
 * embedded bus, files in `<data_dir>/catalog`.
 */
export async function openCatalog(config: Config, dataDir: string): Promise<SchemaCatalog> {
  const kv = kvPlaceOf(config);
  const backend = kv ? new KvCatalogBackend({ url: kv.url, replicas: kv.replicas, bucket: bucketName(kv.stream, 'catalog') }) : new FileCatalogBackend(join(dataDir, 'catalog'));
  const catalog = new SchemaCatalog(backend);
  await catalog.open();
  return catalog;
}
