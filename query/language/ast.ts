// The shared AST of spec section 4. Every front end produces a `Query`; the compiler consumes only this.

import type { Table } from '../../core/tables.js';

export type Source = Table;
export type Dialect = 'gql' | 'lcql' | 'kql' | 'structured';

export interface Query {
  dialect: Dialect;
  source: Source;                       // default 'logs' (GQL: request `source`, then `from`)
  filter: Expr | null;                  // conjunction of every filter in the query
  time: TimeRange;                      // resolved in section 11
  aggregate: Aggregate | null;          // null => search mode
  post: PostStage[];                    // sort/limit/top, applied in order (section 12/13)
  fields: FieldRef[] | null;            // projection (search mode only)
  timeslice: { seconds: number; text: string } | null;
  page: { size: number; cursor?: { ts: string; id: string } };  // search mode only
  order: 'latest' | 'earliest';         // default 'latest' (structured orderBy)
}

export type FieldRef =
  | { kind: 'column'; name: string; written: string }           // canonical column name
  | { kind: 'property'; key: string; written: string }
  | { kind: 'resource'; key: string; written: string };

export type Literal = { text: string; quoted: boolean; isNull?: boolean; pattern?: PatternPart[] };
export type PatternPart = { lit: string } | { star: true };      // from unescaped '*'

export type CmpOp =
  | 'eq' | 'neq' | 'contains' | 'not_contains' | 'lt' | 'gt' | 'lte' | 'gte' | 'glob' | 'exists';

export type Expr =
  | { op: 'and' | 'or'; args: Expr[] }
  | { op: 'not'; arg: Expr }
  | { op: 'cmp'; field: FieldRef; cmp: CmpOp; values: Literal[] }  // >1 value only for eq/neq/contains/not_contains
  | { op: 'is_null' | 'is_not_null'; field: FieldRef }
  | { op: 'text'; tokens: string[]; written: string };           // @ and free text (section 10.6)

export type TimeRange = { from: Date | null; to: Date | null; explicit: boolean };

export type AggFunc = 'count' | 'count_distinct' | 'sum' | 'avg' | 'min' | 'max' | 'percentile';

export type Aggregate = {
  func: AggFunc;
  field: FieldRef | null; p?: number;   // p in (0,1) for percentile: p50 -> 0.5
  groupBy: FieldRef[];                  // result keys = FieldRef.written
  /** GQL `| patterns` (loglake): a count by pattern_id whose rows also hold the template, first/last seen, a sample. */
  view?: 'patterns';
};

export type SortDir = 'asc' | 'desc';

export type PostStage =
  | { type: 'sort'; keys: { key: string; dir: SortDir }[] }
  | { type: 'limit'; n: number }
  | { type: 'top'; n: number };
