import { describe, expect, it } from 'vitest';
import { autocomplete, type SchemaProvider } from './autocomplete.js';

const calls: string[] = [];
const schema: SchemaProvider = {
  fields: (source) => {
    calls.push(`fields:${source}`);
    return source === 'events'
      ? [{ key: '$browser', type: 'string', volume: 148 }, { key: 'plan', type: 'string', volume: 38 }]
      : [{ key: 'duration_ms', type: 'number', volume: 86 }, { key: 'plan', type: 'string', volume: 39 },
        { key: 'weird key', type: 'string', volume: 1 }];
  },
  values: async (source, field) => {
    calls.push(`values:${source}:${field}`);
    if (field === 'severity') return [{ value: 'error', count: 12345 }, { value: 'warn', count: 5678 }];
    return field === 'plan' ? [{ value: 'pro', count: 8 }, { value: 'free', count: 20 }, { value: 'team plus', count: 1 }] : [];
  },
};
const now = new Date('2026-06-15T12:00:00Z');
const ac = (q: string, cursor?: number, source?: 'logs' | 'events') => autocomplete(q, cursor, source, schema, now);
const texts = (r: { suggestions: { text: string }[] }) => r.suggestions.map((s) => s.text);

describe('autocomplete', () => {
  it('follows the spec example: severity: -> canonical values, invalid', async () => {
    const r = await ac('severity:', 9);
    expect(r.context).toMatchObject({ kind: 'value', field: 'severity', prefix: '', replace: { start: 9, end: 9 } });
    expect(texts(r)).toEqual(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
    expect(r.suggestions.find((s) => s.text === 'error')).toEqual({ text: 'error', description: '12,345 logs', kind: 'value' });
    expect(r.suggestions.find((s) => s.text === 'fatal')?.description).toBe('0 logs');
    expect(r.valid).toBe(false);
    expect(r.error).toMatchObject({ code: 'VALIDATION_ERROR', type: 'VALIDATION_QUERY_SYNTAX', position: 9 });
  });

  it('offers stages and fields at the start of a segment', async () => {
    const r = await ac('');
    expect(r.context.kind).toBe('stage');
    expect(texts(r)).toEqual(expect.arrayContaining(['count', 'where', 'severity', 'level', 'duration_ms', '`weird key`']));
    expect(r.valid).toBe(true);
    expect((await ac('level:error | co')).context).toMatchObject({ kind: 'stage', prefix: 'co', replace: { start: 14, end: 16 } });
  });

  it('offers the patterns stage and the pattern fields of logs', async () => {
    expect(texts(await ac('level:error | pat'))).toEqual(['patterns', 'pattern', 'pattern_id']);
    expect(texts(await ac('count by pat'))).toEqual(['pattern', 'pattern_id']);
  });

  it('finds operators after a field and values after an operator', async () => {
    expect((await ac('severity ')).context.kind).toBe('operator');
    expect((await ac('plan ')).context.kind).toBe('operator');
    expect((await ac('timeout ')).context.kind).toBe('keyword');
    const r = await ac('plan:t');
    expect(r.context).toMatchObject({ kind: 'value', field: 'plan', prefix: 't', replace: { start: 5, end: 6 } });
    expect(texts(r)).toEqual(['"team plus"']);
    expect((await ac('plan:pro,')).context).toMatchObject({ kind: 'value', field: 'plan' });
    expect((await ac('message ~ "time')).context).toMatchObject({ kind: 'value', prefix: 'time', replace: { start: 10, end: 15 } });
  });

  it('knows scope terms, by-lists and the keyword position', async () => {
    expect(texts(await ac('from:ev'))).toEqual(['events']);
    expect((await ac('last ')).context.kind).toBe('duration');
    expect((await ac('since:')).context.kind).toBe('timestamp');
    expect((await ac('count by ')).context.kind).toBe('field');
    expect((await ac('count by service, ')).context.kind).toBe('field');
    expect((await ac('count ')).context.kind).toBe('keyword');
    const r = await ac('level:error ');
    expect(r.context).toMatchObject({ kind: 'keyword', alsoFields: true });
    expect(texts(r)).toEqual(expect.arrayContaining(['and', 'or', '|', 'plan']));
    expect(r.parsed).toEqual({ source: 'logs', filters: [{ field: 'severity', op: 'eq', value: 'error' }] });
  });

  it('uses the source of from: or the request, and never runs the query', async () => {
    calls.length = 0;
    const r = await ac('from:events | count by $b', undefined, 'logs');
    expect(r.context.source).toBe('events');
    expect(texts(r)).toEqual(['$browser']);
    expect(calls).toEqual(['fields:events']);
    expect((await ac('', 0, 'events')).parsed.source).toBe('events');
  });
});
