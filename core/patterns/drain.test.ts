import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { groupingAccuracy, mineLikeTheLake } from '../../bench/patterns.js';
import { labelledLogs } from '../../bench/patterns-data.js';
import { Drain, miningOrder, patternId, patternIdSql } from './drain.js';
import { templateOf } from './template.js';

describe('Drain', () => {
  it('groups messages whose variables the masking does not catch, and generalises the template', () => {
    const d = new Drain();
    const a = d.addMessage('Worker pool alpha started on port 8080');
    const b = d.addMessage('Worker pool bravo started on port 9090');
    expect(b.id).toBe(a.id);
    expect(b.template).toBe('Worker pool <*> started on port <*>');
    expect(b.count).toBe(2);
    // The id is the first masked template's, and stays as the template generalises.
    expect(a.id).toBe(patternId('Worker pool alpha started on port <*>'));
  });

  it('keeps messages of other lengths or other leading words apart', () => {
    const d = new Drain();
    const ids = ['Cache warmed', 'Cache warmed in 3 s', 'Disk full on /dev/sda1'].map((m) => d.addMessage(m).id);
    expect(new Set(ids).size).toBe(3);
  });

  it('needs the similarity threshold', () => {
    const d = new Drain({ similarity: 0.9 });
    expect(d.addMessage('User alice logged in').id).not.toBe(d.addMessage('User bob logged out').id);
  });

  it('is deterministic, and restores from saved clusters to the same answers', () => {
    const messages = labelledLogs(500, 3).map((l) => l.message);
    const first = new Drain();
    messages.forEach((m) => first.addMessage(m));
    const restored = new Drain({}, first.clusters());
    const again = new Drain();
    messages.forEach((m) => again.addMessage(m));
    expect(again.clusters()).toEqual(first.clusters());
    for (const m of messages) expect(restored.match(templateOf(m))?.id).toBe(first.match(templateOf(m))?.id);
  });

  it('gives a masked template the same id in DuckDB', async () => {
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    const masked = 'User <*> signed in from <*>';
    const reader = await conn.runAndReadAll(`SELECT ${patternIdSql('$1::VARCHAR')}`, [masked]);
    expect(reader.getRows()[0][0]).toBe(patternId(masked));
    conn.closeSync();
  });

  it('mines most frequent first, ties by text', () => {
    expect(miningOrder([{ masked: 'b', count: 1 }, { masked: 'a', count: 1 }, { masked: 'c', count: 5 }]).map((x) => x.masked)).toEqual(['c', 'a', 'b']);
  });
});

describe('grouping accuracy', () => {
  it('is the LogPai metric: a message counts when its group is exactly its template\'s', () => {
    expect(groupingAccuracy(['a', 'a', 'b', 'c'], ['x', 'x', 'y', 'y'])).toBe(0.5);
    expect(groupingAccuracy(['a', 'a', 'a'], ['x', 'x', 'y'])).toBe(0);
  });

  it('stays above the recorded figure on the shipped benchmark data', () => {
    const data = labelledLogs();
    expect(groupingAccuracy(mineLikeTheLake(data.map((d) => d.message)), data.map((d) => d.template))).toBeGreaterThanOrEqual(0.84);
  });
});
