// Compaction mines patterns: each merged row carries its pattern id, the project keeps its pattern records.
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../core/records.js';
import { patternId } from '../../core/patterns/drain.js';
import { Compactor } from '../lake/compaction.js';
import { encodeRow } from '../lake/encode.js';
import { partitionDir, patternsDirOf } from '../lake/layout.js';
import { Manifest } from '../lake/manifest.js';
import { ParquetWriter } from '../lake/parquet.js';
import { PatternMiner, PatternStore } from './patterns.js';

const HOUR = '2026-06-15T11';

function log(i: number, message: string): LogRecord {
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, project_id: 'p', environment: 'production',
    timestamp: `2026-06-15T11:${String(i % 60).padStart(2, '0')}:00.000Z`, observed_timestamp: '2026-06-15T11:00:00.000Z',
    severity: 'info', severity_number: 9, message, service: 'api', action: null, tags: [], trace_id: null, span_id: null, trace_flags: null,
    properties: {}, resource: {}, receiver: 'test',
  };
}

describe('PatternMiner in compaction', () => {
  it('stores a pattern id per merged row and the project\'s patterns, mining each row once', async () => {
    const root = mkdtempSync(join(tmpdir(), 'loglake-patterns-'));
    const lakeDir = join(root, 'lake');
    const manifest = new Manifest(lakeDir);
    manifest.open();
    const writer = await ParquetWriter.create();
    const dir = partitionDir(lakeDir, 'p', 'logs', HOUR);
    mkdirSync(dir, { recursive: true });
    let seq = 0;
    const addFile = async (messages: string[]) => {
      const n = ++seq;
      const staged = join(root, `stage-${n}.ndjson`);
      writeFileSync(staged, messages.map((m, i) => encodeRow('logs', log(n * 100 + i, m))).join('\n'));
      const path = join(dir, `part-${n}.parquet`);
      const rows = await writer.fromNdjson('logs', [staged], path);
      manifest.commitSync('bus', [{ path: join('p/logs/date=2026-06-15/hour=11', `part-${n}.parquet`), project: 'p', table: 'logs', hour: HOUR, rows, bytes: statSync(path).size }], [[n, n]]);
    };
    const store = new PatternStore(patternsDirOf(lakeDir));
    const merger = await ParquetWriter.create();
    const compactor = new Compactor(manifest, merger, { lakeDir, intervalMs: 60_000, minFiles: 8, targetRows: 1000, retentionDays: 0, deleteGraceMs: 0, patterns: new PatternMiner(store) }, pino({ level: 'silent' }));
    compactor.start();
    const rows = async () => {
      const [file] = manifest.list('p', 'logs');
      return writer.rows(`SELECT message, pattern_id FROM read_parquet('${manifest.absolute(file.path)}') ORDER BY message`);
    };

    await addFile(['Worker pool alpha started on port 80', 'Worker pool bravo started on port 81', 'Cache warmed']);
    await addFile(['Worker pool charlie started on port 82', 'Cache warmed']);
    // The writer's files hold the column, empty.
    expect((await writer.rows(`SELECT count(pattern_id)::INTEGER AS n FROM read_parquet('${dir}/part-1.parquet')`))[0].n).toBe(0);
    expect(await compactor.runOnce(new Date('2026-06-15T12:00:00Z'))).toBe(1);
    const worker = patternId('Worker pool alpha started on port <*>');
    expect(await rows()).toEqual([
      { message: 'Cache warmed', pattern_id: patternId('Cache warmed') },
      { message: 'Cache warmed', pattern_id: patternId('Cache warmed') },
      { message: 'Worker pool alpha started on port 80', pattern_id: worker },
      { message: 'Worker pool bravo started on port 81', pattern_id: worker },
      { message: 'Worker pool charlie started on port 82', pattern_id: worker },
    ]);
    // Timestamps are minute `i % 60` of row id n * 100 + i: file 1 holds minutes 40-42, file 2 minutes 20-21.
    expect(store.list('p')).toEqual([
      { id: worker, template: 'Worker pool <*> started on port <*>', count: 3, first_seen: '2026-06-15T11:20:00.000Z', last_seen: '2026-06-15T11:41:00.000Z', sample: 'Worker pool charlie started on port 82' },
      { id: patternId('Cache warmed'), template: 'Cache warmed', count: 2, first_seen: '2026-06-15T11:21:00.000Z', last_seen: '2026-06-15T11:42:00.000Z', sample: 'Cache warmed' },
    ]);

    // A new file merged with the compacted one: only its rows are mined and counted.
    await addFile(['Worker pool delta started on port 83']);
    expect(await compactor.runOnce(new Date('2026-06-15T12:00:00Z'))).toBe(1);
    expect((await rows()).filter((r) => r.pattern_id === worker)).toHaveLength(4);
    expect(store.list('p').map((p) => [p.id, p.count])).toEqual([[worker, 4], [patternId('Cache warmed'), 2]]);
    await compactor.stop();
    // Opening the lake again tidies files no manifest entry names, but not the patterns; another process reads them.
    new Manifest(lakeDir).open();
    expect(new PatternStore(patternsDirOf(lakeDir)).load('p').members.get('Worker pool delta started on port <*>')).toBe(worker);
    writer.close();
  });
});

describe('PatternMiner on files from before the pattern_id column', () => {
  it('adds the column to their merge', async () => {
    const root = mkdtempSync(join(tmpdir(), 'loglake-patterns-old-'));
    const writer = await ParquetWriter.create();
    const sources = [0, 1].map((n) => join(root, `old-${n}.parquet`));
    for (const [n, path] of sources.entries()) {
      const staged = join(root, `old-${n}.ndjson`);
      writeFileSync(staged, encodeRow('logs', log(n, `User ${n} signed in`)));
      await writer.fromNdjson('logs', [staged], join(root, 'new.parquet'));
      await writer.rows(`COPY (SELECT * EXCLUDE (pattern_id) FROM read_parquet('${join(root, 'new.parquet')}')) TO '${path}' (FORMAT parquet)`);
    }
    const withPatterns = await new PatternMiner(new PatternStore(join(root, 'patterns'))).mine(writer, 'p', 'logs', sources);
    await writer.merge('logs', sources, join(root, 'merged.parquet'), withPatterns);
    expect(await writer.rows(`SELECT DISTINCT pattern_id FROM read_parquet('${join(root, 'merged.parquet')}')`)).toEqual([{ pattern_id: patternId('User <*> signed in') }]);
    writer.close();
  });
});
