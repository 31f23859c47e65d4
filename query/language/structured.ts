// Structured filters, the PostHog-style JSON dialect (spec section 9). Errors carry a JSON pointer in
// `details.path` instead of a text position.
import { normalizeSeverity } from '../../core/severity.js';
import type { Expr, FieldRef, Literal, Query } from './ast.js';
import { errorAt, type ExpectedKind, type QueryErrorType } from './errors.js';
import { resolveField } from './fields.js';
import { buildComparison, textTerm, type PredicateContext, type SurfaceOp, type ValueIn } from './predicates.js';
import { boundedInteger, cursorParam, type RequestParams } from './request-params.js';
import { checkOrder, resolveTimeRange } from './time-range.js';
import { parseTimestamp } from './time.js';

export const STRUCTURED_DEFAULT_LIMIT = 100;

const OPERATORS: Record<string, SurfaceOp | 'is_set' | 'is_not_set'> = {
  exact: 'eq', is_not: 'neq', icontains: 'contains', not_icontains: 'not_contains',
  gt: 'gt', gte: 'gte', lt: 'lt', lte: 'lte', is_set: 'is_set', is_not_set: 'is_not_set',
};
const LOG_TYPES = new Set(['log', 'log_attribute']);
const RESOURCE_TYPES = new Set(['resource', 'log_resource_attribute']);

type Json = Record<string, unknown>;

function fail(path: string, message: string, found: unknown, type: QueryErrorType = 'VALIDATION_QUERY_SYNTAX',
  expected: ExpectedKind[] = []): never {
  throw errorAt(type, { path }, message, { dialect: 'structured', found }, expected);
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringList(value: unknown, path: string): { text: string; path: string }[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(path, 'Expected an array of strings', value);
  return value.map((v, i) => {
    if (typeof v !== 'string') fail(`${path}/${i}`, 'Expected a string', v);
    return { text: v, path: `${path}/${i}` };
  });
}

/** JSON numbers and booleans are used through their text (section 9); quoted so `*` stays literal. */
function literal(value: unknown, path: string): ValueIn {
  if (value === null) return { literal: { text: 'null', quoted: false, isNull: true }, where: { path } };
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    const lit: Literal = { text: String(value), quoted: true };
    return { literal: lit, where: { path } };
  }
  fail(path, 'Expected a string, number, boolean or null', value, 'VALIDATION_QUERY_SYNTAX', ['value']);
}

export function parseStructured(input: unknown, params: RequestParams, now: Date): Query {
  if (!isObject(input)) fail('', 'The query must be a JSON object', input);
  const ctx: PredicateContext = { source: 'logs', now, dialect: 'structured' };
  const parts: Expr[] = [];

  const levels = stringList(input.severityLevels, '/severityLevels').map(({ text, path }) => {
    const level = normalizeSeverity(text);
    if (!level) fail(path, `Unknown severity level '${text}'`, text);
    return { literal: { text: level, quoted: true }, where: { path } };
  });
  if (levels.length) parts.push(buildComparison(ctx, resolveField('severity', 'logs'), { path: '/severityLevels' }, 'eq', levels));

  const services = stringList(input.serviceNames, '/serviceNames')
    .map(({ text, path }) => ({ literal: { text, quoted: true }, where: { path } }));
  if (services.length) parts.push(buildComparison(ctx, resolveField('service', 'logs'), { path: '/serviceNames' }, 'eq', services));

  if (input.searchTerm !== undefined && input.searchTerm !== null) {
    if (typeof input.searchTerm !== 'string') fail('/searchTerm', 'Expected a string', input.searchTerm);
    if (input.searchTerm.trim() !== '') parts.push(textTerm(ctx, input.searchTerm, { path: '/searchTerm' }));
  }

  if (input.filterGroup !== undefined && input.filterGroup !== null) {
    const filters = topGroup(ctx, input.filterGroup, '/filterGroup');
    if (filters) parts.push(filters);
  }

  const order = input.orderBy ?? 'latest';
  if (order !== 'latest' && order !== 'earliest') fail('/orderBy', "orderBy must be 'latest' or 'earliest'", order);
  const limit = boundedInteger('structured', 'limit', input.limit as number | string | undefined, 1, 1000,
    STRUCTURED_DEFAULT_LIMIT);

  const cursor = cursorParam('structured', params, now);
  const filter = parts.length === 0 ? null : parts.length === 1 ? parts[0] : { op: 'and' as const, args: parts };
  return {
    dialect: 'structured',
    source: 'logs',
    filter,
    time: resolveTimeRange(dateRange(input.dateRange, now), filter, now),
    aggregate: null,
    post: [],
    fields: null,
    timeslice: null,
    page: cursor ? { size: limit, cursor } : { size: limit },
    order,
  };
}

function dateRange(value: unknown, now: Date): { from: Date | null; to: Date | null } {
  if (value === undefined || value === null) return { from: null, to: null };
  if (!isObject(value)) fail('/dateRange', 'Expected an object', value);
  const instant = (key: 'date_from' | 'date_to'): Date | null => {
    const v = value[key];
    if (v === undefined || v === null || v === '') return null;
    const parsed = typeof v === 'string' ? parseTimestamp(v, now) : null;
    if (!parsed) fail(`/dateRange/${key}`, `Invalid timestamp in ${key}`, v, 'VALIDATION_QUERY_SYNTAX', ['timestamp']);
    return parsed.date;
  };
  const bounds = { from: instant('date_from'), to: instant('date_to') };
  checkOrder(bounds, { path: '/dateRange' }, 'structured');
  return bounds;
}

/** `filterGroup` may also be a bare list of filters (PostHog's API and MCP tools send that): an AND group. */
function topGroup(ctx: PredicateContext, node: unknown, path: string): Expr | null {
  return Array.isArray(node) ? group(ctx, 'AND', node, path) : filterNode(ctx, node, path);
}

/** A group (`{type, values}`) or a single filter; empty groups impose nothing (PostHog's default). */
function filterNode(ctx: PredicateContext, node: unknown, path: string): Expr | null {
  if (!isObject(node)) fail(path, 'Expected a filter or a filter group object', node);
  if (!('values' in node)) return filter(ctx, node, path);
  if (node.type !== 'AND' && node.type !== 'OR') fail(`${path}/type`, "Group type must be 'AND' or 'OR'", node.type);
  if (!Array.isArray(node.values)) fail(`${path}/values`, 'Expected an array', node.values);
  return group(ctx, node.type, node.values, `${path}/values`);
}

function group(ctx: PredicateContext, type: 'AND' | 'OR', values: unknown[], path: string): Expr | null {
  const args = values
    .map((v, i) => filterNode(ctx, v, `${path}/${i}`))
    .filter((e): e is Expr => e !== null);
  if (args.length === 0) return null;
  return args.length === 1 ? args[0] : { op: type === 'AND' ? 'and' : 'or', args };
}

function filter(ctx: PredicateContext, node: Json, path: string): Expr {
  const { key, operator } = node;
  if (typeof key !== 'string' || key === '') fail(`${path}/key`, 'Expected a non-empty string key', key);
  if (typeof operator !== 'string' || !(operator in OPERATORS)) {
    fail(`${path}/operator`, `Unsupported operator '${String(operator)}'`, operator, 'VALIDATION_QUERY_SYNTAX', ['operator']);
  }
  const type = node.type ?? 'log';
  let field: FieldRef;
  if (typeof type === 'string' && LOG_TYPES.has(type)) field = resolveField(key, 'logs');
  else if (typeof type === 'string' && RESOURCE_TYPES.has(type)) field = { kind: 'resource', key, written: `resource.${key}` };
  else fail(`${path}/type`, `Unsupported filter type '${String(type)}'`, type);

  const op = OPERATORS[operator];
  if (op === 'is_set') return { op: 'is_not_null', field };
  if (op === 'is_not_set') return { op: 'is_null', field };
  const valuePath = `${path}/value`;
  const raw = node.value;
  let values: ValueIn[];
  if (Array.isArray(raw)) {
    if (raw.length === 0) fail(valuePath, 'Expected at least one value', raw, 'VALIDATION_QUERY_SYNTAX', ['value']);
    if (raw.length > 1 && op !== 'eq' && op !== 'neq') fail(valuePath, `'${operator}' takes exactly one value`, raw);
    values = raw.map((v, i) => literal(v, `${valuePath}/${i}`));
  } else {
    if (raw === undefined) fail(valuePath, `'${operator}' needs a value`, raw, 'VALIDATION_QUERY_SYNTAX', ['value']);
    values = [literal(raw, valuePath)];
  }
  return buildComparison(ctx, field, { path: `${path}/key` }, op, values);
}
