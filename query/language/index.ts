// Public API of the query language: the one parse -> compile -> execute -> shape path that every query
// endpoint uses (spec section 1).
//
// How the engine plugs in: `runQuery(runner, request)` parses first, then hands the parsed `Query` to the
// runner scope so the engine can decide which Parquet files back `logs`/`events`/`alert_events`
// (`query.source` names the only relation the SQL reads; `query.time` is the fully resolved window,
// null on an open side) before the statement runs:
//
//   runQuery((query, work) => engine.withRelations(scope, [query.source], query.time, work), request)
//
// Each connection must first run MACROS_SQL (it sets TimeZone=UTC and defines the helper macros).
import type { Dialect, Query, Source } from './ast.js';
import { compileQuery, type CompiledQuery } from './compile.js';
import { syntaxError } from './errors.js';
import { parseGql, SOURCES } from './gql.js';
import { parseKql } from './kql.js';
import { parseLcql } from './lcql.js';
import type { RequestParams } from './request-params.js';
import { gqlBody, kqlBody, lcqlBody, structuredBody, type GqlBody, type KqlBody, type Row, type StructuredBody } from './shape.js';
import { parseStructured } from './structured.js';

export type { Aggregate, Dialect, Expr, FieldRef, Literal, PostStage, Query, Source, TimeRange } from './ast.js';
export type { CompiledQuery } from './compile.js';
export { decodeCursor, encodeCursor, type Cursor } from './cursor.js';
export { QueryError, toLogtrailError, type QueryErrorBody, type QueryErrorType } from './errors.js';
export { MACROS_SQL } from './macros.js';
export { attributeTextSql, compileWhere, timeBucketSql } from './fragments.js';
export { Params } from './params.js';
export { boundedInteger, pageParams, type RequestParams } from './request-params.js';
export type { GqlBody, KqlBody, Row, StructuredBody } from './shape.js';
export { autocomplete, type AutocompleteResult, type FieldInfo, type SchemaProvider, type ValueInfo } from './autocomplete.js';
export { resolveField } from './fields.js';
export { conditionQueryProblem } from './condition.js';
export { echoQuery, type FilterEcho } from './echo.js';
export { isGqlReserved } from './gql.js';
export { quoteString } from './lexer.js';
export { severityRank } from '../../core/severity.js';
export { compileQuery };

export interface QueryRequest {
  dialect: Dialect;
  /** Query text (gql/lcql/kql) or the structured JSON object (a JSON string is accepted too). */
  text: string | object;
  /** GQL request-level source; a `from:` in the query wins. */
  source?: Source;
  /** The endpoint's other members: lcql from/to/pageSize/cursorTS/cursorID, kql from/to/limit, structured cursor. */
  params?: RequestParams;
  /** Request time; relative times and the default window resolve against it. */
  now: Date;
}

export interface SqlRunner {
  all(sql: string, params: unknown[]): Promise<Record<string, unknown>[]>;
}

/** Runs `work` with a runner whose relations match `query` (see the header comment). */
export type RunnerScope = (
  query: Query, work: (runner: SqlRunner) => Promise<Record<string, unknown>[]>,
) => Promise<Record<string, unknown>[]>;

export type QueryResult =
  | { dialect: 'gql'; query: Query; body: GqlBody }
  | { dialect: 'kql'; query: Query; body: KqlBody }
  | { dialect: 'lcql'; query: Query; body: Row[]; headers: Record<string, string> }
  | { dialect: 'structured'; query: Query; body: StructuredBody };

function structuredInput(text: string | object): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    throw syntaxError('The structured query is not valid JSON', { details: { dialect: 'structured', path: '' } });
  }
}

function queryText(req: QueryRequest): string {
  if (typeof req.text !== 'string') {
    throw syntaxError('The query must be a string', { details: { dialect: req.dialect, path: '' } });
  }
  return req.text;
}

/** Throws QueryError for every invalid request (section 15). */
export function parseQuery(req: QueryRequest): Query {
  const params = req.params ?? {};
  switch (req.dialect) {
    case 'gql':
      if (req.source !== undefined && !SOURCES.includes(req.source)) {
        throw syntaxError(`Unknown source '${String(req.source)}'`, { expected: ['source'], details: { dialect: 'gql', path: '/source' } });
      }
      return parseGql(queryText(req), { source: req.source, now: req.now });
    case 'lcql': return parseLcql(queryText(req), params, req.now);
    case 'kql': return parseKql(queryText(req), params, req.now);
    case 'structured': return parseStructured(structuredInput(req.text), params, req.now);
    default:
      throw syntaxError(`Unknown dialect '${String(req.dialect)}'`, { details: { dialect: req.dialect } });
  }
}

/** Shapes rows of `compileQuery(query)` into the dialect's response body (section 14). */
export function shapeResult(query: Query, rows: Record<string, unknown>[]): QueryResult {
  switch (query.dialect) {
    case 'gql': return { dialect: 'gql', query, body: gqlBody(query, rows) };
    case 'kql': return { dialect: 'kql', query, body: kqlBody(query, rows) };
    case 'lcql': return { dialect: 'lcql', query, ...lcqlBody(query, rows) };
    case 'structured': return { dialect: 'structured', query, body: structuredBody(query, rows) };
  }
}

/** Parse -> compile -> execute -> shape. Runner failures propagate unchanged for the route to map to 5xx. */
export async function runQuery(runner: SqlRunner | RunnerScope, req: QueryRequest): Promise<QueryResult> {
  return runParsed(runner, parseQuery(req));
}

/** Compile -> execute -> shape of a parsed query, for callers that adapt the AST first (alert conditions). */
export async function runParsed(runner: SqlRunner | RunnerScope, query: Query): Promise<QueryResult> {
  const compiled: CompiledQuery = compileQuery(query);
  const work = (r: SqlRunner) => r.all(compiled.sql, compiled.params);
  const rows = typeof runner === 'function' ? await runner(query, work) : await work(runner);
  return shapeResult(query, rows);
}
