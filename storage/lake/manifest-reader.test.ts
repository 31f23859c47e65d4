import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Manifest, type LakeFile } from './manifest.js';
import { ManifestReader } from './manifest-reader.js';

const file = (n: number, hour = '2026-06-15T12'): LakeFile => ({ path: `p/logs/${hour}/f${n}.parquet`, project: 'p', table: 'logs', hour, rows: 1, bytes: 10 });
const paths = (files: LakeFile[]) => files.map((f) => f.path).sort();

describe('the manifest as a reader follows it', () => {
  it('sees commits and compaction’s replacements as the writer makes them, across the writer folding its journal', async () => {
    const lake = mkdtempSync(join(tmpdir(), 'loglake-reader-'));
    const writer = new Manifest(lake);
    writer.open();
    const heard: string[] = [];
    const reader = new ManifestReader(lake, (files) => heard.push(...files.map((f) => f.path)));
    writer.commitSync('bus', [file(1)], [[1, 1]]);
    expect(paths(reader.list('p', 'logs'))).toEqual([file(1).path]);
    expect(heard, 'what was there at the first look is not news').toEqual([]);

    writer.commitSync('bus', [file(2), file(3, '2026-06-15T13')], [[2, 3]]);
    expect(paths(reader.list('p', 'logs', '2026-06-15T13'))).toEqual([file(3, '2026-06-15T13').path]);
    expect(heard).toEqual([file(2).path, file(3, '2026-06-15T13').path]);

    await writer.replace([file(4)], [file(1).path, file(2).path]);
    expect(paths(reader.list('p', 'logs'))).toEqual(paths([file(3, '2026-06-15T13'), file(4)]));

    // 1,000 entries fold the journal into a new snapshot and start it over.
    for (let n = 5; n < 1_100; n++) writer.commitSync('bus', [file(n)], [[n, n]]);
    expect(reader.list('p', 'logs')).toHaveLength(1_097);
    writer.commitSync('bus', [file(2_000)], [[2_000, 2_000]]);
    expect(reader.list('p', 'logs')).toHaveLength(1_098);
    expect(heard.at(-1)).toBe(file(2_000).path);
    expect(reader.list('q', 'logs')).toEqual([]);
    writer.close();
  });

  it('reads an empty lake, and a lake whose writer has not started, as empty', () => {
    const reader = new ManifestReader(mkdtempSync(join(tmpdir(), 'loglake-reader-')));
    expect(reader.list('p', 'logs')).toEqual([]);
  });
});
