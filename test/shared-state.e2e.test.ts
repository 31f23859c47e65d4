// Nodes that share no data dir, only NATS and the lake: the metadata and the schema catalog they see are
// the JetStream KV buckets, so a key bootstrapped by one node works on every other, the bootstrap happens
// once however many nodes start together, and a query node sees the properties the writer discovered.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLoglake, type LoglakeProcess } from './helpers/loglake.js';
import { natsServerBinary, startOwnNats, type OwnNats } from './helpers/nats.js';
import { waitFor } from './helpers/ports.js';

const binary = natsServerBinary();
if (!binary) console.warn('SKIPPING the shared-state end-to-end test: nats-server is not installed');
let nats: OwnNats | undefined;
const procs: LoglakeProcess[] = [];
afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGTERM')));
  await nats?.stop();
});

describe.skipIf(!binary)('nodes sharing only NATS and the lake', () => {
  it('bootstrap once for two collectors starting together; their key works on a query node that sees the writer’s catalog', { timeout: 120_000 }, async () => {
    nats = await startOwnNats();
    const lake = mkdtempSync(join(tmpdir(), 'loglake-shared-lake-'));
    const env = { NATS_URL: nats.url, LOGLAKE_LAKE_DIR: lake };
    const node = (role: 'collector' | 'writer' | 'query') => startLoglake({ role, env }).then((p) => (procs.push(p), p));
    const collectors = await Promise.all([node('collector'), node('collector')]);
    const writer = await node('writer');
    const query = await node('query');
    const booted = collectors.filter((p) => existsSync(join(p.dataDir, 'bootstrap.json')));
    expect(booted).toHaveLength(1);
    expect([writer, query].some((p) => existsSync(join(p.dataDir, 'bootstrap.json')))).toBe(false);
    const key = booted[0].bootstrap().keys.goodlogs_secret;
    const call = async (p: LoglakeProcess, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${p.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, body: (await res.json().catch(() => null)) as any };
    };

    // Either collector takes the key the other bootstrapped.
    for (const c of collectors) expect((await call(c, 'POST', '/v1/logs', { batch: [{ severity: 'error', message: `via ${c.url}`, properties: { checkout_step: 'pay' } }] })).status).toBe(202);
    await waitFor('the rows on the query node', async () => (await call(query, 'POST', '/v1/gql/query', { q: 'count' })).body?.data?.results?.[0]?.value === 2, 30_000, 200);
    await waitFor('the writer’s catalog on the query node', async () => {
      const schema = (await call(query, 'GET', '/v1/schema')).body;
      return schema?.log_properties?.some((p: { key: string }) => p.key === 'checkout_step');
    }, 30_000, 200);
  });
});
