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

interface ProjectCatalog {
  properties: Partial<Record<Table, Record<string, PropertyEntry>>>;
  names: Partial<Record<Table, Record<string, number>>>;
}

const MAX_EXAMPLES = 5;

/**
 * The schema discovered from written data, per project: property keys with their types, a few example
 * values and volumes, and event names with volumes. The writer's process updates it after each committed
 * file and saves it every few seconds; other processes read the saved files. Volumes are approximate
 * across a crash (the seconds since the last save are not recounted), which is what autocomplete needs.
 */
export class SchemaCatalog {
  private projects = new Map<string, ProjectCatalog>();
  private loadedAt = new Map<string, number>();
  private dirty = new Set<string>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private file(project: string): string {
    return join(this.dir, `${encodeURIComponent(project)}.json`);
  }

  private load(project: string): ProjectCatalog {
    const path = this.file(project);
    const mtime = existsSync(path) ? statSync(path).mtimeMs : 0;
    let catalog = this.projects.get(project);
    // A process that does not write reloads what the writer saved; the writer's own copy is newer.
    if (!catalog || (!this.dirty.has(project) && mtime > (this.loadedAt.get(project) ?? 0))) {
      catalog = mtime ? (JSON.parse(readFileSync(path, 'utf8')) as ProjectCatalog) : { properties: {}, names: {} };
      this.projects.set(project, catalog);
      this.loadedAt.set(project, mtime);
    }
    return catalog;
  }

  add(project: string, table: Table, stats: FileStats): void {
    const catalog = this.load(project);
    const props = (catalog.properties[table] ??= {});
    for (const p of stats.properties) {
      const id = `${p.type}:${p.key}`;
      const entry = (props[id] ??= { key: p.key, type: p.type, examples: [], volume: 0 });
      entry.volume += p.volume;
      for (const example of p.examples) {
        if (entry.examples.length >= MAX_EXAMPLES) break;
        if (!entry.examples.includes(example)) entry.examples.push(example);
      }
    }
    const names = (catalog.names[table] ??= {});
    for (const n of stats.names) names[n.name] = (names[n.name] ?? 0) + n.volume;
    this.dirty.add(project);
  }

  /** Property keys of a table, most used first. */
  properties(project: string, table: Table): PropertyEntry[] {
    const entries = Object.values(this.load(project).properties[table] ?? {});
    return entries.sort((a, b) => b.volume - a.volume || a.key.localeCompare(b.key));
  }

  names(project: string, table: Table): NameEntry[] {
    return Object.entries(this.load(project).names[table] ?? {})
      .map(([name, volume]) => ({ name, volume }))
      .sort((a, b) => b.volume - a.volume || a.name.localeCompare(b.name));
  }

  /** Writes what changed since the last save (atomically, so readers never see half a file). */
  save(): void {
    for (const project of this.dirty) {
      const path = this.file(project);
      writeFileSync(`${path}.tmp`, JSON.stringify(this.projects.get(project)));
      renameSync(`${path}.tmp`, path);
      this.loadedAt.set(project, statSync(path).mtimeMs);
    }
    this.dirty.clear();
  }

  projectsWithData(): string[] {
    return readdirSync(this.dir).filter((f) => f.endsWith('.json')).map((f) => decodeURIComponent(f.slice(0, -5)));
  }
}
