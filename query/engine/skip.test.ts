import { describe, expect, it } from 'vitest';
import { parseGql } from '../language/gql.js';
import { gramTerms, idTerm, propertyTerm } from '../../storage/lake/skip-index.js';
import { requirementOf, type Need } from './skip.js';

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
