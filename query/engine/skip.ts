// What a filter requires of a block of rows, in skip-index terms (storage/lake/skip-index.ts), and which
// blocks of an indexed file may hold a match. Derived only where it is sound: every row the compiled SQL
// can match holds the required terms. Anything negated, null tests, ranges, patterns that fold differently
// and non-string property values require nothing (TRUE), and a disjunction with such a branch too.
import type { Expr, Literal, PatternPart } from '../language/ast.js';
import { isBooleanText, isNumeric } from '../language/lexer.js';
import { bloomHas, gramTerms, idTerm, propertyTerm, type SkipIndex } from '../../storage/lake/skip-index.js';

export type Need = { all: Need[] } | { any: Need[] } | { term: string };
/** null: no requirement (every block may match). */
export type Requirement = Need | null;

const allOf = (parts: Requirement[]): Requirement => {
  const kept = parts.filter((p): p is Need => p !== null);
  return kept.length === 0 ? null : kept.length === 1 ? kept[0] : { all: kept };
};
const anyOf = (parts: Requirement[]): Requirement => {
  if (parts.length === 0 || parts.some((p) => p === null)) return null;
  return parts.length === 1 ? parts[0] : { any: parts as Need[] };
};

/** Every literal part of a value must appear in the folded text (as the compiler folds it: JS toLowerCase). */
function substringsOf(v: Literal): Requirement {
  const parts: PatternPart[] = v.pattern ?? [{ lit: v.text }];
  const grams = parts.flatMap((p) => ('lit' in p ? gramTerms(p.lit.toLowerCase()) : []));
  return allOf(grams.map((term) => ({ term })));
}

function cmpNeed(e: Extract<Expr, { op: 'cmp' }>): Requirement {
  const { field } = e;
  if (e.values.length === 0 || e.values.some((v) => v.isNull)) return null;
  if (field.kind === 'column' && (field.name === 'message' || field.name === 'action')) {
    // eq is lower(col) = lower(v); contains and glob need each literal part inside lower(col).
    if (e.cmp !== 'eq' && e.cmp !== 'contains' && e.cmp !== 'glob') return null;
    return anyOf(e.values.map(substringsOf));
  }
  if (field.kind === 'column' && field.name === 'id' && e.cmp === 'eq') {
    return anyOf(e.values.map((v) => ({ term: idTerm(v.text) })));
  }
  if (field.kind === 'property' && e.cmp === 'eq') {
    // Numeric and boolean texts also match numbers and booleans (10.3): those maps are not indexed.
    if (e.values.some((v) => isNumeric(v.text) || isBooleanText(v.text))) return null;
    return anyOf(e.values.map((v) => ({ term: propertyTerm(field.key, v.text) })));
  }
  return null;
}

/** The requirement of a logs filter; null when it requires nothing the index knows. */
export function requirementOf(e: Expr | null): Requirement {
  if (!e) return null;
  switch (e.op) {
    case 'and': return allOf(e.args.map(requirementOf));
    case 'or': return anyOf(e.args.map(requirementOf));
    case 'text': return allOf(e.tokens.map((t) => allOf(gramTerms(t).map((term) => ({ term })))));
    case 'cmp': return cmpNeed(e);
    default: return null; // not, is_null, is_not_null
  }
}

function holds(need: Need, has: (term: string) => boolean): boolean {
  if ('term' in need) return has(need.term);
  if ('all' in need) return need.all.every((n) => holds(n, has));
  return need.any.some((n) => holds(n, has));
}

/** Per block of the indexed file: whether it may hold a matching row. */
export function candidateBlocks(index: SkipIndex, need: Need): boolean[] {
  return index.blooms.map((bloom) => holds(need, (t) => bloomHas(bloom, t)));
}
