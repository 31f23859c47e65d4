import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChunkStore } from './chunk-store.js';

describe('the chunk store', () => {
  it('stores a chunk once and whole; a chunk whose metadata a crash lost is not listed until a retry writes it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'loglake-chunks-'));
    const store = new ChunkStore(root);
    expect(await store.put(['p', 's'], 'a', Buffer.from('one'), { n: 1 })).toBe('created');
    expect(await store.put(['p', 's'], 'a', Buffer.from('one'), { n: 2 })).toBe('exists');
    expect(await store.put(['p', 's'], 'a', Buffer.from('two'), { n: 3 })).toBe('conflict');
    expect((await store.get<{ n: number }>(['p', 's'], 'a'))!.meta).toMatchObject({ n: 1, bytes: 3 });

    rmSync(join(root, 'p', 's', 'a.json'));
    expect(await store.list(['p', 's'])).toEqual([]);
    expect(await store.put(['p', 's'], 'a', Buffer.from('one'), { n: 4 })).toBe('exists');
    expect((await store.list<{ n: number }>(['p', 's'])).map((m) => m.n)).toEqual([4]);
    expect(readdirSync(join(root, 'p', 's')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses names that would leave its directory', async () => {
    const store = new ChunkStore(mkdtempSync(join(tmpdir(), 'loglake-chunks-')));
    for (const bad of ['..', '.hidden', 'a/b', '', 'x'.repeat(129)]) {
      await expect(store.put(['p', bad], 'a', Buffer.from('x'), {})).rejects.toThrow(/unsafe/);
      await expect(store.put(['p'], bad, Buffer.from('x'), {})).rejects.toThrow(/unsafe/);
    }
  });
});
