import { describe, expect, it } from 'vitest';
import { QueryError } from './errors.js';
import { parseQuery, type QueryRequest } from './index.js';

const now = new Date('2026-06-15T12:00:00Z');
const parse = (req: Omit<QueryRequest, 'now'>) => parseQuery({ ...req, now });

function err(req: Omit<QueryRequest, 'now'>): QueryError {
  try {
    parse(req);
  } catch (e) {
    if (e instanceof QueryError) return e;
    throw e;
  }
  throw new Error(`no error for ${JSON.stringify(req.text)}`);
}

describe('lcql', () => {
  const lcql = (text: string, params = {}) => parse({ dialect: 'lcql', text, params });

  it('ANDs terms, ORs comma groups and reads free text', () => {
    expect(lcql('level=error,warn tag=critical').filter).toMatchObject({
      op: 'and', args: [
        { cmp: 'eq', field: { name: 'severity' }, values: [{ text: 'error' }, { text: 'warn' }] },
        { cmp: 'eq', field: { name: 'tags' } },
      ],
    });
    expect(lcql('timeout and db').filter).toMatchObject({ op: 'and', args: [{ tokens: ['timeout'] }, { tokens: ['and'] }, { tokens: ['db'] }] });
    expect(lcql('action~"login*"').filter).toMatchObject({ cmp: 'contains', values: [{ pattern: [{ lit: 'login' }, { star: true }] }] });
    expect(lcql('context.request_id!=null').filter).toMatchObject({ op: 'is_not_null' });
    expect(lcql('server_timestamp > "2026-06-10"').filter).toMatchObject({ field: { name: 'observed_timestamp' } });
  });

  it('takes from/to/pageSize/cursor from the request', () => {
    const query = lcql('', { from: '-1h', to: 'now', pageSize: 20, cursorTS: '2026-06-15T11:00:00Z', cursorID: 'abc' });
    expect(query.time).toEqual({ from: new Date('2026-06-15T11:00:00Z'), to: now, explicit: true });
    expect(query.page).toEqual({ size: 20, cursor: { ts: '2026-06-15T11:00:00.000Z', id: 'abc' } });
    expect(lcql('').page).toEqual({ size: 50 });
  });

  it('rejects boolean keywords, colons, parentheses and bad parameters', () => {
    expect(err({ dialect: 'lcql', text: 'level=error OR level=warn' })).toMatchObject({ position: 12, end: 14 });
    expect(err({ dialect: 'lcql', text: 'NOT level=error' }).type).toBe('VALIDATION_QUERY_SYNTAX');
    expect(err({ dialect: 'lcql', text: 'level:error' })).toMatchObject({ position: 5, expected: ['operator'] });
    expect(err({ dialect: 'lcql', text: '(level=error)' }).position).toBe(0);
    expect(err({ dialect: 'lcql', text: 'level=' })).toMatchObject({ position: 6, expected: ['value'] });
    expect(err({ dialect: 'lcql', text: 'x', params: { pageSize: 500 } }).type).toBe('VALIDATION_QUERY_CONSTRAINT');
    expect(err({ dialect: 'lcql', text: 'x', params: { pageSize: 9 } }).type).toBe('VALIDATION_QUERY_CONSTRAINT');
    expect(err({ dialect: 'lcql', text: 'x', params: { cursorTS: '2026-06-15T11:00:00Z' } }).type).toBe('VALIDATION_QUERY_SYNTAX');
    expect(err({ dialect: 'lcql', text: 'x', params: { from: 'yesterday' } }).details).toMatchObject({ path: '/from' });
  });
});

describe('kql', () => {
  const kql = (text: string, params = {}) => parse({ dialect: 'kql', text, params });

  it('parses the seed and the KQL forms', () => {
    const seed = kql('service:payment-gateway AND level:ERROR', { from: '-24h', limit: 50 });
    expect(seed.filter).toMatchObject({ op: 'and', args: [{ field: { name: 'service' } }, { field: { name: 'severity' }, values: [{ text: 'ERROR' }] }] });
    expect(seed.page).toEqual({ size: 50 });
    expect(kql('level:(error or FATAL)').filter).toMatchObject({ cmp: 'eq', values: [{ text: 'error' }, { text: 'FATAL' }] });
    expect(kql('not level:info and service:auth').filter).toMatchObject({ op: 'and', args: [{ op: 'not' }, { cmp: 'eq' }] });
    expect(kql('message:*timeout*').filter).toMatchObject({ cmp: 'glob' });
    expect(kql('actor.email:*').filter).toMatchObject({ cmp: 'exists' });
    expect(kql('a:1 b:2 or c:3').filter).toMatchObject({ op: 'or', args: [{ op: 'and' }, { op: 'cmp' }] });
    expect(kql('"connection timeout"').filter).toMatchObject({ op: 'text', tokens: ['connection', 'timeout'] });
    expect(kql('').page).toEqual({ size: 100 });
  });

  it('rejects non-KQL operators and dangling keywords', () => {
    for (const text of ['level=error', 'level!=error', 'message~x', 'message@x', 'level:error AND', '(a:1', 'a:(x y)']) {
      expect(err({ dialect: 'kql', text }).type).toBe('VALIDATION_QUERY_SYNTAX');
    }
    expect(err({ dialect: 'kql', text: 'a:1', params: { from: '-3x' } }).type).toBe('VALIDATION_QUERY_SYNTAX');
    expect(err({ dialect: 'kql', text: 'a:1', params: { limit: 0 } }).type).toBe('VALIDATION_QUERY_CONSTRAINT');
  });
});

describe('structured', () => {
  const st = (text: object) => parse({ dialect: 'structured', text });

  it('ANDs the top-level members and maps operators', () => {
    const query = st({
      dateRange: { date_from: '-7d', date_to: null },
      severityLevels: ['Warning', 'error'],
      serviceNames: ['billing'],
      searchTerm: 'declined',
      filterGroup: { type: 'OR', values: [
        { key: 'amount', operator: 'gt', value: 100, type: 'log' },
        { key: 'host.name', operator: 'icontains', value: 'ip-10*', type: 'resource' },
        { type: 'AND', values: [{ key: 'plan', operator: 'is_not', value: ['free', 'pro'] }, { key: 'userId', operator: 'is_set' }] },
      ] },
      orderBy: 'earliest',
      limit: 5,
    });
    expect(query.filter).toMatchObject({ op: 'and', args: [
      { field: { name: 'severity' }, values: [{ text: 'warn' }, { text: 'error' }] },
      { field: { name: 'service' } },
      { op: 'text', tokens: ['declined'] },
      { op: 'or', args: [
        { cmp: 'gt', values: [{ text: '100' }] },
        { cmp: 'contains', field: { kind: 'resource', key: 'host.name' }, values: [{ text: 'ip-10*', quoted: true }] },
        { op: 'and', args: [{ cmp: 'neq' }, { op: 'is_not_null' }] },
      ] },
    ] });
    expect(query).toMatchObject({ order: 'earliest', page: { size: 5 }, time: { from: new Date('2026-06-08T12:00:00Z'), to: now } });
    expect(st({}).filter).toBeNull();
    expect(st({ filterGroup: { type: 'AND', values: [{ type: 'AND', values: [] }] } }).filter).toBeNull();
  });

  it('takes a bare filter list as an AND group', () => {
    const list = [{ key: 'plan', operator: 'exact', value: 'pro' }, { key: 'host.name', operator: 'is_set', type: 'resource' }];
    expect(st({ filterGroup: list }).filter).toEqual(st({ filterGroup: { type: 'AND', values: list } }).filter);
    expect(st({ filterGroup: [] }).filter).toBeNull();
    expect(err({ dialect: 'structured', text: { filterGroup: [{ key: 'plan', operator: 'regex', value: 'p' }] } }).details.path)
      .toBe('/filterGroup/0/operator');
  });

  it('reports invalid members with a JSON pointer', () => {
    const path = (text: object) => err({ dialect: 'structured', text }).details.path;
    expect(path({ filterGroup: { type: 'AND', values: [{ key: 'plan', operator: 'regex', value: '^p' }] } })).toBe('/filterGroup/values/0/operator');
    expect(path({ filterGroup: { type: 'XOR', values: [] } })).toBe('/filterGroup/type');
    expect(path({ filterGroup: { type: 'AND', values: [{ key: 'a', operator: 'exact', value: 'x', type: 'event' }] } })).toBe('/filterGroup/values/0/type');
    expect(path({ severityLevels: ['error', 'loud'] })).toBe('/severityLevels/1');
    expect(path({ dateRange: { date_from: 'soon' } })).toBe('/dateRange/date_from');
    expect(path({ orderBy: 'newest' })).toBe('/orderBy');
    expect(err({ dialect: 'structured', text: { limit: 5000 } }).type).toBe('VALIDATION_QUERY_CONSTRAINT');
    expect(err({ dialect: 'structured', text: { dateRange: { date_from: '-1h', date_to: '-2h' } } }).type).toBe('VALIDATION_QUERY_TIME_RANGE');
    expect(err({ dialect: 'structured', text: '{not json' }).type).toBe('VALIDATION_QUERY_SYNTAX');
  });
});
