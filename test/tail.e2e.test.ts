import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './helpers/service.js';

/**
 * The live-tail stream over real HTTP: who may open it (the dashboard's session rules), that it sends the
 * matching rows committed after it opened and nothing else (not before, not other projects, not other
 * filters), and how fast.
 */
describe('GET /api/orgs/:org/projects/:project/gql/tail', () => {
  let t: TestService;
  let base: string;
  let token: string;

  const tailUrl = (q: string, project = 'default', org = 'default') => `${base}/api/orgs/${org}/projects/${project}/gql/tail?q=${encodeURIComponent(q)}`;
  const ingest = async (key: string, batch: unknown[]) => {
    const res = await fetch(`${base}/v1/logs`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
    expect(res.status).toBe(202);
    return Date.now();
  };

  /** Reads SSE events until `until` says stop or the deadline passes. */
  async function events(res: Response, until: (seen: { type: string; data: any; at: number }[]) => boolean, ms = 5000) {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const seen: { type: string; data: any; at: number }[] = [];
    const deadline = setTimeout(() => void reader.cancel(), ms);
    let buffered = '';
    try {
      while (!until(seen)) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += value;
        let end;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type && data) seen.push({ type, data: JSON.parse(data), at: Date.now() });
        }
      }
    } finally {
      clearTimeout(deadline);
      await reader.cancel().catch(() => undefined);
    }
    return seen;
  }

  beforeAll(async () => {
    t = await startTestService();
    base = `http://127.0.0.1:${(t.http.server.address() as AddressInfo).port}`;
    token = (await t.request('POST', '/api/auth/login', { body: { email: t.bootstrap.admin.email, password: t.bootstrap.admin.password } })).json().token;
  });
  afterAll(() => t.close());

  it('streams only matching rows committed after it opened, within a second of their 202', async () => {
    const key = t.bootstrap.keys.goodlogs_secret;
    await ingest(key, [{ severity: 'error', message: 'before the stream', properties: { service: 'checkout' } }]);
    await new Promise((r) => setTimeout(r, 600));
    const res = await fetch(tailUrl('service:checkout severity:error'), { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    let accepted = 0;
    const seen = await events(res, (s) => {
      if (s.length === 1 && s[0].type === 'open' && !accepted) {
        void ingest(key, [
          { severity: 'error', message: 'first', properties: { service: 'checkout' } },
          { severity: 'info', message: 'wrong severity', properties: { service: 'checkout' } },
          { severity: 'error', message: 'wrong service', properties: { service: 'search' } },
        ]).then((at) => (accepted = at));
      }
      return s.filter((e) => e.type === 'row').length >= 1;
    });
    const rows = seen.filter((e) => e.type === 'row');
    expect(rows.map((r) => r.data.message)).toEqual(['first']);
    expect(rows[0].data).toMatchObject({ severity: 'error', service: 'checkout', properties: { service: 'checkout' } });
    expect(rows[0].at - accepted).toBeLessThan(1000);
  });

  it('does not send another project’s rows', async () => {
    const other = await t.meta.createProject('default', 'Other', 'unlimited', 'other');
    const { secret } = await t.meta.createKey({ org_id: 'default', project_id: other.id, family: 'goodlogs', kind: 'secret', scopes: ['ingest:write'], environments: null, region: 'eu', name: 'other' });
    const res = await fetch(tailUrl('service:elsewhere'), { headers: { authorization: `Bearer ${token}` } });
    let sent = false;
    const seen = await events(res, (s) => {
      if (s.length === 1 && !sent) {
        sent = true;
        void ingest(secret, [{ severity: 'info', message: 'not yours', properties: { service: 'elsewhere' } }]);
      }
      return false;
    }, 1500);
    expect(seen.filter((e) => e.type === 'row')).toEqual([]);
  });

  it('refuses what the dashboard routes refuse, and an aggregate', async () => {
    expect((await fetch(tailUrl(''))).status).toBe(401);
    expect((await fetch(tailUrl(''), { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
    expect((await fetch(tailUrl(''), { headers: { authorization: `Bearer ${t.bootstrap.keys.goodlogs_secret}` } })).status).toBe(401);
    const outsider = await t.signup('outsider@example.com');
    expect((await fetch(tailUrl('', 'default'), { headers: { authorization: `Bearer ${outsider.token}` } })).status).toBe(403);
    expect((await fetch(tailUrl('', 'nope'), { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    const aggregate = await fetch(tailUrl('count by service'), { headers: { authorization: `Bearer ${token}` } });
    expect(aggregate.status).toBe(400);
    expect((await aggregate.json()).error).toMatchObject({ code: 'VALIDATION_ERROR', type: 'VALIDATION_QUERY_SYNTAX' });
    const invalid = await fetch(tailUrl('severity:'), { headers: { authorization: `Bearer ${token}` } });
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).error.position).toBe(9);
  });

  it('ends open streams when the service stops, so that stopping waits for no client', async () => {
    const res = await fetch(tailUrl(''), { headers: { authorization: `Bearer ${token}` } });
    const reading = events(res, () => false, 20_000);
    const started = Date.now();
    await t.service.stop();
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await reading).map((e) => e.type)).toEqual(['open']);
  });
});
