// One Logtrail search request (the `GET /logs` filters, the `POST /logs/query` body) as one LCQL query.
import { validate as isUuid } from 'uuid';
import { z } from 'zod';
import { ApiError } from '../../../core/errors.js';
import { ENVIRONMENTS } from '../../../core/records.js';
import { allowsEnvironment } from '../../../server/key-grants.js';
import type { ApiKey } from '../../../storage/meta/store.js';
import { parseQuery, QueryError, quoteString, severityRank, type Expr, type Query } from '../../language/index.js';

const text = z.string().optional();
/** A CSV string, or the same values repeated (`?tags=a&tags=b`) or as a JSON array. */
const list = z.union([z.string(), z.array(z.string())]).optional();

/**
 * SearchLogsRequest (`query`, `from`, `to`, `action`, `pageSize`, `cursorID`, `cursorTS`) and the filters of
 * `GET /logs` (`message`, `environments`, `levels`, `tags`), accepted by both routes and all AND-ed. Unknown
 * members are refused: a misspelt filter (`level=` for `levels=`) would otherwise widen the answer silently.
 */
export const searchRequest = z.strictObject({
  query: text,
  from: text,
  to: text,
  action: text,
  message: text,
  environments: list,
  levels: list,
  tags: list,
  pageSize: z.union([z.number(), z.string()]).optional(),
  cursorID: text,
  cursorTS: text,
});

export type SearchRequest = z.infer<typeof searchRequest>;

function items(value: string | string[] | undefined): string[] {
  const all = value === undefined ? [] : (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(','));
  return all.map((v) => v.trim()).filter(Boolean);
}

const refused = (field: string, message: string, code = 'VALIDATION_FAILED') => new ApiError(400, code, message, { field });

function environmentsOf(req: SearchRequest, key: ApiKey): string[] {
  return items(req.environments).map((env) => {
    const name = env.toLowerCase();
    if (!(ENVIRONMENTS as readonly string[]).includes(name)) {
      throw refused('environments', `Unknown environment '${env}': use ${ENVIRONMENTS.join(', ')}`, 'VALIDATION_INVALID_ENVIRONMENT');
    }
    if (!allowsEnvironment(key, name)) {
      throw refused('environments', `'${name}' is outside this API key's environments (${key.environments!.join(', ')})`, 'VALIDATION_INVALID_ENVIRONMENT');
    }
    return name;
  });
}

function levelsOf(req: SearchRequest): string[] {
  const levels = items(req.levels);
  const unknown = levels.find((l) => severityRank(l) === 0);
  if (unknown !== undefined) throw refused('levels', `Unknown level '${unknown}': use trace, debug, info, warn, error, fatal`);
  return levels;
}

/**
 * The filters as LCQL terms, every value in the language's own quoting: `action`/`message` are fuzzy
 * (`~`, case-insensitive contains with `*` wildcards, as LCQL's `action~"login*"`), the lists are
 * value groups (`level="error","warn"`). So `GET /logs?levels=error&action=login` answers exactly
 * what `level="error" action~"login"` does.
 */
export function filterTerms(req: SearchRequest, key: ApiKey): string {
  const terms: string[] = [];
  const group = (field: string, values: string[]) => {
    if (values.length) terms.push(`${field}=${values.map(quoteString).join(',')}`);
  };
  if (req.action) terms.push(`action~${quoteString(req.action)}`);
  if (req.message) terms.push(`message~${quoteString(req.message)}`);
  group('environment', environmentsOf(req, key));
  group('level', levelsOf(req));
  group('tags', items(req.tags));
  return terms.join(' ');
}

function both(a: Expr | null, b: Expr | null): Expr | null {
  if (!a || !b) return a ?? b;
  const args = (e: Expr) => (e.op === 'and' ? e.args : [e]);
  return { op: 'and', args: [...args(a), ...args(b)] };
}

/**
 * The request as one LCQL query. The `query` text is parsed on its own, so its error positions are
 * offsets in what the client wrote; the filter terms are parsed apart and AND-ed in. They hold no
 * `timestamp` comparison, so the window resolved for `query` (section 11) still holds.
 */
export function searchQuery(req: SearchRequest, key: ApiKey, now: Date): Query {
  if (req.cursorID !== undefined && !isUuid(req.cursorID)) {
    throw new QueryError('VALIDATION_QUERY_SYNTAX', "'cursorID' must be a UUID (the X-Next-Cursor-ID of the previous page)", {
      expected: ['value'], details: { dialect: 'lcql', param: 'cursorID', path: '/cursorID', found: req.cursorID },
    });
  }
  const { from, to, pageSize, cursorTS, cursorID } = req;
  const query = parseQuery({ dialect: 'lcql', text: req.query ?? '', params: { from, to, pageSize, cursorTS, cursorID: cursorID?.toLowerCase() }, now });
  const terms = filterTerms(req, key);
  if (!terms) return query;
  return { ...query, filter: both(query.filter, parseQuery({ dialect: 'lcql', text: terms, now }).filter) };
}
