import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Table } from '../../core/records.js';

export type PropertyType = 'string' | 'number' | 'boolean';

export interface PropertyEntry {
  key: string;
  type: PropertyType;
  examples: (string | number | boolean)[];
  volume: number;
}

export interface NameEntry {
  name: string;
  volume: number;
}

/** What one newly written file adds: property keys by type, and (events) event names. */
export interface FileStats {
  properties: { key: string; type: PropertyType; volume: number; examples: (string | number | boolean)[] }[];
  names: { name: string; volume: number }[];
}

/** Whether the catalog still wants example values of a property key (it keeps a few, then only counts). */
export type WantsExamples = (type: PropertyType, key: string) => boolean;

export interface ProjectCatalog {
  properties: Partial<Record<Table, Record<string, PropertyEntry>>>;
  names: Partial<Record<Table, Record<string, number>>>;
}

/**
 * Where the catalog is kept: a file a project in the data dir (`FileCatalogBackend`), or a JetStream KV
 * bucket every node reads (`kv-catalog.ts`).
 */
export interface CatalogBackend {
  open(): Promise<void>;
  close(): Promise<void>;
  /** A project's stored catalog as last known here; synchronous. */
  get(project: string): ProjectCatalog | null;
  /** Stores `merge(the newest stored catalog)`, merging again on the newer one when another writer came first. */
  update(project: string, merge: (stored: ProjectCatalog) => ProjectCatalog): Promise<void>;
  projects(): string[];
}

const MAX_EXAMPLES = 5;

export const emptyCatalog = (): ProjectCatalog => ({ properties: {}, names: {} });

/** Adds properties and names (volumes summed, a few examples kept) to a table of `catalog`, in place. */
function mergeInto(catalog: ProjectCatalog, table: Table, properties: PropertyEntry[], names: [string, number][]): void {
  if (properties.length > 0) {
    const props = (catalog.properties[table] ??= {});
    for (const p of properties) {
      const entry = (props[`${p.type}:${p.key}`] ??= { key: p.key, type: p.type, examples: [], volume: 0 });
      entry.volume += p.volume;
      for (const example of p.examples) {
        if (entry.examples.length >= MAX_EXAMPLES) break;
        if (!entry.examples.includes(example)) entry.examples.push(example);
      }
    }
  }
  if (names.length > 0) {
    const known = (catalog.names[table] ??= {});
    for (const [name, volume] of names) known[name] = (known[name] ?? 0) + volume;
  }
}

/** `stored` with `delta`'s volumes added, as a new catalog. */
function combine(stored: ProjectCatalog, delta: ProjectCatalog): ProjectCatalog {
  const out = structuredClone(stored);
  for (const [table, props] of Object.entries(delta.properties)) mergeInto(out, table as Table, Object.values(props), []);
  for (const [table, names] of Object.entries(delta.names)) mergeInto(out, table as Table, [], Object.entries(names));
  return out;
}

/**
 * The schema discovered from written data, per project: property keys with their types, a few example
 * values and volumes, and event names with volumes. The writer's process adds what each committed file
 * holds and saves it every few seconds, as a delta merged into the stored catalog (so writers on several
 * nodes sum); every process reads the stored catalog, the writer's own unsaved additions included. Volumes
 * are approximate across a crash (the seconds since the last save are not recounted), which is what
 * autocomplete needs.
 */
export class SchemaCatalog {
  /** Added here since the last save. */
  private pending = new Map<string, ProjectCatalog>();
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly backend: CatalogBackend) {}

  open(): Promise<void> {
    return this.backend.open();
  }

  async close(): Promise<void> {
    await this.saving.catch(() => undefined);
    await this.backend.close();
  }

  private view(project: string): ProjectCatalog {
    const stored = this.backend.get(project) ?? emptyCatalog();
    const delta = this.pending.get(project);
    return delta ? combine(stored, delta) : stored;
  }

  add(project: string, table: Table, stats: FileStats): void {
    let delta = this.pending.get(project);
    if (!delta) this.pending.set(project, (delta = emptyCatalog()));
    mergeInto(delta, table, stats.properties, stats.names.map((n) => [n.name, n.volume]));
  }

  /** Whether a key of a table has fewer examples than the catalog keeps, stored or added since (no copy of either is made). */
  wantsExamples(project: string, table: Table): WantsExamples {
    const stored = this.backend.get(project)?.properties[table] ?? {};
    const added = this.pending.get(project)?.properties[table] ?? {};
    return (type, key) => {
      const id = `${type}:${key}`;
      return (stored[id]?.examples.length ?? 0) < MAX_EXAMPLES && (added[id]?.examples.length ?? 0) < MAX_EXAMPLES;
    };
  }

  /** Property keys of a table, most used first. */
  properties(project: string, table: Table): PropertyEntry[] {
    const entries = Object.values(this.view(project).properties[table] ?? {});
    return entries.sort((a, b) => b.volume - a.volume || a.key.localeCompare(b.key));
  }

  names(project: string, table: Table): NameEntry[] {
    return Object.entries(this.view(project).names[table] ?? {})
      .map(([name, volume]) => ({ name, volume }))
      .sort((a, b) => b.volume - a.volume || a.name.localeCompare(b.name));
  }

  /** Stores what was added since the last save; what could not be stored stays, to be saved next time. */
  save(): Promise<void> {
    const run = this.saving.then(async () => {
      const deltas = [...this.pending];
      this.pending = new Map();
      let stored = 0;
      try {
        for (const [project, delta] of deltas) {
          await this.backend.update(project, (latest) => combine(latest, delta));
          stored++;
        }
      } finally {
        for (const [project, delta] of deltas.slice(stored)) {
          const since = this.pending.get(project);
          this.pending.set(project, since ? combine(delta, since) : delta);
        }
      }
    });
    this.saving = run.catch(() => undefined);
    return run;
  }

  projectsWithData(): string[] {
    return this.backend.projects();
  }
}

/** A file a project, `<dir>/<project>.json`, written whole and renamed so readers never see half a file. */
export class FileCatalogBackend implements CatalogBackend {
  /** Each file as last read, by its identity (a save renames a new file in: a new inode). */
  private loaded = new Map<string, { catalog: ProjectCatalog; tag: string }>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  async open(): Promise<void> {}

  async close(): Promise<void> {}

  private file(project: string): string {
    return join(this.dir, `${encodeURIComponent(project)}.json`);
  }

  private tag(project: string): string | null {
    const path = this.file(project);
    if (!existsSync(path)) return null;
    const stat = statSync(path);
    return `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
  }

  private read(project: string): { catalog: ProjectCatalog; tag: string } | null {
    const tag = this.tag(project);
    return tag === null ? null : { tag, catalog: JSON.parse(readFileSync(this.file(project), 'utf8')) as ProjectCatalog };
  }

  get(project: string): ProjectCatalog | null {
    const tag = this.tag(project);
    if (tag === null) return null;
    const known = this.loaded.get(project);
    if (known?.tag === tag) return known.catalog;
    const read = this.read(project);
    if (read) this.loaded.set(project, read);
    return read?.catalog ?? null;
  }

  /** One writer a data dir: no lock, but the file is read afresh so what another process saved is kept. */
  async update(project: string, merge: (stored: ProjectCatalog) => ProjectCatalog): Promise<void> {
    const catalog = merge(this.read(project)?.catalog ?? emptyCatalog());
    const path = this.file(project);
    writeFileSync(`${path}.tmp`, JSON.stringify(catalog));
    renameSync(`${path}.tmp`, path);
    this.loaded.set(project, { catalog, tag: this.tag(project)! });
  }

  projects(): string[] {
    return readdirSync(this.dir).filter((f) => f.endsWith('.json')).map((f) => decodeURIComponent(f.slice(0, -5)));
  }
}
