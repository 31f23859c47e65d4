// Uploaded artefacts that are not records (session-replay chunks, profiles) kept as files: one file for the
// bytes as uploaded and one JSON file of what is known about them. The bytes are written under a temp name,
// fsynced and linked into place, which fails when the name exists, so a chunk is stored once and whole; its
// metadata follows, and a chunk without it (a crash in between) is not listed until a retry writes it.
import { createHash } from 'node:crypto';
import { link, mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir, unlessMissing, writeDurably, writeTemp } from '../durable-file.js';

/** Names that are safe as one path segment: no separators, no leading dot (so no `..`). */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export function isSafeSegment(name: string): boolean {
  return SEGMENT.test(name);
}

export interface StoredChunk<M> {
  meta: M & { sha256: string; bytes: number };
  data: Buffer;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const readJson = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8'));

function check(segments: readonly string[]): void {
  for (const s of segments) if (!isSafeSegment(s)) throw new Error(`unsafe path segment ${JSON.stringify(s)}`);
}

export type PutOutcome = 'created' | 'exists' | 'conflict';

/** A tree of chunk files under `root`: `dir` segments (a project, a session) and a chunk name within. */
export class ChunkStore {
  constructor(private readonly root: string) {}

  private dirOf(dir: readonly string[]): string {
    check(dir);
    return join(this.root, ...dir);
  }

  /**
   * Stores a chunk once: the same name again with the same bytes is `exists` (a retry), with other bytes
   * `conflict`, and neither changes what is stored.
   */
  async put<M extends object>(dir: readonly string[], name: string, data: Buffer, meta: M): Promise<PutOutcome> {
    check([name]);
    const path = this.dirOf(dir);
    const digest = sha256(data);
    await mkdir(path, { recursive: true });
    const tmp = await writeTemp(join(path, `${name}.bin`), data);
    let outcome: PutOutcome = 'created';
    try {
      await link(tmp, join(path, `${name}.bin`));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      outcome = sha256(await readFile(join(path, `${name}.bin`))) === digest ? 'exists' : 'conflict';
    } finally {
      await unlink(tmp);
    }
    if (outcome === 'conflict' || (outcome === 'exists' && (await this.meta(dir, name)))) return outcome;
    await writeDurably(join(path, `${name}.json`), JSON.stringify({ ...meta, sha256: digest, bytes: data.length }));
    await syncDir(path);
    return outcome;
  }

  /** What is known of a stored chunk; null when there is none (or a crash came between its bytes and this). */
  async meta<M>(dir: readonly string[], name: string): Promise<(M & { sha256: string; bytes: number }) | null> {
    check([name]);
    const path = this.dirOf(dir);
    // The bytes are linked into place before their metadata is written: metadata means the bytes are there.
    return unlessMissing(readJson(join(path, `${name}.json`)), null);
  }

  async get<M>(dir: readonly string[], name: string): Promise<StoredChunk<M> | null> {
    const meta = await this.meta<M>(dir, name);
    if (!meta) return null;
    return { meta, data: await readFile(join(this.dirOf(dir), `${name}.bin`)) };
  }

  /** Every stored chunk's metadata in `dir`, in no particular order. */
  async list<M>(dir: readonly string[]): Promise<(M & { sha256: string; bytes: number })[]> {
    const names = (await unlessMissing(readdir(this.dirOf(dir)), [])).filter((f) => f.endsWith('.bin')).map((f) => f.slice(0, -'.bin'.length));
    const metas = await Promise.all(names.map((n) => this.meta<M>(dir, n)));
    return metas.filter((m) => m !== null);
  }

  /** The sub-directories of `dir` (sessions of a project, say). */
  async dirs(dir: readonly string[]): Promise<string[]> {
    const entries = await unlessMissing(readdir(this.dirOf(dir), { withFileTypes: true }), []);
    return entries.filter((e) => e.isDirectory() && isSafeSegment(e.name)).map((e) => e.name);
  }

  /** A JSON document that is replaced whole (a session's metadata), or null. */
  async readDoc<D>(dir: readonly string[], name: string): Promise<D | null> {
    check([name]);
    return unlessMissing(readJson<D>(join(this.dirOf(dir), `${name}.doc.json`)), null);
  }

  async writeDoc(dir: readonly string[], name: string, doc: unknown): Promise<void> {
    check([name]);
    const path = this.dirOf(dir);
    await mkdir(path, { recursive: true });
    await writeDurably(join(path, `${name}.doc.json`), JSON.stringify(doc));
  }
}
