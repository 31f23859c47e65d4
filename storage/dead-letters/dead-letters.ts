// Messages the writer could not store, kept aside whole until someone fixes the cause and replays them.
// An entry is `<id>.ndjson`, the message's data byte for byte, and `<id>.json`, what is known about it;
// the data is written first and the metadata last, so an entry is listed only once it is whole. A
// columnar payload (`encode.ts`) is kept as the NDJSON rows it holds, one a line, which a person can read
// and mend and the writer reads as well; one that does not parse is kept as it came. Older
// loglake wrote `<id>.error` (the reasons as text) in place of the metadata: those entries are read too.
import { readdir, readFile, rm, stat, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { Config } from '../../config/schema.js';
import { TABLES } from '../../core/records.js';
import type { BusMessage } from '../bus/bus.js';
import { columnsToRows, isColumnar, parseColumns } from '../lake/encode.js';
import { hourOf } from '../lake/layout.js';
import { syncDir, unlessMissing, writeDurably } from '../durable-file.js';

const metaSchema = z.object({
  table: z.enum(TABLES),
  project: z.string(),
  /** '' for an entry of the older layout whose rows do not say. */
  hour: z.string(),
  seq: z.number().int(),
  /** Null for an entry of the older layout, which did not keep it. */
  msgId: z.string().nullable(),
  rows: z.number().int(),
  reasons: z.array(z.string()),
  at: z.string(),
});

/** Where the writer keeps its dead letters: `<data_dir>/dead-letter`. */
export function deadLetterDirOf(config: Config): string {
  return join(resolve(config.storage.data_dir), 'dead-letter');
}

export type DeadLetterMeta = z.infer<typeof metaSchema>;
export type DeadLetter = DeadLetterMeta & { id: string };

/** Ids are file names: anything but these characters (a project id is not ours to trust) becomes `_`. */
const unsafe = /[^A-Za-z0-9._-]/g;
const LEGACY_ID = new RegExp(`^(${TABLES.join('|')})-(.+)-(\\d+)$`);

/** The partition of an older entry's rows, all of one hour; '' when its first row does not say (it may not be JSON). */
function hourOfFirstRow(line: string | undefined): string {
  try {
    const row = z.object({ timestamp: z.string() }).safeParse(JSON.parse(line ?? ''));
    return row.success ? hourOf(row.data.timestamp) : '';
  } catch {
    return '';
  }
}

/** What a dead letter keeps of a message's data: a columnar payload as its rows, anything else byte for byte. */
function keptData(message: Omit<BusMessage, 'ack'>): Buffer {
  const data = Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength);
  if (!isColumnar(data)) return data;
  try {
    return Buffer.from(columnsToRows(message.table, parseColumns(data)).map((line) => `${line}\n`).join(''));
  } catch {
    return data;
  }
}

/** How many rows a dead letter's data holds (it may have been mended by hand): its lines, or a columnar payload's count. */
export function rowsOf(data: Buffer): number {
  if (isColumnar(data)) {
    try {
      return parseColumns(data).n;
    } catch {
      return 1;
    }
  }
  return data.toString('utf8').split('\n').filter((l) => l.trim() !== '').length;
}

export class DeadLetters {
  constructor(readonly dir: string) {}

  /**
   * Keeps `message` aside with why it could not be stored; resolves once it is on disk. The same message
   * again (a redelivery after a crash before its ack) adds its reasons to the entry it already has; a
   * different one whose id is taken (sequences restart with a new bus) gets the id with a suffix.
   */
  async put(message: Omit<BusMessage, 'ack'>, reasons: string[]): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const base = `${message.table}-${message.project}-${message.seq}`.replace(unsafe, '_');
    const data = keptData(message);
    for (let n = 1; ; n++) {
      const id = n === 1 ? base : `${base}.${n}`;
      const held = await this.read(id);
      if (held && !(data.equals(held.data) && (held.letter.msgId ?? message.msgId) === message.msgId)) continue;
      const meta: DeadLetterMeta = {
        table: message.table,
        project: message.project,
        hour: message.hour,
        seq: message.seq,
        msgId: message.msgId,
        rows: message.rows,
        reasons: [...(held?.letter.reasons ?? []), ...reasons],
        at: held?.letter.at ?? new Date().toISOString(),
      };
      if (!held) await writeDurably(this.path(id, 'ndjson'), data);
      await writeDurably(this.path(id, 'json'), `${JSON.stringify(meta, null, 1)}\n`);
      // The same message first kept in the older layout now has its metadata in the new one.
      await rm(this.path(id, 'error'), { force: true });
      await syncDir(this.dir);
      return id;
    }
  }

  /** Every entry, oldest first. */
  async list(): Promise<DeadLetter[]> {
    const names = await unlessMissing(readdir(this.dir), []);
    const ids = new Set(names.filter((f) => f.endsWith('.json') || f.endsWith('.error')).map((f) => f.slice(0, f.lastIndexOf('.'))));
    const letters: DeadLetter[] = [];
    for (const id of ids) {
      const letter = await this.meta(id);
      if (letter) letters.push(letter);
    }
    return letters.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  }

  /** An entry and its data, or null when there is none by that id. */
  async read(id: string): Promise<{ letter: DeadLetter; data: Buffer } | null> {
    if (id.replace(unsafe, '_') !== id || id.startsWith('.')) return null;
    const letter = await this.meta(id);
    const data = letter && (await unlessMissing(readFile(this.path(id, 'ndjson')), null));
    return letter && data ? { letter, data } : null;
  }

  /** Forgets an entry (once replayed); metadata first, so a crash halfway leaves no half-entry listed. */
  async remove(id: string): Promise<void> {
    for (const ext of ['json', 'error', 'ndjson']) await rm(this.path(id, ext), { force: true });
    await syncDir(this.dir);
  }

  private path(id: string, ext: string): string {
    return join(this.dir, `${id}.${ext}`);
  }

  private async meta(id: string): Promise<DeadLetter | null> {
    const json = await unlessMissing(readFile(this.path(id, 'json'), 'utf8'), null);
    if (json !== null) return { id, ...metaSchema.parse(JSON.parse(json)) };
    return this.legacy(id);
  }

  /**
   * An entry of the older layout: its name says table, project and sequence, its data the rows and their
   * hour, its `.error` file's time when it was kept. The reasons were appended as text, and one may span
   * lines, so the text is one reason.
   */
  private async legacy(id: string): Promise<DeadLetter | null> {
    const named = LEGACY_ID.exec(id);
    const error = named && (await unlessMissing(readFile(this.path(id, 'error'), 'utf8'), null));
    const data = error !== null && named ? await unlessMissing(readFile(this.path(id, 'ndjson'), 'utf8'), null) : null;
    if (!named || error === null || data === null) return null;
    const lines = data.split('\n').filter((l) => l.trim() !== '');
    return {
      id,
      table: metaSchema.shape.table.parse(named[1]),
      project: named[2],
      hour: hourOfFirstRow(lines[0]),
      seq: Number(named[3]),
      msgId: null,
      rows: lines.length,
      reasons: [error.trim()],
      at: (await stat(this.path(id, 'error'))).mtime.toISOString(),
    };
  }
}
