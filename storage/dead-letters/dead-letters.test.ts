import { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BusMessage } from '../bus/bus.js';
import { columnarMessage, logsMessage } from '../../test/helpers/bus-messages.js';
import { COLUMNS_MARK } from '../lake/encode.js';
import { DeadLetters, rowsOf } from './dead-letters.js';

const fresh = () => new DeadLetters(join(mkdtempSync(join(tmpdir(), 'loglake-dead-letters-')), 'dead-letter'));

function message(seq: number, data: string, msgId = `m${seq}`): Omit<BusMessage, 'ack'> {
  return { table: 'logs', project: 'default', hour: '2026-01-02T03', msgId, rows: data.split('\n').filter(Boolean).length, seq, data: Buffer.from(data) };
}

describe('the dead-letter store', () => {
  it('keeps the data byte for byte beside its metadata, lists, reads and removes it', async () => {
    const store = fresh();
    const data = '{"message":"ünïcode"}\nnot json\n';
    const id = await store.put(message(7, data), ['Invalid Input Error: Malformed JSON']);
    expect(id).toBe('logs-default-7');
    expect(readFileSync(join(store.dir, `${id}.ndjson`), 'utf8')).toBe(data);
    const [letter] = await store.list();
    expect(letter).toMatchObject({ id, table: 'logs', project: 'default', hour: '2026-01-02T03', seq: 7, msgId: 'm7', rows: 2, reasons: ['Invalid Input Error: Malformed JSON'] });
    expect((await store.read(id))!.data.toString()).toBe(data);
    await store.remove(id);
    expect(await store.list()).toEqual([]);
    expect(await store.read(id)).toBeNull();
    expect(readdirSync(store.dir)).toEqual([]);
  });

  it('adds the reasons of the same message kept again, and suffixes a different one under a taken id', async () => {
    const store = fresh();
    expect(await store.put(message(1, 'a\n'), ['first'])).toBe('logs-default-1');
    expect(await store.put(message(1, 'a\n'), ['again'])).toBe('logs-default-1');
    expect(await store.put(message(1, 'b\n', 'other'), ['new bus'])).toBe('logs-default-1.2');
    expect(await store.put(message(1, 'a\n', 'other too'), ['same bytes, another message'])).toBe('logs-default-1.3');
    const letters = await store.list();
    expect(letters.map((l) => [l.id, l.reasons])).toEqual([
      ['logs-default-1', ['first', 'again']],
      ['logs-default-1.2', ['new bus']],
      ['logs-default-1.3', ['same bytes, another message']],
    ]);
    expect((await store.read('logs-default-1.2'))!.data.toString()).toBe('b\n');
  });

  it('reads entries of the older .ndjson + .error layout, and takes them over when the same message comes again', async () => {
    const store = fresh();
    await store.put(message(1, 'x\n'), ['makes the directory']);
    const rows = '{"timestamp":"2025-05-06T07:08:09.000Z","message":"old"}\n{"timestamp":"2025-05-06T07:30:00.000Z"}\n';
    writeFileSync(join(store.dir, 'alert_events-my-proj-42.ndjson'), rows);
    writeFileSync(join(store.dir, 'alert_events-my-proj-42.error'), 'Error: Conversion Error\nTry setting auto_detect\n');
    utimesSync(join(store.dir, 'alert_events-my-proj-42.error'), new Date('2025-05-06T08:00:00Z'), new Date('2025-05-06T08:00:00Z'));
    const old = (await store.list()).find((l) => l.id === 'alert_events-my-proj-42');
    expect(old).toEqual({
      id: 'alert_events-my-proj-42', table: 'alert_events', project: 'my-proj', hour: '2025-05-06T07', seq: 42, msgId: null, rows: 2,
      reasons: ['Error: Conversion Error\nTry setting auto_detect'], at: '2025-05-06T08:00:00.000Z',
    });
    const again = { ...message(42, rows, 'batch.0'), table: 'alert_events' as const, project: 'my-proj' };
    expect(await store.put(again, ['once more'])).toBe('alert_events-my-proj-42');
    expect(readdirSync(store.dir).filter((f) => f.startsWith('alert_events'))).toEqual(['alert_events-my-proj-42.json', 'alert_events-my-proj-42.ndjson']);
    expect((await store.read('alert_events-my-proj-42'))!.letter).toMatchObject({ msgId: 'batch.0', reasons: ['Error: Conversion Error\nTry setting auto_detect', 'once more'], at: '2025-05-06T08:00:00.000Z' });
  });

  it('names files safely whatever the project id, and reads no path outside its directory', async () => {
    const store = fresh();
    const id = await store.put({ ...message(3, 'y\n'), project: '../evil/p' }, ['r']);
    expect(id).toBe('logs-.._evil_p-3');
    expect(await store.read('../dead-letter/logs-.._evil_p-3')).toBeNull();
    expect(await store.read('.hidden')).toBeNull();
    expect((await store.read(id))!.letter.project).toBe('../evil/p');
  });

  it('keeps a columnar message as the NDJSON rows it holds, and the same message again under the same entry', async () => {
    const store = fresh();
    const columnar = columnarMessage('c1', ['one', 'two', 'three']);
    const id = await store.put({ ...columnar, seq: 5 }, ['first']);
    expect(await store.put({ ...columnar, seq: 5 }, ['again'])).toBe(id);
    const { letter, data } = (await store.read(id))!;
    expect(letter).toMatchObject({ msgId: 'c1', rows: 3, reasons: ['first', 'again'] });
    const lines = data.toString().trimEnd().split('\n').map((l) => JSON.parse(l) as { message: string });
    expect(lines.map((l) => l.message)).toEqual(['one', 'two', 'three']);
    expect(rowsOf(data)).toBe(3);
    expect(rowsOf(Buffer.from(columnar.data))).toBe(3);
    // The same as the older format's rows of the same records, but for the ids.
    const strip = (text: string) => text.replace(/"id":"[^"]*",/g, '');
    expect(strip(data.toString())).toBe(strip(Buffer.from(logsMessage('c1', ['one', 'two', 'three']).data).toString()));
    // One that does not parse is kept as it came.
    const broken = `${COLUMNS_MARK}"n":2,`;
    const other = await store.put({ ...message(6, broken), rows: 2 }, ['Malformed JSON']);
    expect((await store.read(other))!.data.toString()).toBe(broken);
  });
});
