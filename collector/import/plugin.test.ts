import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lakeIds } from '../../test/helpers/lake.js';
import { waitFor } from '../../test/helpers/ports.js';
import { startTestService, type TestService } from '../../test/helpers/service.js';

let t: TestService;
let key: string;
beforeAll(async () => {
  t = await startTestService();
  key = t.bootstrap.keys.goodlogs_secret;
});
afterAll(() => t.close());

const digest = (c: string) => c.repeat(64);
const log = (over: Record<string, unknown> = {}) => ({ id: randomUUID(), timestamp: '2026-11-30T10:00:00.000Z', severity: 'info', message: 'imported', ...over });

describe('the import routes (loglake import on the embedded bus)', () => {
  it('stores a batch once, counts the bad records as rejected, and keeps the ledger', async () => {
    const records = [log(), log({ severity: 'loud' }), log()];
    const body = { table: 'logs', project: 'default', batches: 2, index: 0, records };
    const first = await t.request('POST', `/v1/imports/${digest('c')}/batches`, { token: key, body });
    expect([first.statusCode, first.json()]).toEqual([200, { stored: 2, rejected: 1, errors: [{ index: 1, message: expect.stringMatching(/^severity: /) }], already: false }]);
    const again = await t.request('POST', `/v1/imports/${digest('c')}/batches`, { token: key, body });
    expect(again.json()).toMatchObject({ stored: 0, rejected: 0, already: true });

    const entry = await t.request('GET', `/v1/imports/${digest('c')}?table=logs`, { token: key });
    expect(entry.json()).toMatchObject({ digest: digest('c'), table: 'logs', project: 'default', batches: 2, acked: [0], records: 2, rejected: 1, done_at: null });
    expect((await t.request('GET', `/v1/imports/${digest('c')}?table=events`, { token: key })).statusCode).toBe(404);

    const ids = await waitFor('the batch in the lake', async () => {
      const found = await lakeIds(t.dataDir, 'default', 'logs');
      return found.rows >= 2 && found;
    });
    expect(Object.fromEntries(ids.ids)).toEqual({ [records[0].id]: 1, [records[2].id]: 1 });
  });

  it('refuses a record where the key may not write, and a project not the key’s', async () => {
    const { secret } = await t.meta.createKey({ org_id: t.bootstrap.org_id, project_id: 'default', family: 'goodlogs', kind: 'secret', scopes: ['ingest:write'], environments: ['staging'], region: 'eu', name: 'staging only' });
    const body = { table: 'logs', batches: 1, index: 0, records: [log({ environment: 'staging' }), log({ environment: 'production' })] };
    const refused = await t.request('POST', `/v1/imports/${digest('d')}/batches`, { token: secret, body });
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await t.request('GET', `/v1/imports/${digest('d')}?table=logs`, { token: secret })).statusCode).toBe(404);

    const elsewhere = await t.request('POST', `/v1/imports/${digest('d')}/batches`, { token: key, body: { ...body, project: 'other' } });
    expect([elsewhere.statusCode, elsewhere.json().error.message]).toEqual([403, 'This key belongs to project "default", not "other"']);
  });
});
