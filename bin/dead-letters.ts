import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { z } from 'zod';
import { ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { LockHeldError } from '../storage/bus/owner-lock.js';
import { selectBus } from '../storage/bus/select.js';
import { deadLetterDirOf, DeadLetters, rowsOf, type DeadLetter } from '../storage/dead-letters/dead-letters.js';
import { openStorage, type Storage } from '../storage/storage.js';

export const DEAD_LETTERS_USAGE = `  loglake dead-letters list
                                messages the writer could not store, and why (kept in <data_dir>/dead-letter)
  loglake dead-letters show ID [--lines N]
                                one entry's metadata and the first N lines of its data (10)
  loglake dead-letters replay ID|--all
                                publishes entries back on the bus once their cause is fixed, and removes them
`;

/** A replay retried publishes the same id, which the bus stores once. */
const replayMsgId = (letter: DeadLetter) => `dead-letter:${letter.id}:${letter.msgId ?? ''}`;

const firstLine = (text: string | undefined, max: number) => {
  const line = (text ?? '').split('\n')[0];
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => `${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}\n`).join('');
}

function list(letters: DeadLetter[]): string {
  if (letters.length === 0) return 'no dead letters\n';
  const head = ['ID', 'TABLE', 'PROJECT', 'HOUR', 'ROWS', 'AT', 'REASON'];
  return table([head, ...letters.map((l) => [l.id, l.table, l.project, l.hour || '?', String(l.rows), l.at, firstLine(l.reasons[0], 100)])]);
}

async function show(store: DeadLetters, id: string | undefined, lines: number): Promise<string> {
  const entry = id ? await store.read(id) : null;
  if (!entry) throw new ConfigError(`no dead letter "${id ?? ''}" in ${store.dir} (see loglake dead-letters list)`);
  const { letter, data } = entry;
  const rows = data.toString('utf8').split('\n').filter((l) => l.trim() !== '');
  const shown = rows.slice(0, lines).map((l) => `  ${l}\n`).join('');
  const more = rows.length > lines ? `  … ${rows.length - lines} more in ${join(store.dir, `${letter.id}.ndjson`)}\n` : '';
  const reasons = letter.reasons.map((r) => `  - ${r.replace(/\n/g, '\n    ')}\n`).join('');
  return `id:       ${letter.id}
table:    ${letter.table}
project:  ${letter.project}
hour:     ${letter.hour || '? (its first row has no timestamp)'}
seq:      ${letter.seq}
msg id:   ${letter.msgId ?? '? (kept by an older loglake)'}
rows:     ${letter.rows}
at:       ${letter.at}
data:     ${join(store.dir, `${letter.id}.ndjson`)}
reasons:
${reasons}first ${Math.min(lines, rows.length)} of ${rows.length} lines:
${shown}${more}`;
}

/**
 * With the embedded bus this process owns the bus, so it runs the writer too, as `loglake import` does;
 * it must refuse while a running loglake holds the bus. With JetStream the running writer stores what is
 * published.
 */
async function openBus(config: Config): Promise<Storage> {
  const writer = selectBus(config).kind === 'embedded';
  try {
    // Its writer's logs go to stderr: stdout is this command's report.
    return await openStorage(config, pino({ level: 'warn' }, pino.destination(2)), { writer });
  } catch (err) {
    if (!(err instanceof LockHeldError)) throw err;
    throw new ConfigError(`loglake dead-letters replay: ${err.message}. Stop it and replay again (this command then stores them itself), or replay while it runs with JetStream.`);
  }
}

/** Waits until the writer holds nothing: each replayed message is then in a committed file or a dead letter again. */
async function settled(storage: Storage): Promise<void> {
  for (;;) {
    const s = await storage.lake!.writer.status();
    if (s.undelivered === 0 && s.ackPending === 0 && s.bufferedMessages === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The entries `replay` is asked for: one by id, or every one. */
async function chosen(store: DeadLetters, id: string | undefined, all: boolean): Promise<DeadLetter[]> {
  if (all === Boolean(id)) throw new ConfigError('usage: loglake dead-letters replay ID|--all');
  const letters = all ? await store.list() : [(await store.read(id!))?.letter].filter((l) => l !== undefined);
  if (letters.length === 0) throw new ConfigError(all ? 'no dead letters to replay' : `no dead letter "${id}" in ${store.dir} (see loglake dead-letters list)`);
  // The writer partitions by the message's hour: without one, the rows have to be fixed first.
  const unknownHour = letters.find((l) => !l.hour);
  if (unknownHour) throw new ConfigError(`dead letter ${unknownHour.id} does not say its hour (its first row has no timestamp): fix ${join(store.dir, `${unknownHour.id}.ndjson`)} first`);
  return letters;
}

/**
 * Publishes each entry back on the bus, then removes it: a crash in between replays it again later, under
 * the same message id, which the bus stores once. Says what became of each; fails if any came back.
 */
async function replay(store: DeadLetters, config: Config, letters: DeadLetter[]): Promise<void> {
  const storage = await openBus(config);
  const gone = new Set<DeadLetter>();
  try {
    for (const letter of letters) {
      const entry = await store.read(letter.id);
      // Replayed by another command since it was listed.
      if (!entry) {
        gone.add(letter);
        continue;
      }
      // The data may have been fixed by hand since: its rows are counted again.
      const rows = rowsOf(entry.data);
      await storage.bus.publish({ table: letter.table, project: letter.project, hour: letter.hour, msgId: replayMsgId(letter), rows, data: entry.data });
      await store.remove(letter.id);
    }
    if (storage.lake) await settled(storage);
  } finally {
    await storage.close();
  }
  const again = new Map((await store.list()).map((l) => [l.msgId, l]));
  const stored = storage.lake ? 'stored in the lake' : 'published; the running loglake writer stores it';
  process.stdout.write(letters.map((letter) => {
    const back = again.get(replayMsgId(letter));
    if (gone.has(letter)) return `${letter.id}: gone before it was replayed\n`;
    return `${letter.id}: ${back ? `refused again, now dead letter ${back.id}: ${firstLine(back.reasons.at(-1), 200)}` : stored}\n`;
  }).join(''));
  const refused = letters.filter((l) => again.has(replayMsgId(l))).length;
  if (refused > 0) throw new ConfigError(`${refused} of ${letters.length} replayed dead letters were refused again`);
}

/** `loglake dead-letters list|show|replay` on the data directory's dead letters. */
export async function runDeadLetters(args: string[], config: Config): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { all: { type: 'boolean', default: false }, lines: { type: 'string', default: '10' } } });
  const [command, id] = positionals;
  const store = new DeadLetters(deadLetterDirOf(config));
  switch (command) {
    case 'list':
      process.stdout.write(list(await store.list()));
      return;
    case 'show': {
      const lines = z.coerce.number().int().nonnegative().safeParse(values.lines);
      if (!lines.success) throw new ConfigError('--lines must be a whole number');
      process.stdout.write(await show(store, id, lines.data));
      return;
    }
    case 'replay':
      return replay(store, config, await chosen(store, id, values.all));
    default:
      throw new ConfigError(`loglake dead-letters: unknown command "${command ?? ''}"\n\n${DEAD_LETTERS_USAGE}`);
  }
}
