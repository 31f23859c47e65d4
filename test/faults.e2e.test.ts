import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoglake, type LoglakeProcess } from './helpers/loglake.js';
import { lakeValues } from './helpers/lake.js';
import { natsServerBinary, startOwnNats, type OwnNats } from './helpers/nats.js';
import { freePort, waitFor } from './helpers/ports.js';
import { ingestSurfaces, type Surface } from './helpers/surfaces.js';
import { sendBatches } from './helpers/load.js';
import { lakeIds } from './helpers/lake.js';

const ownNats = natsServerBinary() !== null;
if (!ownNats) console.warn('SKIPPING the fault tests: no nats-server binary to start a test-owned server');

const CONFIRM_MS = 1500;

function config(dir: string, nats: string): string {
  const path = join(dir, 'loglake.yaml');
  writeFileSync(path, [
    'exporters:',
    '  bus:',
    `    timeout_ms: ${CONFIRM_MS}`,
    'storage:',
    '  bus:',
    '    kind: jetstream',
    `    nats_url: ${nats}`,
    '  writer:',
    '    flush_interval_ms: 200',
    '',
  ].join('\n'));
  return path;
}

const send = (s: Surface, body: unknown, headers: Record<string, string> = {}) =>
  fetch(s.url, { method: 'POST', headers: { ...s.headers, ...headers }, body: Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body) });

/**
 * On every surface: a body sent twice is stored once; a body re-sent under one Idempotency-Key is stored
 * once even when it differs (a shipper re-stamping its retry); different keys are different requests.
 */
async function expectRetriesStoredOnce(surfaces: Surface[], messages: () => Promise<{ ids: Map<string, number> }>) {
  const run = `${process.pid}-${Date.now()}`;
  for (const s of surfaces) {
    for (let i = 0; i < 2; i++) expect((await send(s, s.body(`twice ${s.name} ${run}`))).status).toBe(s.stored);
    expect((await send(s, s.body(`keyed ${s.name} ${run}`), { 'idempotency-key': `k1-${run}` })).status).toBe(s.stored);
    expect((await send(s, s.body(`keyed retry ${s.name} ${run}`), { 'idempotency-key': `k1-${run}` })).status).toBe(s.stored);
    expect((await send(s, s.body(`keyed ${s.name} ${run}`), { 'idempotency-key': `k2-${run}` })).status).toBe(s.stored);
    expect((await send(s, gzipSync(JSON.stringify(s.body(`twice ${s.name} ${run}`))), { 'content-encoding': 'gzip' })).status).toBe(s.stored);
  }
  const m = await waitFor('the retried batches in the lake', async () => {
    const ids = (await messages()).ids;
    return surfaces.every((s) => ids.get(`keyed ${s.name} ${run}`) === 2) ? ids : null;
  }, 30_000);
  for (const s of surfaces) {
    expect({ surface: s.name, twice: m.get(`twice ${s.name} ${run}`), retry: m.get(`keyed retry ${s.name} ${run}`) }).toEqual({ surface: s.name, twice: 1, retry: undefined });
  }
}

describe.skipIf(!ownNats)('honest answers under faults (test-owned nats-server)', () => {
  let nats: OwnNats;
  let p: LoglakeProcess;
  let surfaces: Surface[];
  let project: string;

  beforeAll(async () => {
    nats = await startOwnNats();
    const dataDir = mkdtempSync(join(tmpdir(), 'loglake-faults-'));
    p = await startLoglake({ dataDir, env: { LOGLAKE_CONFIG: config(dataDir, nats.url) } });
    const boot = p.bootstrap();
    project = boot.project_id;
    surfaces = ingestSurfaces(p, boot.keys);
  }, 90_000);

  afterAll(async () => {
    await p?.kill('SIGKILL');
    nats?.proc.kill('SIGCONT');
    await nats?.stop();
  });

  const messages = () => lakeValues(p.dataDir, project, 'logs', 'message');

  it('answers 503 with Retry-After, "may or may not have been stored", when the bus is frozen; the records are not lost', { timeout: 60_000 }, async () => {
    nats.proc.kill('SIGSTOP');
    try {
      const answers = await Promise.all(surfaces.map(async (s) => {
        const started = Date.now();
        const res = await send(s, s.body(`frozen ${s.name}`));
        return { s, res, body: (await res.json()) as Record<string, unknown>, ms: Date.now() - started };
      }));
      for (const { s, res, body, ms } of answers) {
        expect({ surface: s.name, status: res.status }).toEqual({ surface: s.name, status: 503 });
        expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(JSON.stringify(body)).toMatch(/may or may not have been stored; retrying this same request is safe/);
        expect(s.code(body)).toEqual(s.name === 'Logtrail' ? 'INTERNAL_LOG_SERVICE_ERROR' : s.name === 'OTLP/HTTP' ? 14 : 'SERVICE_UNAVAILABLE');
        // The budget is the setting, not the client library's own timeouts.
        expect(ms).toBeLessThan(CONFIRM_MS + 2000);
      }
    } finally {
      nats.proc.kill('SIGCONT');
    }
    // The frozen server had the publishes in its socket: what the answer could not promise arrives anyway.
    await waitFor('the frozen batches in the lake', async () => {
      const m = (await messages()).ids;
      return surfaces.every((s) => m.get(`frozen ${s.name}`) === 1);
    }, 30_000);
    // The client does what the answer tells it: it retries the same request, which is stored once.
    for (const s of surfaces) expect((await send(s, s.body(`frozen ${s.name}`))).status).toBe(s.stored);
    for (const s of surfaces) expect((await send(s, s.body(`thawed ${s.name}`))).status).toBe(s.stored);
    const m = await waitFor('the thawed batches in the lake', async () => {
      const ids = (await messages()).ids;
      return surfaces.every((s) => ids.get(`thawed ${s.name}`) === 1) ? ids : null;
    }, 30_000);
    expect(surfaces.map((s) => [s.name, m.get(`frozen ${s.name}`)])).toEqual(surfaces.map((s) => [s.name, 1]));
  });

  it('reads gzip and deflate bodies on every HTTP ingest route, limits the inflated size and refuses what it cannot read', { timeout: 60_000 }, async () => {
    // Leading whitespace is valid JSON: 17 MB of it inflates past every surface's limit from a few KB.
    const bomb = gzipSync(Buffer.alloc(17 * 1024 * 1024, ' '));
    expect(bomb.length).toBeLessThan(100_000);
    for (const s of surfaces) {
      const text = (m: string) => Buffer.from(JSON.stringify(s.body(m)));
      expect({ surface: s.name, status: (await send(s, gzipSync(text(`gzip ${s.name}`)), { 'content-encoding': 'gzip' })).status }).toEqual({ surface: s.name, status: s.stored });
      expect((await send(s, deflateSync(text(`deflate ${s.name}`)), { 'content-encoding': 'deflate' })).status).toBe(s.stored);
      const cases: [string, Buffer, string, number][] = [
        ['a plain body labelled gzip', text(`mislabelled ${s.name}`), 'gzip', 400],
        ['an encoding loglake does not read', text(`brotli ${s.name}`), 'br', 415],
        ['a decompression bomb', bomb, 'gzip', 413],
      ];
      for (const [what, body, encoding, status] of cases) {
        const res = await send(s, body, { 'content-encoding': encoding });
        expect({ surface: s.name, what, status: res.status }).toEqual({ surface: s.name, what, status });
        // Refused in the surface's own envelope.
        expect(s.code((await res.json()) as Record<string, unknown>)).toBeDefined();
      }
    }
    const stored = await waitFor('the compressed bodies in the lake', async () => {
      const m = (await messages()).ids;
      return surfaces.every((s) => m.get(`gzip ${s.name}`) === 1 && m.get(`deflate ${s.name}`) === 1) ? m : null;
    }, 30_000);
    for (const s of surfaces) expect([stored.get(`mislabelled ${s.name}`), stored.get(`brotli ${s.name}`)]).toEqual([undefined, undefined]);
  });

  it('stores a retried request once: same body, or the same Idempotency-Key', { timeout: 60_000 }, async () => {
    await expectRetriesStoredOnce(surfaces, messages);
  });

  it('is ready only while the bus answers, saying which bus it waits for; /metrics shows the writer\'s lag', { timeout: 60_000 }, async () => {
    const ready = async () => {
      const res = await fetch(`${p.url}/ready`);
      return { status: res.status, body: (await res.json()) as { status: string; reasons?: string[] } };
    };
    expect(await ready()).toEqual({ status: 200, body: { status: 'ready' } });
    nats.proc.kill('SIGSTOP');
    try {
      const frozen = await waitFor('not ready', async () => {
        const r = await ready();
        return r.status === 503 ? r : null;
      }, 10_000);
      expect(frozen.body.status).toBe('not_ready');
      expect(frozen.body.reasons!.join('; ')).toContain(nats.url);
      // Liveness is another question: the process is alive and says so.
      expect((await fetch(`${p.url}/v1/health`)).status).toBe(200);
    } finally {
      nats.proc.kill('SIGCONT');
    }
    await waitFor('ready again', async () => (await ready()).status === 200, 20_000);
    const metrics = await (await fetch(`${p.url}/metrics`)).text();
    for (const name of ['loglake_bus_undelivered_messages', 'loglake_bus_ack_pending_messages', 'loglake_writer_buffered_rows', 'loglake_writer_last_commit_timestamp_seconds']) {
      expect(metrics).toMatch(new RegExp(`^${name} \\d+$`, 'm'));
    }
    const lastCommit = Number(/^loglake_writer_last_commit_timestamp_seconds (\d+)$/m.exec(metrics)![1]);
    expect(Math.abs(Date.now() / 1000 - lastCommit)).toBeLessThan(120);
  });
});

describe('safe retries on the embedded bus', () => {
  let p: LoglakeProcess;
  afterAll(async () => {
    await p?.kill('SIGKILL');
  });

  it('stores a retried request once: same body, or the same Idempotency-Key', { timeout: 90_000 }, async () => {
    p = await startLoglake({ env: { LOGLAKE_CONFIG: '' } });
    const boot = p.bootstrap();
    await expectRetriesStoredOnce(ingestSurfaces(p, boot.keys), () => lakeValues(p.dataDir, boot.project_id, 'logs', 'message'));
  });
});

describe.skipIf(!ownNats)('NATS down at start, and restarted later', () => {
  let nats: OwnNats | undefined;
  let p: LoglakeProcess | undefined;
  afterAll(async () => {
    await p?.kill('SIGKILL');
    await nats?.stop();
  });

  it('starts without NATS, waiting for it (saying so) to open the metadata it keeps there, and is ready by itself when NATS appears and after it restarts', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const url = `127.0.0.1:${port}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'loglake-nonats-'));
    // With JetStream the metadata (keys included) lives in NATS: nothing can be served before it is there.
    // NATS appears once loglake says it is waiting for it (a fixed 3 s delay lost the race to a slow start).
    let appears: Promise<OwnNats> | undefined;
    const waiting = `metadata: waiting for NATS at ${url}`;
    p = await startLoglake({ dataDir, env: { LOGLAKE_CONFIG: config(dataDir, url) }, onOutput: (out) => void (out.includes(waiting) && (appears ??= startOwnNats(undefined, port))) });
    nats = await appears!;
    expect(p.output()).toContain(waiting);
    const boot = p.bootstrap();
    const [goodlogs] = ingestSurfaces(p, boot.keys);
    const ready = async () => {
      const res = await fetch(`${p!.url}/ready`);
      return { status: res.status, body: (await res.json()) as { reasons?: string[] } };
    };
    await waitFor('ready once NATS is there', async () => (await ready()).status === 200, 30_000);
    expect((await send(goodlogs, goodlogs.body('before NATS'))).status).toBe(202);
    expect((await send(goodlogs, goodlogs.body('after NATS'))).status).toBe(202);

    const { storeDir } = nats;
    await nats.stop();
    await waitFor('not ready while NATS is gone', async () => (await ready()).status === 503, 15_000);
    nats = await startOwnNats(storeDir, port);
    await waitFor('ready after the NATS restart', async () => (await ready()).status === 200, 30_000);
    expect((await send(goodlogs, goodlogs.body('after restart'))).status).toBe(202);
    await waitFor('every acknowledged record in the lake', async () => {
      const m = (await lakeValues(dataDir, boot.project_id, 'logs', 'message')).ids;
      return ['before NATS', 'after NATS', 'after restart'].every((x) => m.get(x) === 1);
    }, 30_000);
    expect(p.proc.exitCode).toBeNull();
  });
});

describe.skipIf(!ownNats)('recovery in seconds after kill -9 on JetStream (default ack_wait)', () => {
  let nats: OwnNats | undefined;
  const procs: LoglakeProcess[] = [];
  afterAll(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    await nats?.stop();
  });

  it('has every acknowledged record in the lake within 15 s of the restart, once; a graceful stop then drains everything', { timeout: 120_000 }, async () => {
    nats = await startOwnNats();
    const dataDir = mkdtempSync(join(tmpdir(), 'loglake-recovery-'));
    const env = { LOGLAKE_CONFIG: config(dataDir, nats.url) };
    const first = await startLoglake({ dataDir, env });
    procs.push(first);
    const { project_id, keys } = first.bootstrap();
    let stop = false;
    const load = sendBatches({ url: first.url, key: keys.goodlogs_secret, table: 'logs', batches: 100_000, batchSize: 200, concurrency: 4, stop: () => stop });
    await new Promise((r) => setTimeout(r, 2500));
    await first.kill('SIGKILL');
    stop = true;
    const sent = await load;
    const acked = sent.acked;
    expect(acked.length).toBeGreaterThan(1000);

    const restartedAt = Date.now();
    const second = await startLoglake({ dataDir, env, ports: first.env });
    procs.push(second);
    const lake = await waitFor('every acknowledged record in the lake', async () => {
      const l = await lakeIds(dataDir, project_id, 'logs');
      return acked.every((id) => l.ids.has(id)) ? l : null;
    }, 30_000, 250);
    const seconds = (Date.now() - restartedAt) / 1000;
    expect(seconds).toBeLessThan(15);
    expect([...lake.ids].filter(([, n]) => n > 1)).toEqual([]);

    expect(await second.kill('SIGTERM')).toBe(0);
    // Nothing is left for a writer: the graceful stop took what the dead process had held, too.
    const after = await lakeIds(dataDir, project_id, 'logs');
    expect(after.rows).toBe(after.ids.size);
    const third = await startLoglake({ dataDir, env, ports: first.env });
    procs.push(third);
    const metrics = await (await fetch(`${third.url}/metrics`)).text();
    expect(metrics).toMatch(/^loglake_bus_undelivered_messages 0$/m);
    expect(metrics).toMatch(/^loglake_bus_ack_pending_messages 0$/m);
  });
});


const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;
if (!canMount) console.warn('SKIPPING the full-disk test: it mounts a small tmpfs, which needs root');

/** Fills a file system to the last byte with one file, as a runaway log or another program would. */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  spawnSync('dd', ['if=/dev/zero', `of=${path}`, 'bs=64k'], { stdio: 'ignore' });
  return path;
}

describe.skipIf(!canMount)('a full disk under the lake (a small tmpfs the test mounts)', () => {
  let p: LoglakeProcess | undefined;
  let mounted: string | undefined;
  afterAll(async () => {
    await p?.kill('SIGKILL');
    if (mounted) spawnSync('umount', ['-l', mounted]);
  });

  it('stops acknowledging, says why on /ready, loses nothing and resumes by itself once space is freed', { timeout: 90_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'loglake-fulldisk-'));
    const lakeDir = join(dataDir, 'lake');
    mkdirSync(lakeDir);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', lakeDir]).status).toBe(0);
    mounted = lakeDir;
    p = await startLoglake({ dataDir, env: { LOGLAKE_CONFIG: '' } });
    const boot = p.bootstrap();
    const [goodlogs] = ingestSurfaces(p, boot.keys);
    const filler = fill(lakeDir);

    for (let i = 0; i < 3; i++) expect((await send(goodlogs, goodlogs.body(`on a full disk ${i}`))).status).toBe(202);
    const notReady = await waitFor('not ready while the lake is full', async () => {
      const res = await fetch(`${p!.url}/ready`);
      const body = (await res.json()) as { reasons?: string[] };
      return res.status === 503 ? body : null;
    }, 20_000);
    expect(notReady.reasons!.join('; ')).toMatch(/cannot write the lake/);

    rmSync(filler);
    await waitFor('the records in the lake once space is freed', async () => {
      const m = (await lakeValues(dataDir, boot.project_id, 'logs', 'message')).ids;
      return [0, 1, 2].every((i) => m.get(`on a full disk ${i}`) === 1);
    }, 40_000);
    await waitFor('ready again', async () => (await fetch(`${p!.url}/ready`)).status === 200, 20_000);
    expect(existsSync(join(dataDir, 'dead-letter'))).toBe(false);
  });
});

describe.skipIf(!canMount)('a full disk under the embedded bus (a small tmpfs the test mounts)', () => {
  let p: LoglakeProcess | undefined;
  let mounted: string | undefined;
  afterAll(async () => {
    await p?.kill('SIGKILL');
    if (mounted) spawnSync('umount', ['-l', mounted]);
  });

  it('answers 503 while the bus cannot append, and leaves a log that replays whole after kill -9', { timeout: 90_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'loglake-fullbus-'));
    const busDir = join(dataDir, 'bus');
    mkdirSync(busDir);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', busDir]).status).toBe(0);
    mounted = busDir;
    p = await startLoglake({ dataDir, env: { LOGLAKE_CONFIG: '' } });
    const boot = p.bootstrap();
    const [goodlogs] = ingestSurfaces(p, boot.keys);
    expect((await send(goodlogs, goodlogs.body('before the disk filled'))).status).toBe(202);
    const filler = fill(busDir);

    // Larger than the slack in the last page of the segment file, which needs no new block.
    const whileFull = `while full ${'x'.repeat(60_000)}`;
    const refused = await send(goodlogs, goodlogs.body(whileFull));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);

    rmSync(filler);
    // The retry the 503 asked for is stored, as is what follows it.
    expect((await send(goodlogs, goodlogs.body(whileFull))).status).toBe(202);
    expect((await send(goodlogs, goodlogs.body('after space was freed'))).status).toBe(202);
    await p.kill('SIGKILL');
    p = await startLoglake({ dataDir, env: { LOGLAKE_CONFIG: '' }, ports: p.env });
    await waitFor('every acknowledged record in the lake once', async () => {
      const m = (await lakeValues(dataDir, boot.project_id, 'logs', 'message')).ids;
      return ['before the disk filled', whileFull, 'after space was freed'].every((x) => m.get(x) === 1);
    }, 30_000);
  });
});
