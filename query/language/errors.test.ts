import { describe, expect, it } from 'vitest';
import { QueryError, toLogtrailError } from './errors.js';
import { parseQuery, type QueryRequest } from './index.js';

const now = new Date('2026-06-15T12:00:00Z');

function fail(req: Omit<QueryRequest, 'now'>): QueryError {
  try {
    parseQuery({ ...req, now });
  } catch (e) {
    if (e instanceof QueryError) return e;
    throw e;
  }
  throw new Error(`no error for ${JSON.stringify(req.text)}`);
}

describe('QueryError', () => {
  it('serialises to the section 15 error object', () => {
    expect(fail({ dialect: 'gql', text: 'severity:' }).toJSON()).toEqual({
      code: 'VALIDATION_ERROR', type: 'VALIDATION_QUERY_SYNTAX',
      message: "Expected a value after ':' at position 9",
      position: 9, end: 9, expected: ['value'], details: { dialect: 'gql', found: 'end of input' },
    });
  });

  it('has one type per error class', () => {
    expect(fail({ dialect: 'gql', text: 'x:1 | limit 5000' }).type).toBe('VALIDATION_QUERY_CONSTRAINT');
    expect(fail({ dialect: 'gql', text: 'since 2026-06-12 until 2026-06-10' }).type).toBe('VALIDATION_QUERY_TIME_RANGE');
    expect(fail({ dialect: 'kql', text: 'a:1', params: { from: '2026-06-12', to: '2026-06-12' } }).type)
      .toBe('VALIDATION_QUERY_TIME_RANGE');
    expect(fail({ dialect: 'gql', text: 'a:1 b' + ')' }).type).toBe('VALIDATION_QUERY_SYNTAX');
  });

  it('points structured errors at a JSON pointer instead of a position', () => {
    const e = fail({ dialect: 'structured', text: { filterGroup: { type: 'AND', values: [{ key: 'plan', operator: 'regex', value: '^p' }] } } });
    expect(e.toJSON()).toMatchObject({ position: null, end: null, details: { path: '/filterGroup/values/0/operator' } });
  });

  it('maps onto the Logtrail envelope', () => {
    const e = fail({ dialect: 'lcql', text: 'level=' });
    expect(toLogtrailError(e, 'req-1')).toEqual({
      error_code: 'VALIDATION_QUERY_SYNTAX', message: e.message, request_id: 'req-1',
      details: { dialect: 'lcql', found: 'end of input', position: 6, end: 6, expected: ['value'] },
    });
  });
});
