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

/** An inclusive range of row numbers (in file order). */
export type RowRange = [number, number];

/**
 * The row ranges of an indexed file that may hold a match, as runs of consecutive candidate blocks: `[]`
 * when none may, null when the file is better read whole (more than `maxShare` of its blocks may match).
 */
export function candidateRanges(index: SkipIndex, need: Need, maxShare: number): RowRange[] | null {
  const blocks = candidateBlocks(index, need);
  if (blocks.filter(Boolean).length > blocks.length * maxShare) return null;
  const out: RowRange[] = [];
  blocks.forEach((hit, b) => {
    if (!hit) return;
    const last = out.at(-1);
    if (last && last[1] === b * index.blockRows - 1) last[1] = (b + 1) * index.blockRows - 1;
    else out.push([b * index.blockRows, (b + 1) * index.blockRows - 1]);
  });
  return out;
}

/**
 * Files read over row ranges, as few scans as there are distinct ranges: a scan costs DuckDB ~1 ms before
 * it reads a row, while one scan over many files with a `file_row_number` range skips the row groups
 * outside it in each of them (measured in bench/README.md). Each file is read over exactly its own ranges.
 */
export function scansOf<F>(ranged: { file: F; ranges: RowRange[] }[]): { files: F[]; range: RowRange }[] {
  const byRange = new Map<string, { files: F[]; range: RowRange }>();
  for (const { file, ranges } of ranged) {
    for (const range of ranges) {
      const key = `${range[0]}-${range[1]}`;
      const scan = byRange.get(key);
      if (scan) scan.files.push(file);
      else byRange.set(key, { files: [file], range });
    }
  }
  return [...byRange.values()];
}

/** How many files' worth of rows (of the largest file) the picks read: what a first round of a page could save. */
export function filesWorth(picks: { file: { rows: number }; ranges: RowRange[] | null }[]): number {
  const largest = Math.max(1, ...picks.map((p) => p.file.rows));
  const rows = picks.reduce((n, p) => n + (p.ranges ? p.ranges.reduce((m, [a, b]) => m + Math.min(b + 1, p.file.rows) - a, 0) : p.file.rows), 0);
  return rows / largest;
}
