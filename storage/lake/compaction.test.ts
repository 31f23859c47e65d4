import { mkdtempSync, readdirSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { Compactor, mergesOf } from './compaction.js';
import { dropExpired } from './retention.js';
import { Manifest, type LakeFile } from './manifest.js';
import { ParquetWriter } from './parquet.js';
import { encodeRow } from './encode.js';
import { partitionDir } from './layout.js';
import { readSkipIndex } from './skip-index.js';
import type { LogRecord } from '../../core/records.js';

function log(i: number, service: string): LogRecord {
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, project_id: 'p', environment: 'production',
    timestamp: `2026-06-15T11:${String(i % 60).padStart(2, '0')}:00.000Z`, observed_timestamp: '2026-06-15T11:00:00.000Z',
    severity: 'info', severity_number: 9, message: `m${i}`, service, action: null, tags: [], trace_id: null, span_id: null, trace_flags: null,
    properties: { n: i, s: `v${i}`, b: i % 2 === 0 }, resource: {}, receiver: 'test',
  };
}

/** A lake whose partition 2026-06-15T11 of project p holds `files` committed files of `rows` logs each. */
async function smallFiles(files: number, rows: number) {
  const lakeDir = mkdtempSync(join(tmpdir(), 'loglake-compact-'));
  const manifest = new Manifest(lakeDir);
  manifest.open();
  const writer = await ParquetWriter.create();
  const dir = partitionDir(lakeDir, 'p', 'logs', '2026-06-15T11');
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f < files; f++) {
    const staged = join(lakeDir, `../stage-${process.pid}-${f}.ndjson`);
    writeFileSync(staged, Array.from({ length: rows }, (_, i) => encodeRow('logs', log(f * rows + i, `svc-${(f + i) % 3}`))).join('\n'));
    const path = join(dir, `part-${f}.parquet`);
    const written = await writer.fromNdjson('logs', [staged], path);
    manifest.commitSync('bus', [{ path: join('p/logs/date=2026-06-15/hour=11', `part-${f}.parquet`), project: 'p', table: 'logs', hour: '2026-06-15T11', rows: written, bytes: statSync(path).size }], [[f + 1, f + 1]]);
  }
  return { lakeDir, manifest, writer, dir };
}

describe('Compactor', () => {
  it('merges a partition into one sorted file with the same rows and retires the old files', async () => {
    const { lakeDir, manifest, writer, dir } = await smallFiles(4, 25);
    const compactor = new Compactor(manifest, await ParquetWriter.create(), { lakeDir, intervalMs: 60_000, minFiles: 8, targetRows: 1000, retentionDays: 0, deleteGraceMs: 0 }, pino({ level: 'silent' }));
    compactor.start();
    expect(await compactor.runOnce(new Date('2026-06-15T11:30:00Z'))).toBe(0);
    expect(await compactor.runOnce(new Date('2026-06-15T12:00:00Z'))).toBe(1);
    await compactor.stop();
    const files = manifest.list('p', 'logs');
    expect(files).toHaveLength(1);
    expect(files[0].rows).toBe(100);
    const name = files[0].path.split('/').pop()!;
    expect(readdirSync(dir).sort()).toEqual(['_index', name]);
    // Its skip index beside it (the sources had none), readable and of its rows.
    expect(readdirSync(join(dir, '_index'))).toEqual([`${name}.idx`]);
    expect(readSkipIndex(manifest.absolute(files[0].path), 100)?.blooms).toHaveLength(1);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const merged = `read_parquet('${manifest.absolute(files[0].path)}')`;
    const [[ids, total]] = (await conn.runAndReadAll(`SELECT count(DISTINCT id)::INTEGER, sum(attrs_num['n'])::INTEGER FROM ${merged}`)).getRows();
    expect([ids, total]).toEqual([100, 4950]);
    const services = (await conn.runAndReadAll(`SELECT service FROM ${merged}`)).getRows().map((r) => r[0]);
    expect(services).toEqual([...services].sort());
    expect(manifest.isCommitted('bus', 3)).toBe(true);
    writer.close();
  });
});

describe('a swap that throws', () => {
  it('keeps the merged file, which the manifest may name: the swap may have landed though its answer was lost', async () => {
    const { lakeDir, manifest, writer, dir } = await smallFiles(2, 10);
    // The swap lands, then its caller hears a timeout.
    const lossy = new Proxy(manifest, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop !== 'replace') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: Parameters<Manifest['replace']>) => {
          await target.replace(...args);
          throw new Error('TIMEOUT');
        };
      },
    });
    const compactor = new Compactor(lossy, await ParquetWriter.create(), { lakeDir, intervalMs: 60_000, minFiles: 8, targetRows: 1000, retentionDays: 0, deleteGraceMs: 0 }, pino({ level: 'silent' }));
    compactor.start();
    await expect(compactor.runOnce(new Date('2026-06-15T12:00:00Z'))).rejects.toThrow('TIMEOUT');
    await compactor.stop();
    const [named] = manifest.list('p', 'logs');
    expect(named.rows).toBe(20);
    const name = named.path.split('/').pop()!;
    expect(readdirSync(dir), 'the named file, still under its temp name').toContain(`.${name}.tmp`);
    writer.close();
  });
});

describe('mergesOf', () => {
  const files = (...rows: number[]): LakeFile[] => rows.map((n, i) => ({ path: `f${i}`, project: 'p', table: 'logs', hour: '2026-06-15T11', rows: n, bytes: n }));
  const paths = (chunks: LakeFile[][]) => chunks.map((c) => c.map((f) => f.path));

  it('cuts a partition into merges of at most the target, in order, each of two files or more', () => {
    expect(paths(mergesOf(files(400, 400, 400, 400, 400), 1000))).toEqual([['f0', 'f1'], ['f2', 'f3']]);
    expect(paths(mergesOf(files(100, 200, 300), 1000))).toEqual([['f0', 'f1', 'f2']]);
  });

  it('leaves files that cannot pair under the target alone, so that no round rewrites them again', () => {
    expect(mergesOf(files(700, 700, 700), 1000)).toEqual([]);
    expect(paths(mergesOf(files(1500, 300, 300), 1000))).toEqual([['f1', 'f2']]);
  });
});

describe('index backfill', () => {
  it('indexes the logs files of closed hours that lack an index, newest first, a few per round', async () => {
    const lakeDir = mkdtempSync(join(tmpdir(), 'loglake-backfill-'));
    const manifest = new Manifest(lakeDir);
    manifest.open();
    const writer = await ParquetWriter.create();
    const hours = ['2026-06-15T04', '2026-06-15T05', '2026-06-15T06', '2026-06-15T07', '2026-06-15T08', '2026-06-15T09', '2026-06-15T11'];
    const paths: string[] = [];
    for (const [f, hour] of hours.entries()) {
      const dir = partitionDir(lakeDir, 'p', 'logs', hour);
      mkdirSync(dir, { recursive: true });
      const staged = join(lakeDir, `../stage-${process.pid}-b${f}.ndjson`);
      writeFileSync(staged, Array.from({ length: 3 }, (_, i) => encodeRow('logs', log(f * 3 + i, 'svc'))).join('\n'));
      const path = join(dir, `part-${f}.parquet`);
      const rows = await writer.fromNdjson('logs', [staged], path);
      paths.push(path);
      manifest.commitSync('bus', [{ path: join(`p/logs/date=2026-06-15/hour=${hour.slice(11)}`, `part-${f}.parquet`), project: 'p', table: 'logs', hour, rows, bytes: statSync(path).size }], [[f + 1, f + 1]]);
    }
    // One unreadable data file: no index, and the round goes on.
    writeFileSync(paths[0], 'not parquet');
    const compactor = new Compactor(manifest, await ParquetWriter.create(), { lakeDir, intervalMs: 60_000, minFiles: 8, targetRows: 1000, retentionDays: 0, deleteGraceMs: 0 }, pino({ level: 'silent' }));
    compactor.start();
    const indexed = () => paths.map((p) => readSkipIndex(p, 3) !== null);
    expect(await compactor.runOnce(new Date('2026-06-15T11:30:00Z'))).toBe(0);
    expect(indexed()).toEqual([false, false, true, true, true, true, false]);
    await compactor.runOnce(new Date('2026-06-15T11:30:00Z'));
    expect(indexed()).toEqual([false, true, true, true, true, true, false]);
    await compactor.stop();
    writer.close();
  });
});

describe('dropExpired', () => {
  it('drops whole hours older than the retention by the given clock, and nothing with retention off', async () => {
    const lakeDir = mkdtempSync(join(tmpdir(), 'loglake-retention-'));
    const manifest = new Manifest(lakeDir);
    manifest.open();
    for (const hour of ['2026-06-01T10', '2026-06-14T23', '2026-06-15T11']) {
      const dir = partitionDir(lakeDir, 'p', 'logs', hour);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'f.parquet'), 'x');
      manifest.commitSync('bus', [{ path: join('p/logs', `date=${hour.slice(0, 10)}`, `hour=${hour.slice(11)}`, 'f.parquet'), project: 'p', table: 'logs', hour, rows: 1, bytes: 1 }], []);
    }
    const now = Date.parse('2026-06-15T12:00:00Z');
    const silent = pino({ level: 'silent' });
    expect(await dropExpired(manifest, lakeDir, 0, silent, now)).toBe(0);
    expect(await dropExpired(manifest, lakeDir, 1, silent, now)).toBe(1);
    expect(manifest.all().map((f) => f.hour).sort()).toEqual(['2026-06-14T23', '2026-06-15T11']);
    expect(readdirSync(join(lakeDir, '_retired'))).toHaveLength(1);
  });
});
