import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from 'uuid';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deleteStream, machineNatsAvailable, MACHINE_NATS } from '../../test/helpers/nats.js';
import { newImportEntry } from './batch.js';
import { acknowledged, FileImportLedger, importId, importRecordId, KvImportLedger, type ImportLedger } from './ledger.js';

const natsUp = await machineNatsAvailable();
if (!natsUp) console.warn(`SKIPPING the KV import ledger test: no NATS with JetStream at ${MACHINE_NATS}`);

const digest = 'e'.repeat(64);
const dir = mkdtempSync(join(tmpdir(), 'loglake-ledger-'));
const bucket = `ledger-test-${randomUUID().slice(0, 8)}`;
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (natsUp) await deleteStream(`KV_${bucket}`);
});

describe('import ids', () => {
  it('gives a record the same UUID for the same file and position, another for another', () => {
    const id = importRecordId(digest, 3);
    expect(importRecordId(digest, 3)).toBe(id);
    expect(importRecordId(digest, 4)).not.toBe(id);
    expect(importRecordId('f'.repeat(64), 3)).not.toBe(id);
    expect(validate(id) && z.uuid().safeParse(id).success).toBe(true);
    expect(id[14]).toBe('8');
  });

  it('tells imports apart by file, table and project', () => {
    const ids = new Set([importId(digest, 'logs', 'p'), importId(digest, 'events', 'p'), importId(digest, 'logs', 'q'), importId('f'.repeat(64), 'logs', 'p')]);
    expect(ids.size).toBe(4);
  });

  it('acknowledges a batch once, and is done with the last', () => {
    const start = newImportEntry(digest, 'logs', 'p', 2);
    const one = acknowledged(start, 1, 10, 2);
    expect(acknowledged(one, 1, 10, 2)).toBe(one);
    expect(one).toMatchObject({ acked: [1], records: 10, rejected: 2, done_at: null });
    expect(acknowledged(one, 0, 5, 0)).toMatchObject({ acked: [0, 1], records: 15, rejected: 2, done_at: expect.any(String) });
  });
});

const ledgers: [string, () => ImportLedger][] = [
  ['a file per import', () => new FileImportLedger(join(dir, 'imports'))],
  ...(natsUp ? [['a KV bucket', () => new KvImportLedger(MACHINE_NATS, bucket)] as [string, () => ImportLedger]] : []),
];

describe.each(ledgers)('the import ledger in %s', (_name, make) => {
  it('keeps entries across openings', async () => {
    const entry = acknowledged(newImportEntry(digest, 'logs', 'default', 3), 0, 500, 0);
    const first = make();
    expect(await first.get(entry.id)).toBeNull();
    await first.put(entry);
    await first.close();
    const second = make();
    expect(await second.get(entry.id)).toEqual(entry);
    await second.close();
  });
});
