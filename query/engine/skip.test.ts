import { describe, expect, it } from 'vitest';
import { parseGql } from '../language/gql.js';
import { bloomHas, gramTerms, idTerm, propertyTerm, type SkipIndex } from '../../storage/lake/skip-index.js';
import { candidateRanges, filesWorth, requirementOf, scansOf, type Need } from './skip.js';

const need = (q: string) => requirementOf(parseGql(q, { now: new Date('2026-06-15T12:00:00Z') }).filter);
const all = (terms: string[]): Need => (terms.length === 1 ? { term: terms[0] } : { all: terms.map((term) => ({ term })) });

describe('requirementOf', () => {
  it('asks for the grams of a substring, folded as the compiler folds it', () => {
    expect(need('message ~ "Straße"')).toEqual(all(gramTerms('straße')));
    expect(need('body ~ "Timeout DB-17"')).toEqual(all(gramTerms('timeout')));
    expect(need('message = "Disk Full"')).toEqual(all(['gdis', 'gisk', 'gful', 'gull']));
    // Grams are taken within words: ASCII punctuation and spaces split them, and short words give none.
    expect(need('message ~ "db-17 50%_x"')).toBeNull();
    expect(need('message ~ "東京タワー"')).toEqual(all(['g東京タ', 'g京タワ', 'gタワー']));
    // `*` splits a pattern: each literal part must be there.
    expect(need('message:*time*db*')).toEqual(all(gramTerms('time')));
  });

  it('asks for each word of free text, and nothing for words under 3 characters', () => {
    expect(need('timeout')).toEqual(all(gramTerms('timeout')));
    expect(need('db 17')).toBeNull();
    expect(need('ab')).toBeNull();
  });

  it('asks for exact string properties and ids only', () => {
    expect(need('user_id = "u_4242"')).toEqual({ term: propertyTerm('user_id', 'u_4242') });
    expect(need('`first name` = "Ann"')).toEqual({ term: propertyTerm('first name', 'Ann') });
    expect(need('properties.user.name = "bob"')).toEqual({ term: propertyTerm('user.name', 'bob') });
    expect(need('user_id:u_1,u_2')).toEqual({ any: [{ term: propertyTerm('user_id', 'u_1') }, { term: propertyTerm('user_id', 'u_2') }] });
    expect(need('id:abc-123')).toEqual({ term: idTerm('abc-123') });
    // A number or boolean text also matches numbers and booleans, which the index does not hold.
    expect(need('code = 42')).toBeNull();
    expect(need('code = "42"')).toBeNull();
    expect(need('flag = true')).toBeNull();
    expect(need('user_id = null')).toBeNull();
    expect(need('user_id:u_42*')).toBeNull();
    expect(need('user_id ~ "4242"')).toBeNull();
  });

  it('asks nothing under a negation, or of a disjunction with a branch it knows nothing of', () => {
    expect(need('NOT message ~ "timeout"')).toBeNull();
    expect(need('message !~ "timeout"')).toBeNull();
    expect(need('user_id != "u_1"')).toBeNull();
    expect(need('message ~ "timeout" OR severity:error')).toBeNull();
    expect(need('message:*')).toBeNull();
    expect(need('severity:error service:billing')).toBeNull();
    expect(need('message ~ "timeout" OR user_id = "u_1"')).toEqual({ any: [all(gramTerms('timeout')), { term: propertyTerm('user_id', 'u_1') }] });
    expect(need('severity:error message ~ "timeout" NOT user_id = "u_1"')).toEqual(all(gramTerms('timeout')));
  });
});

describe('row ranges and scans', () => {
  // Blocks of 10 rows; a block "holds" the term when its flag is set (bits all set: every term).
  const index = (hits: boolean[]): SkipIndex => ({
    rows: hits.length * 10 - 3, blockRows: 10, minTs: null, maxTs: null,
    blooms: hits.map((h) => ({ bits: new Uint8Array(8).fill(h ? 0xff : 0), m: 64 })),
  });
  const t: Need = { term: 'gabc' };

  it('reads runs of candidate blocks, nothing when none may match, the whole file past the share', () => {
    expect(bloomHas(index([true]).blooms[0], 'gabc')).toBe(true);
    expect(candidateRanges(index([false, true, true, false, false, true, false, false]), t, 0.5)).toEqual([[10, 29], [50, 59]]);
    expect(candidateRanges(index([false, false]), t, 0.5)).toEqual([]);
    expect(candidateRanges(index([true, true, false]), t, 0.5)).toBeNull();
    expect(candidateRanges(index([true, false, false, true]), t, 0.5)).toEqual([[0, 9], [30, 39]]);
  });

  it('one scan per distinct range, over every file that has it', () => {
    expect(scansOf([{ file: 'a', ranges: [[0, 9], [30, 39]] }, { file: 'b', ranges: [[30, 39]] }, { file: 'c', ranges: [[0, 19]] }])).toEqual([
      { files: ['a'], range: [0, 9] }, { files: ['a', 'b'], range: [30, 39] }, { files: ['c'], range: [0, 19] },
    ]);
  });

  it('counts the rows the picks read in files of the largest', () => {
    expect(filesWorth([{ file: { rows: 100 }, ranges: null }, { file: { rows: 50 }, ranges: [[0, 9], [40, 59]] }])).toBe(1.2);
    expect(filesWorth([])).toBe(0);
  });
});
