import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/helpers/ports.js';
import { receiverHarness, type ReceiverHarness } from '../testing.js';
import { documentsOf } from './decode.js';
import { logstashReceiverFactory } from './factory.js';
import { LineSplitter } from './framing.js';
import { toLogRecord } from './mapping.js';
import type { LogstashReceiver } from './receiver.js';

const LOCAL = { host: '127.0.0.1', port: 0 };

async function harness(config: Record<string, unknown> = {}): Promise<{ h: ReceiverHarness; r: LogstashReceiver }> {
  const h = await receiverHarness(logstashReceiverFactory, { ...LOCAL, batch_wait_ms: 20, ...config }, ['logs']);
  return { h, r: h.receiver as LogstashReceiver };
}

const open = (port: number) =>
  new Promise<Socket>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.setNoDelay(true);
    socket.once('error', reject);
  });

const write = (socket: Socket, data: string | Buffer) => new Promise<void>((resolve, reject) => socket.write(data, (err) => (err ? reject(err) : resolve())));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes each piece as its own segment (no Nagle, a pause between), then ends the stream. */
async function sendPieces(port: number, pieces: (string | Buffer)[]): Promise<void> {
  const socket = await open(port);
  for (const piece of pieces) {
    await write(socket, piece);
    await pause(15);
  }
  await new Promise<void>((resolve) => socket.end(resolve));
}

const messages = (h: ReceiverHarness) => h.records('logs').map((r) => r.message);
const arrived = (h: ReceiverHarness, n: number) => waitFor(`${n} records`, async () => h.records('logs').length >= n, 20_000, 10);

describe('logstash receiver over TCP', () => {
  let h: ReceiverHarness;
  let r: LogstashReceiver;
  beforeAll(async () => ({ h, r } = await harness()));
  afterAll(async () => h.close());

  it('listens on TCP and UDP on the same port', () => {
    expect(r.tcpPort).toBeGreaterThan(0);
    expect(r.udpPort).toBe(r.tcpPort);
  });

  it('frames lines whatever the segments: split lines, several per segment, \\r\\n, split UTF-8', async () => {
    const before = h.records('logs').length;
    const euro = Buffer.from('{"message":"price 5€"}\n');
    const cut = euro.indexOf(0xe2) + 1; // inside the three bytes of €
    await sendPieces(r.tcpPort!, [
      '{"mess', 'age":"one"', '}\n',
      '{"message":"two"}\n{"message":"three"}\r\n{"message":"fo',
      'ur"}\r', '\n',
      euro.subarray(0, cut), euro.subarray(cut),
      '\n\n',
    ]);
    await arrived(h, before + 5);
    expect(messages(h).slice(before)).toEqual(['one', 'two', 'three', 'four', 'price 5€']);
  });

  it('turns plain lines into messages with the defaults', async () => {
    const before = h.records('logs').length;
    await sendPieces(r.tcpPort!, ['GET /health 200\n', 'disk {almost} full\n', '42\n']);
    await arrived(h, before + 3);
    const records = h.records('logs').slice(before);
    expect(records.map((x) => x.message)).toEqual(['GET /health 200', 'disk {almost} full', '42']);
    expect(records[0]).toMatchObject({ severity: 'info', severity_number: 9, project_id: 'default', environment: 'production', receiver: 'logstash', tags: [] });
    expect(h.batches.at(-1)!.context).toMatchObject({ receiver: 'logstash', remoteAddress: '127.0.0.1' });
  });

  it('skips a line over max_line_bytes to its newline and keeps the connection', async () => {
    const before = h.records('logs').length;
    const oversized = r.stats.oversized;
    const socket = await open(r.tcpPort!);
    await write(socket, '{"message":"before"}\n');
    const long = `{"message":"${'x'.repeat(100 * 1024)}"}`;
    for (let i = 0; i < long.length; i += 16 * 1024) await write(socket, long.slice(i, i + 16 * 1024));
    await write(socket, '\n{"message":"after"}\n');
    await arrived(h, before + 2);
    await write(socket, 'still open\n');
    await arrived(h, before + 3);
    socket.end();
    expect(messages(h).slice(before)).toEqual(['before', 'after', 'still open']);
    expect(r.stats.oversized).toBe(oversized + 1);
  });

  it('keeps the complete lines of a sender that dies mid-line and stores no fragment', async () => {
    const before = h.records('logs').length;
    const truncated = r.stats.truncated;
    // A clean end (FIN) after half a JSON document: the half is discarded, not stored as a plain message.
    await sendPieces(r.tcpPort!, ['{"message":"kept 1"}\n{"message":"kept 2"}\n{"message":"cut sh']);
    // A reset mid-line: whatever the fragment is, it is discarded.
    const socket = await open(r.tcpPort!);
    await write(socket, '{"message":"kept 3"}\nplain text cut sh');
    await pause(50);
    socket.resetAndDestroy();
    // Like Logstash's json_lines, a complete last line without its newline counts at a clean end.
    await sendPieces(r.tcpPort!, ['{"message":"kept 4"}']);
    await arrived(h, before + 4);
    await waitFor('truncated counted', async () => r.stats.truncated === truncated + 2, 5000, 10);
    expect(messages(h).slice(before).sort()).toEqual(['kept 1', 'kept 2', 'kept 3', 'kept 4']);
  });

  it('retries a batch the bus refuses, keeping its order and losing nothing', async () => {
    const before = h.records('logs').length;
    const retries = r.stats.retries;
    h.failNext(3);
    await sendPieces(r.tcpPort!, ['{"message":"r1"}\n{"message":"r2"}\n']);
    await sendPieces(r.tcpPort!, ['{"message":"r3"}\n']);
    await arrived(h, before + 3);
    expect(messages(h).slice(before)).toEqual(['r1', 'r2', 'r3']);
    expect(r.stats.retries).toBe(retries + 3);
    expect(r.stats.lost).toBe(0);
  });
});

describe('logstash receiver over UDP', () => {
  let h: ReceiverHarness;
  let r: LogstashReceiver;
  beforeAll(async () => ({ h, r } = await harness({ udp_max_queued_lines: 5, batch_wait_ms: 50 })));
  afterAll(async () => h.close());

  const sendDatagrams = async (port: number, datagrams: string[]) => {
    const socket = createSocket('udp4');
    for (const d of datagrams) await new Promise<void>((resolve, reject) => socket.send(d, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    socket.close();
  };

  it('takes one document per datagram, newline-separated ones, and plain text', async () => {
    await sendDatagrams(r.udpPort!, ['{"message":"u1","level":"warn"}', '{"message":"u2"}\n{"message":"u3"}\n', 'plain datagram']);
    await arrived(h, 4);
    expect(messages(h).sort()).toEqual(['plain datagram', 'u1', 'u2', 'u3']);
    expect(h.records('logs').find((x) => x.message === 'u1')).toMatchObject({ severity: 'warn' });
  });

  it('drops and counts lines beyond the queue bound while the bus is stalled', async () => {
    const release = h.holdConsumes();
    const before = h.records('logs').length;
    await sendDatagrams(r.udpPort!, ['a\nb\nc\nd\ne\nf\ng']);
    await waitFor('the datagram', async () => r.stats.dropped + r.buffered >= 7, 5000, 10);
    expect(r.buffered).toBe(5);
    expect(r.stats.dropped).toBe(2);
    release();
    await arrived(h, before + 5);
  });
});

describe('mapping Logstash events', () => {
  const now = '2026-03-01T00:00:00.000Z';
  const target = { projectId: 'p1', defaultEnvironment: 'production' };

  it('maps the Logstash and ECS fields and keeps the rest as nested properties', () => {
    const record = toLogRecord(
      {
        '@timestamp': '2026-02-27T10:22:01.123Z',
        '@version': '1',
        'log.level': 'WARNING',
        message: 'Connection timeout on db-primary-03',
        host: { name: 'web-1', ip: ['10.0.0.1'] },
        tags: ['beats_input', 'prod'],
        fields: { team: 'payments', region: 'eu' },
        service: { name: 'payment-gateway', version: '2.1' },
        environment: 'Staging',
        http: { status: 504, method: 'POST' },
        region: 'us',
      },
      target,
      now,
    );
    expect(record).toMatchObject({
      project_id: 'p1',
      timestamp: '2026-02-27T10:22:01.123Z',
      observed_timestamp: now,
      severity: 'warn',
      severity_number: 13,
      message: 'Connection timeout on db-primary-03',
      service: 'payment-gateway',
      environment: 'staging',
      tags: ['beats_input', 'prod'],
      resource: { 'host.name': 'web-1', 'service.name': 'payment-gateway' },
      receiver: 'logstash',
    });
    expect(record.properties).toEqual({
      team: 'payments',
      region: 'us',
      host: { ip: ['10.0.0.1'] },
      service: { version: '2.1' },
      http: { status: 504, method: 'POST' },
    });
  });

  it('keeps the order of the fields left, whichever order the columns are written in', () => {
    const sent = { z: 1, fields: { team: 'a', z: 0 }, host: { name: 'h', ip: '1' }, message: 'm', '@version': '1', log: { level: 'warn', file: 'f' }, '@timestamp': '2026-02-27T10:22:01Z', a: 2, tags: 't' };
    const record = toLogRecord(structuredClone(sent), target, now);
    expect(JSON.stringify(record.properties)).toBe('{"team":"a","z":1,"host":{"ip":"1"},"log":{"file":"f"},"a":2}');
    expect(record).toMatchObject({ timestamp: '2026-02-27T10:22:01.000Z', severity: 'warn', message: 'm', tags: ['t'], resource: { 'host.name': 'h' } });
  });

  it('reads the other spellings: timestamp, severity/loglevel, service.name, host string or hostname', () => {
    const a = toLogRecord({ timestamp: '2026-02-27 10:00:00', severity: 'ERR', 'service.name': 'api', host: 'db-1' }, target, now);
    expect(a).toMatchObject({ timestamp: '2026-02-27T10:00:00.000Z', severity: 'error', service: 'api', resource: { 'host.name': 'db-1', 'service.name': 'api' }, properties: {} });
    const b = toLogRecord({ loglevel: 17, service: 'worker', host: { hostname: 'h2' }, tags: 'single' }, target, now);
    expect(b).toMatchObject({ severity: 'error', service: 'worker', resource: { 'host.name': 'h2' }, tags: ['single'] });
  });

  it('falls back to server time, info and the default environment, keeping values that did not map', () => {
    const record = toLogRecord({ '@timestamp': 'yesterday', level: 'loud', environment: 'qa', message: 7 }, target, now);
    expect(record).toMatchObject({ timestamp: now, severity: 'info', environment: 'production', message: '7', service: null, resource: {} });
    expect(record.properties).toEqual({ '@timestamp': 'yesterday', level: 'loud', environment: 'qa' });
  });

  it('reads a line as a JSON object, an array of objects, or plain text', () => {
    expect(documentsOf('{"a":1}')).toEqual([{ a: 1 }]);
    expect(documentsOf('[{"a":1},{"b":2}]')).toEqual([{ a: 1 }, { b: 2 }]);
    expect(documentsOf('[1,2]')).toEqual([{ message: '[1,2]' }]);
    expect(documentsOf('{not json')).toEqual([{ message: '{not json' }]);
    expect(documentsOf('  ')).toEqual([]);
  });

  it('bounds what the splitter holds for a line that never ends', () => {
    let oversized = 0;
    const splitter = new LineSplitter(10, () => oversized++);
    for (let i = 0; i < 1000; i++) expect(splitter.push(Buffer.from('xxxxxxxx'))).toEqual([]);
    expect(splitter.partial).toBe(false);
    expect(splitter.push(Buffer.from('tail\nok\n'))).toEqual(['ok']);
    expect(oversized).toBe(1);
  });
});

describe('routing by key_field', () => {
  let h: ReceiverHarness;
  let r: LogstashReceiver;
  let otherKey: string;
  let readOnlyKey: string;
  beforeAll(async () => {
    ({ h, r } = await harness({ key_field: 'api_key', project: 'default' }));
    const org = h.meta.listProjects()[0].org_id;
    const other = await h.meta.createProject(org, 'other', 'unlimited', 'prj_other');
    const spec = { org_id: org, project_id: other.id, family: 'logtrace' as const, kind: 'secret' as const, environments: null, region: 'eu', name: 't' };
    otherKey = (await h.meta.createKey({ ...spec, scopes: ['logs:write'] })).secret;
    readOnlyKey = (await h.meta.createKey({ ...spec, scopes: ['logs:read'] })).secret;
  });
  afterAll(async () => h.close());

  it('sends a line to its key\'s project, removes the key, rejects and counts bad keys', async () => {
    const lines = [
      { message: 'to other', api_key: otherKey },
      { message: 'to default' },
      { message: 'bad key', api_key: 'lt_live_nope' },
      { message: 'read-only key', api_key: readOnlyKey },
      { message: 'key not a string', api_key: 12 },
      // The bootstrap LogTrace key may write production only.
      { message: 'staging with a production key', api_key: h.keys.logtrace, environment: 'staging' },
      { message: 'production key, default env', api_key: h.keys.logtrace },
    ];
    await sendPieces(r.tcpPort!, [lines.map((l) => JSON.stringify(l)).join('\n') + '\n']);
    await arrived(h, 3);
    await waitFor('rejections', async () => r.stats.rejected === 4, 5000, 10);
    const records = h.records('logs');
    expect(records.map((x) => [x.message, x.project_id])).toEqual(
      expect.arrayContaining([['to other', 'prj_other'], ['to default', 'default'], ['production key, default env', 'default']]),
    );
    expect(records).toHaveLength(3);
    for (const record of records) expect(record.properties).not.toHaveProperty('api_key');
    expect(new Set(h.batches.map((b) => b.projectId))).toEqual(new Set(['prj_other', 'default']));
    for (const batch of h.batches) expect(batch.records.every((x) => x.project_id === batch.projectId)).toBe(true);
  });
});

describe('backpressure', () => {
  let h: ReceiverHarness;
  let r: LogstashReceiver;
  beforeAll(async () => ({ h, r } = await harness({ batch_size: 500 })));
  afterAll(async () => h.close());

  it('pauses reading while the bus is stalled instead of buffering 100k lines, then takes them all', async () => {
    const total = 100_000;
    const release = h.holdConsumes();
    const socket = await open(r.tcpPort!);
    let peak = 0;
    const sample = setInterval(() => {
      peak = Math.max(peak, r.buffered);
    }, 5);
    // One batch on its way, one full one waiting, and the rest of the socket read that filled it.
    const bound = 2 * 500 + (64 * 1024) / 20;
    try {
      const payload = Array.from({ length: total }, (_, i) => `{"message":"line ${i}","n":${i}}\n`).join('');
      const written = write(socket, payload);
      await waitFor('the receiver to pause', async () => r.stats.paused > 0, 10_000, 10);
      await pause(300);
      expect(r.buffered).toBeLessThanOrEqual(bound);
      release();
      await written;
      socket.end();
      await arrived(h, total);
    } finally {
      release();
      clearInterval(sample);
    }
    expect(peak).toBeLessThanOrEqual(bound);
    const ns = h.records('logs').map((x) => (x.properties as { n: number }).n);
    expect(ns).toEqual(Array.from({ length: total }, (_, i) => i));
  });
});

describe('shutdown', () => {
  it('stops accepting, delivers what it read, closes connections', async () => {
    const { h, r } = await harness({ batch_wait_ms: 60_000 });
    const socket = await open(r.tcpPort!);
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.on('error', () => {});
    await write(socket, '{"message":"pending 1"}\n{"message":"pending 2"}\n');
    await waitFor('the lines read', async () => r.buffered === 2, 5000, 10);
    const port = r.tcpPort!;
    await h.close();
    expect(messages(h)).toEqual(['pending 1', 'pending 2']);
    await closed;
    await expect(open(port)).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('a real shipping client', () => {
  let h: ReceiverHarness;
  let r: LogstashReceiver;
  let dir: string;
  let file: string;
  const count = 20_000;
  beforeAll(async () => {
    ({ h, r } = await harness());
    dir = mkdtempSync(join(tmpdir(), 'loglake-shipper-'));
    file = join(dir, 'app.log');
    const lines = Array.from({ length: count }, (_, i) =>
      i % 10 === 0 ? `plain line ${i}` : JSON.stringify({ '@timestamp': '2026-02-27T10:00:00Z', level: i % 3 ? 'info' : 'error', message: `event ${i}`, seq: i }),
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const exitOf = (child: ReturnType<typeof spawn>) =>
    new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', resolve);
    });

  const expectAll = async (before: number) => {
    await arrived(h, before + count);
    const got = h.records('logs').slice(before);
    expect(got).toHaveLength(count);
    expect(new Set(got.map((x) => x.message)).size).toBe(count);
    expect(got.filter((x) => x.severity === 'error')).toHaveLength(Math.ceil(count / 3) - Math.ceil(count / 30));
  };

  it('takes every line a separate process streams from a file', async () => {
    const before = h.records('logs').length;
    const shipper = `
      const net = require('node:net'), fs = require('node:fs');
      const socket = net.connect(Number(process.argv[2]), '127.0.0.1', () => fs.createReadStream(process.argv[1], { highWaterMark: 4096 }).pipe(socket));
      socket.on('error', (e) => { console.error(e); process.exit(2); });`;
    const child = spawn(process.execPath, ['-e', shipper, file, String(r.tcpPort)], { stdio: ['ignore', 'inherit', 'inherit'] });
    expect(await exitOf(child)).toBe(0);
    await expectAll(before);
  });

  const socat = spawnSync('sh', ['-c', 'command -v socat']).status === 0;
  it.skipIf(!socat)('takes every line socat streams from a file', async () => {
    const before = h.records('logs').length;
    const child = spawn('socat', ['-u', `FILE:${file}`, `TCP:127.0.0.1:${r.tcpPort}`], { stdio: 'inherit' });
    expect(await exitOf(child)).toBe(0);
    await expectAll(before);
  });
});
