// `loglake import` into a running service, on either bus: the same file imported twice (the second time
// after the bus's msgId window has passed, so only the import ledger can tell) stores every record once.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importRecordId } from '../storage/imports/ledger.js';
import { lakeIds } from './helpers/lake.js';
import { runLoglake, startLoglake, type LoglakeProcess } from './helpers/loglake.js';
import { deleteStream, machineNatsAvailable, MACHINE_NATS } from './helpers/nats.js';
import { waitFor } from './helpers/ports.js';

const natsUp = await machineNatsAvailable();
if (!natsUp) console.warn(`SKIPPING the JetStream import test: no NATS with JetStream at ${MACHINE_NATS}`);

const dir = mkdtempSync(join(tmpdir(), 'loglake-import-'));
const RECORDS = 1203;
const BAD = new Set([7, 600, 1201]);

/** NDJSON logs over two hours: half name their id, half leave it to the import, three are invalid. */
function fixture(): { file: string; expected: Set<string> } {
  const lines: string[] = [];
  const named: (string | null)[] = [];
  const base = Date.parse('2026-11-30T10:00:00Z');
  for (let i = 0; i < RECORDS; i++) {
    const id = i % 2 === 0 ? randomUUID() : null;
    named.push(id);
    const record = {
      ...(id ? { id } : {}),
      timestamp: new Date(base + i * 6000).toISOString(),
      severity: BAD.has(i) ? 'loud' : 'info',
      message: `import line ${i}`,
      service: 'importer',
      properties: { n: i },
    };
    lines.push(JSON.stringify(record));
  }
  const file = join(dir, 'history.ndjson');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
  const expected = new Set<string>();
  named.forEach((id, i) => {
    if (!BAD.has(i)) expected.add(id ?? importRecordId(digest, i));
  });
  return { file, expected };
}

const { file, expected } = fixture();
const suffix = randomUUID().slice(0, 8);
const stream = `IMPORT_E2E_${suffix}`;
const buses = [
  { bus: 'embedded', storage: { bus: { kind: 'embedded', duplicate_window_seconds: 1 } } },
  ...(natsUp
    ? [{ bus: 'jetstream', storage: { bus: { kind: 'jetstream', nats_url: MACHINE_NATS, stream, subject_prefix: `importe2e${suffix}`, consumer: `import-e2e-${suffix}`, duplicate_window_seconds: 1 } } }]
    : []),
];

const running: LoglakeProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((p) => p.kill('SIGTERM')));
  for (const p of running) rmSync(p.dataDir, { recursive: true, force: true });
  // The stream and the buckets named after it (the import ledger, the manifest).
  if (natsUp) await deleteStream(stream);
  rmSync(dir, { recursive: true, force: true });
});

describe.each(buses)('loglake import into a running service on the $bus bus', ({ bus, storage }) => {
  it('imports the same file twice and holds every record once', async () => {
    const config = join(dir, `${bus}.json`);
    // JSON is YAML: the config file names the bus, and a 1 s msgId window the second run outlives.
    writeFileSync(config, JSON.stringify({ storage }));
    const p = await startLoglake({ env: { LOGLAKE_CONFIG: config } });
    running.push(p);
    const env = { ...p.env, LOGLAKE_CONFIG: config };
    const args = ['import', file, '--table', 'logs', '--project', 'default'];

    const first = await runLoglake(args, { dataDir: p.dataDir, env });
    expect(first).toContain(`${expected.size} records stored, ${BAD.size} rejected, 0 skipped (already imported)`);
    expect(first).toMatch(/rejected record 7: severity/);
    expect(first).toContain(bus === 'jetstream' ? `published to NATS JetStream` : `through the running service at ${p.url}`);
    await new Promise((r) => setTimeout(r, 1500));

    const second = await runLoglake(args, { dataDir: p.dataDir, env });
    expect(second).toContain(`already imported: 0 new records`);
    expect(second).toContain(`0 records stored, 0 rejected, ${RECORDS} skipped (already imported)`);

    await waitFor('every imported record in the lake', async () => (await lakeIds(p.dataDir, 'default', 'logs')).rows >= expected.size, 60_000, 250);
    // Time for a duplicate to show, had the second run published anything.
    await new Promise((r) => setTimeout(r, 2500));
    const { rows, ids } = await lakeIds(p.dataDir, 'default', 'logs');
    expect([...ids.values()].filter((n) => n !== 1)).toEqual([]);
    expect(rows).toBe(expected.size);
    expect(new Set(ids.keys())).toEqual(expected);
    expect(p.output()).not.toMatch(/in use/);
  }, 180_000);
});
