import { describe, expect, it } from 'vitest';
import type { Query } from './ast.js';
import { QueryError } from './errors.js';
import { parseGql } from './gql.js';

const now = new Date('2026-06-15T12:00:00Z');
const q = (text: string, source?: 'logs' | 'events' | 'alert_events'): Query => parseGql(text, { now, source });

function err(text: string): QueryError {
  try {
    q(text);
  } catch (e) {
    if (e instanceof QueryError) return e;
    throw e;
  }
  throw new Error(`no error for ${text}`);
}

describe('gql filters', () => {
  it('resolves fields by section 2.2', () => {
    const f = (text: string, source?: 'logs' | 'events' | 'alert_events') => (q(text, source).filter as { field: unknown }).field;
    expect(f('Level:error')).toEqual({ kind: 'column', name: 'severity', written: 'Level' });
    expect(f('properties.service:x')).toEqual({ kind: 'property', key: 'service', written: 'properties.service' });
    expect(f('resource.service.name:x')).toEqual({ kind: 'resource', key: 'service.name', written: 'resource.service.name' });
    expect(f('`weird key`:x')).toEqual({ kind: 'property', key: 'weird key', written: 'weird key' });
    expect(f('`service`:x')).toEqual({ kind: 'column', name: 'service', written: 'service' });
    expect(f('metadata.status_code:1')).toEqual({ kind: 'property', key: 'metadata.status_code', written: 'metadata.status_code' });
    expect(f('message:x', 'events')).toEqual({ kind: 'property', key: 'message', written: 'message' });
    expect(f('$distinct_id:x', 'events')).toEqual({ kind: 'column', name: 'distinct_id', written: '$distinct_id' });
    expect(f('properties.distinct_id:x', 'events')).toEqual({ kind: 'column', name: 'distinct_id', written: 'properties.distinct_id' });
    expect(f('properties.$distinct_id:x', 'events')).toEqual({ kind: 'column', name: 'distinct_id', written: 'properties.$distinct_id' });
    expect(f('properties.distinct_id:x', 'logs')).toEqual({ kind: 'property', key: 'distinct_id', written: 'properties.distinct_id' });
  });

  it('maps every operator onto the AST', () => {
    expect(q('a:1,2').filter).toMatchObject({ op: 'cmp', cmp: 'eq', values: [{ text: '1' }, { text: '2' }] });
    expect(q('a!=x').filter).toMatchObject({ cmp: 'neq' });
    expect(q('a~x').filter).toMatchObject({ cmp: 'contains' });
    expect(q('a!~x').filter).toMatchObject({ cmp: 'not_contains' });
    expect(q('a>=1').filter).toMatchObject({ cmp: 'gte' });
    expect(q('service:pay*').filter).toMatchObject({ cmp: 'glob' });
    expect(q('service:"pay*"').filter).toMatchObject({ cmp: 'eq', values: [{ text: 'pay*', quoted: true }] });
    expect(q('service=pay*').filter).toMatchObject({ cmp: 'eq' });
    expect(q('a:*').filter).toMatchObject({ cmp: 'exists', values: [] });
    expect(q('a = null').filter).toEqual({ op: 'is_null', field: { kind: 'property', key: 'a', written: 'a' } });
    expect(q('a != NULL').filter).toMatchObject({ op: 'is_not_null' });
    expect(q('a is not null').filter).toMatchObject({ op: 'is_not_null' });
    expect(q('a is null').filter).toMatchObject({ op: 'is_null' });
    expect(q('a in (x, "y")').filter).toMatchObject({ cmp: 'eq', values: [{ text: 'x' }, { text: 'y' }] });
    expect(q('a not in (x)').filter).toMatchObject({ cmp: 'neq' });
    expect(q('plan=pro,null').filter).toMatchObject({ op: 'or', args: [{ cmp: 'eq' }, { op: 'is_null' }] });
    expect(q('plan!=pro,null').filter).toMatchObject({ op: 'and', args: [{ cmp: 'neq' }, { op: 'is_not_null' }] });
    expect(q('message@"Connection TIMED-out"').filter).toEqual({ op: 'text', tokens: ['connection', 'timed', 'out'], written: 'Connection TIMED-out' });
    expect(q('timestamp > -1h').filter).toMatchObject({ values: [{ text: '2026-06-15T11:00:00.000Z' }] });
  });

  it('parses boolean structure: juxtaposition is AND, not binds tightly, keywords in any case', () => {
    expect(q('NOT a:1 b:2').filter).toMatchObject({ op: 'and', args: [{ op: 'not' }, { op: 'cmp' }] });
    expect(q('a:1 OR b:2 and c:3').filter).toMatchObject({ op: 'or', args: [{ op: 'cmp' }, { op: 'and' }] });
    expect(q('(a:1 or b:2) c:3').filter).toMatchObject({ op: 'and', args: [{ op: 'or' }, { op: 'cmp' }] });
    expect(q('timeout "db primary"').filter).toMatchObject({ op: 'and', args: [{ op: 'text', tokens: ['timeout'] }, { op: 'text', tokens: ['db', 'primary'] }] });
  });
});

describe('gql pipeline', () => {
  it('parses the seed examples', () => {
    expect(q('count | where severity = \'error\' | last 1h')).toMatchObject({
      aggregate: { func: 'count', field: null, groupBy: [] },
      time: { from: new Date('2026-06-15T11:00:00Z'), to: now, explicit: true },
    });
    expect(q('from:events | count_distinct(distinct_id) | last:1d')).toMatchObject({
      source: 'events', aggregate: { func: 'count_distinct', field: { kind: 'column', name: 'distinct_id' } },
    });
    expect(q('count distinct $distinct_id from:events | last 1d').aggregate).toMatchObject({ func: 'count_distinct' });
    expect(q('count by event from:events | sort count desc | limit 10')).toMatchObject({
      source: 'events', post: [{ type: 'sort', keys: [{ key: 'count', dir: 'desc' }] }, { type: 'limit', n: 10 }],
    });
    expect(q('p95(duration_ms) by service').aggregate).toMatchObject({ func: 'percentile', p: 0.95, groupBy: [{ name: 'service' }] });
    expect(q('COUNT(*) BY service, Level').aggregate?.groupBy.map((g) => g.written)).toEqual(['service', 'Level']);
    expect(q('level:error | timeslice 1h')).toMatchObject({ aggregate: { func: 'count' }, timeslice: { seconds: 3600, text: '1h' } });
    expect(q('severity:error | fields service, `weird key`').fields?.map((f) => f.written)).toEqual(['service', 'weird key']);
  });

  it('resolves the source from the request, overridden by from:', () => {
    expect(q('count', 'events').source).toBe('events');
    expect(q('count from:alert_events', 'events').source).toBe('alert_events');
    expect(q('event:x from:events').filter).toMatchObject({ field: { kind: 'column', name: 'event' } });
  });

  it('resolves time ranges (section 11)', () => {
    expect(q('').time).toEqual({ from: new Date('2026-06-14T12:00:00Z'), to: now, explicit: false });
    expect(q('since 2026-06-15T11:30:00Z').time).toEqual({ from: new Date('2026-06-15T11:30:00Z'), to: now, explicit: true });
    expect(q('until:2026-05-10').time).toEqual({ from: null, to: new Date('2026-05-10T00:00:00Z'), explicit: true });
    expect(q('timestamp >= "2026-06-10" timestamp < "2026-06-12"').time)
      .toEqual({ from: new Date('2026-06-10T00:00:00Z'), to: new Date('2026-06-12T00:00:00Z'), explicit: true });
    expect(q('timestamp > "2026-06-10" or x:1').time).toEqual({ from: null, to: now, explicit: true });
    expect(q('observed_timestamp > "2026-06-10"').time.explicit).toBe(false);
  });

  it('enforces the static rules of 6.2 with positions and expected kinds', () => {
    const cases: [string, string, number, string[]][] = [
      ['count by', 'VALIDATION_QUERY_SYNTAX', 8, ['field']],
      ['severity:', 'VALIDATION_QUERY_SYNTAX', 9, ['value']],
      ['| count', 'VALIDATION_QUERY_SYNTAX', 0, ['stage', 'field']],
      ['count |', 'VALIDATION_QUERY_SYNTAX', 7, ['stage', 'field']],
      ['a:1 || b:2', 'VALIDATION_QUERY_SYNTAX', 5, ['stage', 'field']],
      ['last 1h | last 2h', 'VALIDATION_QUERY_SYNTAX', 10, ['|', 'end']],
      ['last 1h since 2026-06-01', 'VALIDATION_QUERY_SYNTAX', 8, ['|', 'end']],
      ['a:1 or from:events', 'VALIDATION_QUERY_SYNTAX', 7, ['field', 'value']],
      ['not last 1h', 'VALIDATION_QUERY_SYNTAX', 4, ['field', 'value']],
      ['(last 1h)', 'VALIDATION_QUERY_SYNTAX', 1, ['field', 'value']],
      ['from:metrics', 'VALIDATION_QUERY_SYNTAX', 5, ['source']],
      ['count | count by service', 'VALIDATION_QUERY_SYNTAX', 8, ['|', 'end']],
      ['tags:critical | limit 5 | count', 'VALIDATION_QUERY_SYNTAX', 16, ['stage']],
      ['count by service | fields service', 'VALIDATION_QUERY_SYNTAX', 19, ['stage']],
      ['timeslice 1h | count', 'VALIDATION_QUERY_SYNTAX', 15, ['|', 'end']],
      ['count | timeslice 1h | timeslice 2h', 'VALIDATION_QUERY_SYNTAX', 23, ['|', 'end']],
      ['count by service | top 3 | timeslice 1h', 'VALIDATION_QUERY_SYNTAX', 27, ['stage']],
      ['a:1 | limit 0', 'VALIDATION_QUERY_CONSTRAINT', 12, ['integer']],
      ['a:1 | top 1001', 'VALIDATION_QUERY_CONSTRAINT', 10, ['integer']],
      ['a:1 | limit 2.5', 'VALIDATION_QUERY_CONSTRAINT', 12, ['integer']],
      ['a:1 | limit ten', 'VALIDATION_QUERY_SYNTAX', 12, ['integer']],
      ['count by service | sort message', 'VALIDATION_QUERY_SYNTAX', 24, ['field']],
      ['a:1 | sort count', 'VALIDATION_QUERY_SYNTAX', 11, ['field']],
      ['duration_ms > 1,2', 'VALIDATION_QUERY_SYNTAX', 15, ['|', 'end']],
      ['where', 'VALIDATION_QUERY_SYNTAX', 5, ['field', 'value']],
      ['service@"x"', 'VALIDATION_QUERY_SYNTAX', 0, ['field']],
      ['message@"..."', 'VALIDATION_QUERY_SYNTAX', 8, ['value']],
      ['"!!"', 'VALIDATION_QUERY_SYNTAX', 0, ['value']],
      ['timestamp ~ "2026"', 'VALIDATION_QUERY_SYNTAX', 0, ['operator']],
      ['timestamp > "yesterday"', 'VALIDATION_QUERY_SYNTAX', 12, ['timestamp']],
      ['tags > a', 'VALIDATION_QUERY_SYNTAX', 0, []],
      ['severity >= loud', 'VALIDATION_QUERY_SYNTAX', 12, ['value']],
      ['median(duration_ms)', 'VALIDATION_QUERY_SYNTAX', 0, ['function']],
      ['severity:error count by service', 'VALIDATION_QUERY_SYNTAX', 15, ['field', 'value']],
      ['since 2026-06-12 until 2026-06-10', 'VALIDATION_QUERY_TIME_RANGE', 17, []],
      ['last 0h', 'VALIDATION_QUERY_SYNTAX', 5, ['duration']],
      ['since 2026-13-45', 'VALIDATION_QUERY_SYNTAX', 6, ['timestamp']],
      ['sum(timestamp)', 'VALIDATION_QUERY_INVALID', 4, ['field']],
      ['p95(message)', 'VALIDATION_QUERY_INVALID', 4, ['field']],
      ['avg service by severity', 'VALIDATION_QUERY_INVALID', 4, ['field']],
      ['max(trace_id)', 'VALIDATION_QUERY_INVALID', 4, ['field']],
    ];
    for (const [text, type, position, expected] of cases) {
      const e = err(text);
      expect({ text, type: e.type, position: e.position, expected: e.expected }).toEqual({ text, type, position, expected });
    }
  });

  it('rejects a field-dependent rule only once the source is known', () => {
    expect(q('event@"signup" from:events').filter).toMatchObject({ op: 'text', tokens: ['signup'] });
    expect(err('event@"signup"').type).toBe('VALIDATION_QUERY_SYNTAX');
  });

  it('lets numeric aggregates read number columns and properties, and says 422 only for the rest', () => {
    expect(q('p95(severity_number)').aggregate).toMatchObject({ func: 'percentile', p: 0.95 });
    expect(q('avg(duration_ms)').aggregate?.field).toMatchObject({ kind: 'property', key: 'duration_ms' });
    expect(q('max(value) from:alert_events').aggregate?.field).toMatchObject({ kind: 'column', name: 'value' });
    expect(q('count_distinct(message)').aggregate?.func).toBe('count_distinct');
    expect(err('p95(message)')).toMatchObject({ status: 422, end: 11, details: { field: 'message' } });
    expect(err('median(duration_ms)').status).toBe(400);
  });
});
