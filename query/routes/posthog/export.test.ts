// POST …/logs/export: CSV or NDJSON streamed page by page, bounded by maxExportableLogs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunks, type NextPage } from './export.js';
import { latestFirst, log, startPosthogTest, type LogItem, type PosthogTest } from '../../../test/helpers/posthog.js';

let p: PosthogTest;
let sent: LogItem[];

/** Past the bound: 10,050 logs over the last hour, one in fifty from billing, some with CSV's special characters. */
beforeAll(async () => {
  p = await startPosthogTest();
  sent = Array.from({ length: 10_050 }, (_, i) => log(p.now, 1 + i * 0.3, {
    message: i % 500 === 0 ? `line one, "quoted"\nline two ${i}` : `request ${i}`,
    properties: i % 50 === 0 ? { service: 'billing', n: i } : { n: i },
  }));
  await p.ingest(sent);
}, 120_000);
afterAll(() => p.t.close());

function exportRequest(body: unknown) {
  return fetch(`${p.url}/api/projects/${p.project}/logs/export/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${p.key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { record.push(field); field = ''; } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field); records.push(record); record = []; field = ''; i++;
    } else field += ch;
  }
  return records;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('export', () => {
  it('streams NDJSON rows, newest first, stopping at maxExportableLogs', async () => {
    const res = await exportRequest({ query: { dateRange: { date_from: '-1h' } }, format: 'ndjson' });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    expect(res.headers.get('content-disposition'))
      .toBe(`attachment; filename="logs-all-services-${day(p.now.getTime() - 3_600_000)}-to-${day(p.now.getTime())}.ndjson"`);
    // Streamed: no length is known up front.
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const lines = (await res.text()).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(10_000);
    const rows = lines.map((l) => JSON.parse(l));
    expect(rows.map((r) => r.uuid)).toEqual(latestFirst(sent).slice(0, 10_000).map((i) => i.id));
    expect(rows[0]).toMatchObject({ body: 'line one, "quoted"\nline two 0', attributes: { service: 'billing', n: '0' } });
  });

  it('streams CSV by default, with the filters and every special character intact', async () => {
    const res = await exportRequest({ query: { serviceNames: ['billing'], orderBy: 'earliest', limit: 5 } });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="logs-billing-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv"$/);
    const [header, ...records] = parseCsv(await res.text());
    expect(header).toEqual(['uuid', 'timestamp', 'observed_timestamp', 'severity_text', 'severity_number', 'body', 'trace_id',
      'span_id', 'trace_flags', 'event_name', 'attributes', 'resource_attributes']);
    // `limit` is a page size for query, not a bound for export: every billing log comes out.
    const billing = latestFirst(sent.filter((i) => i.properties!.service === 'billing')).reverse();
    expect(records.map((r) => r[0])).toEqual(billing.map((i) => i.id));
    const first = records[0];
    expect(first.slice(1, 6)).toEqual([billing[0].timestamp, expect.any(String), 'info', '9', billing[0].message]);
    expect(JSON.parse(first[10])).toMatchObject({ service: 'billing', n: String(billing[0].properties!.n) });
    expect(JSON.parse(first[11])).toEqual({ 'service.name': 'billing' });
    expect(records.filter((r) => r[5].includes('\n'))).toHaveLength(billing.filter((i) => i.message!.includes('\n')).length);
  });

  it('refuses a bad query or format before streaming anything', async () => {
    const bad = await exportRequest({ query: { severityLevels: ['loud'] } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatchObject({ type: 'VALIDATION_QUERY_SYNTAX', details: { path: '/severityLevels/0' } });
    const format = await exportRequest({ query: {}, format: 'xlsx' });
    expect([format.status, (await format.json()).error.details.path]).toEqual([400, '/format']);
  });
});

describe('chunks', () => {
  const page = (from: number, n: number, more: boolean) => ({
    results: Array.from({ length: n }, (_, i) => ({ uuid: `r${from + i}` })), hasMore: more, nextCursor: more ? `c${from + n}` : null,
  });

  it('reads the next page only when the previous one has been taken, and never past the bound', async () => {
    const asked: number[] = [];
    const next: NextPage = async (cursor, rows) => {
      asked.push(rows);
      return page(Number(cursor.slice(1)), rows, true);
    };
    const stream = chunks(page(0, 1000, true), next, 'ndjson');
    expect((await stream.next()).value.split('\n')).toHaveLength(1001);
    expect(asked).toEqual([]);
    let lines = 1000;
    for await (const chunk of stream) lines += chunk.split('\n').length - 1;
    expect(lines).toBe(10_000);
    expect(asked).toEqual(Array(9).fill(1000));
  });

  it('stops at the last page', async () => {
    const next: NextPage = async () => page(3, 2, false);
    const out: string[] = [];
    for await (const chunk of chunks(page(0, 3, true), next, 'csv')) out.push(chunk);
    expect(out).toHaveLength(3);
    expect(out[0].startsWith('uuid,timestamp,')).toBe(true);
  });
});
