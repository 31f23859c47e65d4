import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './helpers/service.js';

let t: TestService;
beforeAll(async () => {
  t = await startTestService();
});
afterAll(() => t.close());

describe('an unknown route answers in the envelope of the surface that owns its path', () => {
  it('Logtrail: {error_code, message, request_id, details}', async () => {
    const res = await t.request('GET', '/api/v1/workspace/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error_code: 'NOT_FOUND', message: expect.stringContaining('/api/v1/workspace/nothing-here'), request_id: expect.any(String), details: {} });
  });

  it('PostHog-style: {error: {code, message}}', async () => {
    const res = await t.request('GET', '/api/projects/default/logs/nothing-here/');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });

  it.each(['/v1/nothing-here', '/v1/logs/nothing-here', '/api/orgs/x/nothing'])('GoodLogs and LogTrace (%s): {error: {code: NOT_FOUND, message}}', async (url) => {
    const res = await t.request('POST', url, { body: {} });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });
});
