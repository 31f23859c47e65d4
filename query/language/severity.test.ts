// One normaliser for ingest and query: what a sender's level is stored as is what the same word means in a query.
import { describe, expect, it } from 'vitest';
import { compileQuery, parseQuery, severityRank } from './index.js';
import { normalizeSeverity } from '../../core/severity.js';

const now = new Date('2026-06-15T12:00:00Z');
const compiled = (req: Parameters<typeof parseQuery>[0]) => compileQuery(parseQuery(req));

describe('severity normalisation', () => {
  it.each([
    ['WARNING', 'warn'], [' info ', 'info'], ['Err', 'error'], ['critical', 'fatal'], ['notice', 'info'],
    ['ERROR2', 'error'], ['17', 'error'], [21, 'fatal'], ['verbose', 'trace'],
  ])('maps %j to %s at ingest and in every query dialect', (written, level) => {
    expect(normalizeSeverity(written)).toBe(level);
    const text = String(written).trim();
    expect(compiled({ dialect: 'gql', text: `severity:"${text}"`, now }).params).toContain(level);
    expect(compiled({ dialect: 'structured', text: { severityLevels: [text] }, now }).params).toContain(level);
    expect(severityRank(written)).toBe(['trace', 'debug', 'info', 'warn', 'error', 'fatal'].indexOf(level) + 1);
  });

  it('names no level for unknown words, and a query for one matches nothing', () => {
    expect(normalizeSeverity('loud')).toBeNull();
    expect(normalizeSeverity(25)).toBeNull();
    expect(severityRank('loud')).toBe(0);
    expect(compiled({ dialect: 'gql', text: 'severity:LOUD', now }).params).toContain('loud');
    expect(() => compiled({ dialect: 'structured', text: { severityLevels: ['loud'] }, now })).toThrow(/Unknown severity level/);
  });
});
