import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { BAD_TIMESTAMP, logsMessage, mend, publishAhead, unreadable, unreadableColumnar } from '../test/helpers/bus-messages.js';
import { lakeValues } from '../test/helpers/lake.js';
import { waitFor } from '../test/helpers/ports.js';
import { captureStdout, stdoutOf } from '../test/helpers/stdout.js';
import { identity } from '../storage/bus/owner-lock.js';
import { DeadLetters } from '../storage/dead-letters/dead-letters.js';
import { openStorage } from '../storage/storage.js';
import { runDeadLetters } from './dead-letters.js';

const dataDir = mkdtempSync(join(tmpdir(), 'loglake-dead-letters-cli-'));
const config = configSchema.parse({ storage: { data_dir: dataDir, bus: { kind: 'embedded' }, writer: { flush_interval_ms: 100 } } });
const store = new DeadLetters(join(dataDir, 'dead-letter'));
const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
afterAll(() => sleeper.kill('SIGKILL'));

const cli = (...args: string[]) => stdoutOf(() => runDeadLetters(args, config));

/** Runs a real writer over messages published ahead, until it has dead-lettered `count` of them. */
async function writeAll(messages: Parameters<typeof publishAhead>[1], count: number): Promise<void> {
  await publishAhead(config, messages);
  const storage = await openStorage(config, pino({ level: 'silent' }), { writer: true });
  try {
    await waitFor('the dead letters', async () => (await store.list()).length >= count, 20_000);
  } finally {
    await storage.close();
  }
}

const stored = async () => (await lakeValues(dataDir, 'default', 'logs', 'message')).ids;

describe('loglake dead-letters', () => {
  it('lists and shows what the writer could not store', async () => {
    await writeAll([logsMessage('ok-1', ['fine before']), unreadable('batch-a.0'), unreadable('batch-b.0')], 2);
    const lines = (await cli('list')).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TABLE\s+PROJECT\s+HOUR\s+ROWS\s+AT\s+REASON$/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^logs-default-\d+\s+logs\s+default\s+\d{4}-\d\d-\d\dT\d\d\s+2\s+\S+Z\s+.*invalid timestamp/);
    const [first] = await store.list();
    const shown = await cli('show', first.id, '--lines', '1');
    expect(shown).toContain(`id:       ${first.id}`);
    expect(shown).toContain(`msg id:   ${first.msgId}`);
    expect(shown).toMatch(/reasons:\n {2}- .*invalid timestamp/);
    expect(shown).toMatch(/first 1 of 2 lines:\n {2}\{.*fine"/);
    expect(shown).toContain(`… 1 more in ${join(store.dir, `${first.id}.ndjson`)}`);
    await expect(cli('show', 'nope')).rejects.toThrow(/no dead letter "nope"/);
  });

  it('replays an entry once its cause is fixed: it ends up in the lake once, and a replay retried is not stored twice', async () => {
    const [letter] = await store.list();
    const data = join(store.dir, `${letter.id}.ndjson`);
    writeFileSync(data, mend(readFileSync(data, 'utf8')));
    // What a replay interrupted before its removal leaves: the entry, after its publish.
    const kept = join(dataDir, 'kept');
    mkdirSync(kept);
    for (const ext of ['ndjson', 'json']) copyFileSync(join(store.dir, `${letter.id}.${ext}`), join(kept, `${letter.id}.${ext}`));

    expect(await cli('replay', letter.id)).toBe(`${letter.id}: stored in the lake\n`);
    const ids = await stored();
    expect([ids.get(`${letter.msgId} fine`), ids.get(`${letter.msgId} bad`)]).toEqual([1, 1]);
    expect((await store.list()).map((l) => l.id)).not.toContain(letter.id);

    for (const ext of ['ndjson', 'json']) copyFileSync(join(kept, `${letter.id}.${ext}`), join(store.dir, `${letter.id}.${ext}`));
    expect(await cli('replay', letter.id)).toBe(`${letter.id}: stored in the lake\n`);
    const again = await stored();
    expect([again.get(`${letter.msgId} fine`), again.get(`${letter.msgId} bad`)]).toEqual([1, 1]);
  });

  it('says so when a replayed entry is refused again, and keeps it as a new dead letter', async () => {
    const [letter] = await store.list();
    expect(readFileSync(join(store.dir, `${letter.id}.ndjson`), 'utf8')).toContain(BAD_TIMESTAMP);
    const { out, error } = await captureStdout(() => runDeadLetters(['replay', '--all'], config));
    expect(String(error)).toMatch(/1 of 1 replayed dead letters were refused again/);
    const [back] = await store.list();
    expect(out).toBe(`${letter.id}: refused again, now dead letter ${back.id}: ${back.reasons[0].split('\n')[0]}\n`);
    expect(back).toMatchObject({ msgId: `dead-letter:${letter.id}:${letter.msgId}`, rows: 2 });
    expect(back.id).not.toBe(letter.id);
    expect((await stored()).get(`${letter.msgId} fine`)).toBeUndefined();
  });

  it('refuses to replay while another process holds the embedded bus, and leaves the entry', async () => {
    const [letter] = await store.list();
    await waitFor('the other process', async () => sleeper.pid !== undefined);
    writeFileSync(join(dataDir, 'bus', 'owner.lock'), JSON.stringify(identity(sleeper.pid!)));
    await expect(cli('replay', letter.id)).rejects.toThrow(new RegExp(`in use by process ${sleeper.pid}.*Stop it and replay again`));
    expect((await store.list()).map((l) => l.id)).toEqual([letter.id]);
  });

  it('shows, and once mended replays, a message of the columnar bus format, kept as its rows', async () => {
    // The previous test's stand-in owner is gone.
    rmSync(join(dataDir, 'bus', 'owner.lock'), { force: true });
    const before = (await store.list()).length;
    await writeAll([unreadableColumnar('batch-c.0')], before + 1);
    const letter = (await store.list()).find((l) => l.msgId === 'batch-c.0')!;
    expect(letter.rows).toBe(2);
    expect(await cli('show', letter.id)).toMatch(/first 2 of 2 lines:\n {2}\{.*batch-c\.0 fine".*\n {2}\{.*"timestamp":"yesterday"/);
    const data = join(store.dir, `${letter.id}.ndjson`);
    writeFileSync(data, mend(readFileSync(data, 'utf8')));
    expect(await cli('replay', letter.id)).toBe(`${letter.id}: stored in the lake\n`);
    const ids = await stored();
    expect([ids.get('batch-c.0 fine'), ids.get('batch-c.0 bad')]).toEqual([1, 1]);
  });

  it('refuses what it cannot do, naming the problem', async () => {
    await expect(cli('replay')).rejects.toThrow(/usage: loglake dead-letters replay ID\|--all/);
    await expect(cli('replay', 'nope')).rejects.toThrow(/no dead letter "nope"/);
    await expect(cli('show', 'x', '--lines', 'many')).rejects.toThrow(/--lines/);
    await expect(cli('frobnicate')).rejects.toThrow(/unknown command "frobnicate"/);
  });
});
