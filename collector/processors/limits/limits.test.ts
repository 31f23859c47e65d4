import { describe, expect, it } from 'vitest';
import type { EventRecord, LogRecord } from '../../../core/records.js';
import { flattenProperties } from '../flatten/flatten.js';
import { boundEvent, boundLog } from './bound.js';
import { limitsConfig } from './config.js';
import { truncateUtf8 } from './utf8.js';

const bytes = (s: string) => Buffer.byteLength(s);

function log(fields: Partial<LogRecord>): LogRecord {
  return {
    id: 'r', project_id: 'p', environment: 'production', timestamp: '2026-06-15T12:00:00.000Z', observed_timestamp: '2026-06-15T12:00:00.000Z',
    severity: 'info', severity_number: 9, message: 'ok', service: null, action: null, tags: [], trace_id: null, span_id: null, trace_flags: null,
    properties: {}, resource: {}, receiver: 'test', ...fields,
  };
}

describe('truncateUtf8', () => {
  it('cuts before a character that would not fit whole', () => {
    expect(truncateUtf8('abcdef', 4)).toBe('abcd');
    expect(truncateUtf8('aé', 2)).toBe('a'); // é is 2 bytes
    expect(truncateUtf8('a€b', 3)).toBe('a'); // € is 3 bytes
    expect(truncateUtf8('a€b', 4)).toBe('a€');
    expect(truncateUtf8('😀😀', 7)).toBe('😀'); // 4 bytes each, a surrogate pair in UTF-16
    expect(truncateUtf8('€', 1)).toBe('');
  });

  it('returns null when the text fits', () => {
    expect(truncateUtf8('€€', 6)).toBeNull();
    expect(truncateUtf8('x'.repeat(100), 100)).toBeNull();
  });

  it('at every bound, gives the longest whole-character prefix', () => {
    const text = 'añ€😀b漢字🎉z'.repeat(3);
    for (let max = 0; max <= bytes(text) + 1; max++) {
      const cut = truncateUtf8(text, max) ?? text;
      expect(text.startsWith(cut)).toBe(true);
      expect(bytes(cut)).toBeLessThanOrEqual(max);
      expect(cut).not.toContain('\uFFFD');
      const next = String.fromCodePoint(text.codePointAt(cut.length) ?? 0);
      if (cut !== text) expect(bytes(cut) + bytes(next)).toBeGreaterThan(max);
    }
  });

  it('does not encode a huge text whole to cut it', () => {
    const cut = truncateUtf8('ü'.repeat(5_000_000), 65_536)!;
    expect(cut).toBe('ü'.repeat(32_768));
  });
});

describe('limits processor', () => {
  const limits = limitsConfig.parse({ max_message_bytes: 10, max_property_value_bytes: 5, max_properties: 3, max_tags: 2, max_resource_attributes: 1 });

  it('cuts a long message on a character boundary and says so', () => {
    const record = log({ message: 'ab€€€€' });
    boundLog(record, limits);
    expect(record.message).toBe('ab€€');
    expect(record.properties).toEqual({ _truncated: 'message' });
  });

  it('cuts string property values, drops keys past the bound and adds to what flatten dropped', () => {
    const properties = flattenProperties({ a: 'ñññ', b: 7, c: { d: 'fine', e: true }, f: 'x' }, { max_depth: 8, max_keys: 4 });
    expect(properties).toEqual({ a: 'ñññ', b: 7, 'c.d': 'fine', 'c.e': true, _dropped_keys: 1 });
    const record = log({ properties });
    boundLog(record, limits);
    expect(record.properties).toEqual({ a: 'ññ', b: 7, 'c.d': 'fine', _dropped_keys: 2, _truncated: 'properties' });
  });

  it('drops tags and resource attributes past their bounds, leaving a shared resource alone', () => {
    const resource = { 'service.name': 'api', 'host.name': 'web-1' };
    const [a, b] = [log({ tags: ['x', 'y', 'z'], resource }), log({ resource })];
    boundLog(a, limits);
    boundLog(b, limits);
    expect(a).toMatchObject({ tags: ['x', 'y'], resource: { 'service.name': 'api' }, properties: { _truncated: 'tags,resource' } });
    expect(b.resource).toEqual({ 'service.name': 'api' });
    expect(resource).toEqual({ 'service.name': 'api', 'host.name': 'web-1' });
  });

  it('leaves a record within its bounds as it was', () => {
    const record = log({ message: '€€€', tags: ['a', 'b'], properties: { a: 'ok', b: 1, c: false }, resource: { 'service.name': 'api' } });
    const before = structuredClone(record);
    boundLog(record, limits);
    expect(record).toEqual(before);
  });

  it('bounds event properties', () => {
    const event: EventRecord = { id: 'e', project_id: 'p', environment: 'production', timestamp: 't', observed_timestamp: 't', event: 'x', distinct_id: null, properties: { url: 'https://example.com/' } };
    boundEvent(event, limits);
    expect(event.properties).toEqual({ url: 'https', _truncated: 'properties' });
  });

  it('has generous defaults', () => {
    expect(limitsConfig.parse({})).toEqual({ max_message_bytes: 65_536, max_property_value_bytes: 16_384, max_properties: 512, max_tags: 100, max_resource_attributes: 128 });
  });
});
