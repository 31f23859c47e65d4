// `POST …/logs/export`: the rows of a query, streamed as CSV (PostHog's export format, the default) or
// NDJSON, at most MAX_EXPORTABLE_LOGS of them. Pages are read one after another through the same search
// path as `query`, keyset-paginated, so memory holds one page whatever the export's size.
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Query, RequestParams, Row, StructuredBody } from '../../language/index.js';
import type { QueryRouteDeps } from '../goodlogs.js';
import { scopeOf } from '../../execute.js';
import { afterCursor, choiceMember, queryMember, type Json } from './request.js';
import { MAX_EXPORTABLE_LOGS, searchPage } from './search.js';

const PAGE_ROWS = 1000;

// PostHog's own column order, which is neither the file's nor the search row's; export-columns.test.ts holds it to PostHog's row.
export const CSV_COLUMNS = ['uuid', 'timestamp', 'observed_timestamp', 'severity_text', 'severity_number', 'body', 'trace_id',
  'span_id', 'trace_flags', 'event_name', 'attributes', 'resource_attributes'] as const;

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const FORMATS = {
  csv: { type: 'text/csv; charset=utf-8', header: `${CSV_COLUMNS.join(',')}\r\n`, line: (r: Row) => `${CSV_COLUMNS.map((c) => csvCell(r[c])).join(',')}\r\n` },
  ndjson: { type: 'application/x-ndjson', header: '', line: (r: Row) => `${JSON.stringify(r)}\n` },
} as const;
type Format = keyof typeof FORMATS;

export type NextPage = (cursor: string, rows: number) => Promise<StructuredBody>;

/** One chunk per page; stops at the bound, at the last page, or when the client goes away. */
export async function* chunks(first: StructuredBody, next: NextPage, format: Format): AsyncGenerator<string> {
  const { header, line } = FORMATS[format];
  if (header) yield header;
  let page = first;
  let sent = 0;
  for (;;) {
    const rows = page.results.slice(0, MAX_EXPORTABLE_LOGS - sent);
    if (rows.length) yield rows.map(line).join('');
    sent += rows.length;
    if (!page.hasMore || !page.nextCursor || sent >= MAX_EXPORTABLE_LOGS) return;
    page = await next(page.nextCursor, Math.min(PAGE_ROWS, MAX_EXPORTABLE_LOGS - sent));
  }
}

/** PostHog's export file name: `logs-<service or all-services>-<dates>`, from the resolved window. */
function filename(query: Json, parsed: Query): string {
  const services = Array.isArray(query.serviceNames) ? query.serviceNames : [];
  const service = services.length === 1 ? String(services[0]).replace(/[^a-zA-Z0-9_-]/g, '-').slice(0, 50)
    : services.length > 1 ? `${services.length}-services` : 'all-services';
  const day = (d: Date | null) => d?.toISOString().slice(0, 10);
  const from = day(parsed.time.from);
  const to = day(parsed.time.to);
  return `logs-${service}-${from && to ? `${from}-to-${to}` : from ? `from-${from}` : `until-${to ?? 'now'}`}`;
}

export function exportRoute(deps: QueryRouteDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const body = request.body as Json | undefined;
    const query = queryMember(body, true);
    const format = choiceMember(body ?? {}, 'format', ['csv', 'ndjson'] as const) ?? 'csv';
    const scope = scopeOf(request.apiKey!);
    // One clock for every page, so a relative window does not move while the export runs.
    const now = deps.now();
    // PostHog exports the whole window whatever the query's page size; `limit` here is the page.
    const page = (params: RequestParams, rows: number) => searchPage(deps, scope, { ...query, limit: rows }, params, now);
    // The first page is read before any byte is sent, so a bad query is still a 400 with its error object.
    const first = await page(afterCursor(query.after), Math.min(PAGE_ROWS, MAX_EXPORTABLE_LOGS));
    const next: NextPage = async (cursor, rows) => (await page(afterCursor(cursor), rows)).body;
    return reply
      .code(201)
      .header('content-type', FORMATS[format].type)
      .header('content-disposition', `attachment; filename="${filename(query, first.query)}.${format}"`)
      .send(Readable.from(chunks(first.body, next, format)));
  };
}
