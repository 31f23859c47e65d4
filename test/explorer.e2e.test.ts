import { mkdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium } from './helpers/browser.js';
import { waitFor } from './helpers/ports.js';
import { startTestService, type TestService } from './helpers/service.js';

/**
 * The explorer in a real headless Chromium against the running service: every step drives the page as a
 * person would (type, press Enter, click, scroll) and checks what it shows against what was ingested.
 * Screenshots go to EXPLORER_SCREENSHOTS (default: a temp folder); docs/explorer.png is one of them.
 */
const SHOTS = process.env.EXPLORER_SCREENSHOTS ?? join(tmpdir(), 'loglake-explorer-shots');
if (!haveChromium) console.warn('explorer e2e: skipped, no Chromium at /usr/bin/chromium (.ci/run installs Debian\'s chromium)');

const INFO = 150;
const WARN = 7;
const ERRORS = 3;

describe.skipIf(!haveChromium)('the explorer in Chromium', () => {
  let t: TestService;
  let base: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const problems: string[] = [];

  const ingest = async (batch: unknown[]) => {
    const res = await fetch(`${base}/v1/logs`, {
      method: 'POST', headers: { authorization: `Bearer ${t.bootstrap.keys.goodlogs_secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ batch }),
    });
    expect(res.status).toBe(202);
  };
  const search = async (q: string) => {
    await page.getByTestId('query-input').fill(q);
    await page.getByTestId('query-input').press('Escape');
    await page.getByTestId('run-query').click();
    await expect.poll(() => page.locator('#app').getAttribute('data-search')).toBe('done');
  };
  const rows = () => page.getByTestId('result-row');

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    t = await startTestService();
    base = `http://127.0.0.1:${(t.http.server.address() as AddressInfo).port}`;
    // Spread over the last hour, so that the histogram has a shape to draw.
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    await ingest([
      ...Array.from({ length: INFO }, (_, i) => ({ timestamp: ago(((i * 37) % 55) + 1), severity: 'info', message: `GET /api/items/${i} 200`, properties: { service: 'api', route: '/api/items', duration_ms: 10 + i } })),
      ...Array.from({ length: WARN }, (_, i) => ({ timestamp: ago(5 + i * 3), severity: 'warn', message: `retrying charge ${i}`, properties: { service: 'billing', orderId: `ord_w${i}` } })),
      ...Array.from({ length: ERRORS }, (_, i) => ({ timestamp: ago(2 + i * 4), severity: 'error', message: 'Payment failed: card_declined', properties: { service: 'billing', orderId: `ord_e${i}`, amount: 29 } })),
    ]);
    await waitFor('the ingested logs to be queryable', async () => {
      const res = await t.request('POST', '/v1/gql/query', { token: t.bootstrap.keys.goodlogs_secret, body: { q: 'count | last 1h' } });
      return res.json().data?.results?.[0]?.value === INFO + WARN + ERRORS;
    });
    browser = await launchChromium();
    page = await browser.context.newPage();
    // The 400s of the invalid queries above are expected; any other error (a CSP refusal, say) is not.
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().includes('status of 400')) problems.push(m.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('serves the page at / with a CSP that allows no inline script', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/\son\w+=/);
  });

  it('signs in with the bootstrap admin and keeps the token out of the URL', async () => {
    await page.goto(`${base}/`);
    await page.getByTestId('login-email').fill(t.bootstrap.admin.email);
    await page.getByTestId('login-password').fill(t.bootstrap.admin.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('query-input').waitFor();
    await page.getByTestId('histogram').waitFor();
    expect(page.url()).not.toContain('eyJ');
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(page.url()).toContain('project=default');
  });

  it('loads its own assets only, under 300 KB gzipped', async () => {
    const urls = await page.evaluate(() => [location.href, ...performance.getEntriesByType('resource').map((e) => e.name)]);
    const assets = [...new Set(urls.map((u) => new URL(u)).filter((u) => u.pathname === '/' || u.pathname.startsWith('/web/')).map((u) => u.pathname))];
    expect(urls.every((u) => new URL(u).origin === base)).toBe(true);
    expect(assets).toEqual(expect.arrayContaining(['/', '/web/app.js', '/web/vendor/uplot.js', '/web/style.css']));
    let gzipped = 0;
    for (const path of assets) {
      const res = await fetch(`${base}${path}`);
      expect(res.headers.get('content-security-policy'), path).toContain("script-src 'self'");
      gzipped += gzipSync(Buffer.from(await res.arrayBuffer())).length;
    }
    expect(gzipped).toBeLessThan(300 * 1024);
  });

  it('searches: the histogram totals every match, the table pages on through the cursor', async () => {
    await search('');
    await expect.poll(() => page.getByTestId('histogram').getAttribute('data-total')).toBe(String(INFO + WARN + ERRORS));
    expect(await page.locator('[data-testid="histogram"] canvas').count()).toBe(1);
    await expect.poll(() => rows().count()).toBe(100);
    // The page's own work after the API answered (100 rows and the histogram), the best of three runs,
    // so that another process hogging the two cores for a moment does not decide it.
    const drawn: number[] = [];
    for (let i = 0; i < 3; i++) {
      if (i > 0) await search('');
      drawn.push(Number(await page.locator('#app').getAttribute('data-render-ms')));
    }
    console.log(`explorer e2e: a search drew in ${drawn.join(', ')} ms after the API answered`);
    expect(Math.min(...drawn)).toBeLessThan(300);
    // Hovering a bar shows its counts in the legend.
    const box = (await page.locator('[data-testid="histogram"] .u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height - 4);
    await expect.poll(async () => (await page.locator('[data-testid="histogram"] .u-legend .u-value').allTextContents()).slice(1).reduce((s, v) => s + Number(v || 0), 0)).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'explorer.png') });
    // The table's end scrolling into view loads the next page, twice if need be, until the end.
    await expect.poll(async () => {
      await page.getByTestId('results').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
      return rows().count();
    }, { timeout: 10_000 }).toBe(INFO + WARN + ERRORS);
    await expect.poll(() => page.locator('.results .status').first().textContent()).toBe('End of results');
    const ids = await rows().evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('zooms into the range dragged across the histogram', async () => {
    const box = (await page.locator('[data-testid="histogram"] .u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => new URL(page.url()).searchParams.get('from')).not.toBeNull();
    const url = new URL(page.url()).searchParams;
    const span = Date.parse(url.get('to')!) - Date.parse(url.get('from')!);
    expect(span).toBeGreaterThan(20 * 60_000);
    expect(span).toBeLessThan(28 * 60_000);
    await expect.poll(async () => Number(await page.getByTestId('histogram').getAttribute('data-total'))).toBeLessThan(INFO + WARN + ERRORS);
    expect(Number(await page.getByTestId('histogram').getAttribute('data-total'))).toBeGreaterThan(0);
    expect(await page.getByTestId('time-range').inputValue()).toBe('absolute');
  });

  it('suggests fields as one types, and shows a query error at its position', async () => {
    const input = page.getByTestId('query-input');
    await input.fill('');
    await input.pressSequentially('sev');
    await expect.poll(() => page.getByTestId('suggestion').allTextContents()).toContainEqual(expect.stringContaining('severity'));
    await input.fill('service:billing severity:');
    await input.press('Escape');
    await input.press('Enter');
    const error = page.getByTestId('query-error');
    await error.waitFor();
    // The error stays in view: no suggestion list opens over it.
    await page.waitForTimeout(300);
    expect(await page.locator('#suggestions').isHidden()).toBe(true);
    expect(await error.locator('.message').textContent()).toBe("Expected a value after ':' at the end of the query");
    // The marked part starts where the engine says: after the text the user typed, at its end.
    expect(await error.locator('pre').evaluate((pre) => pre.firstChild?.textContent)).toBe('service:billing severity:');
    await page.screenshot({ path: join(SHOTS, 'query-error.png') });
    // Inside the text, the mark covers the token the engine names.
    await input.fill('service:billing | count by | top 5');
    await input.press('Escape');
    await input.press('Enter');
    await expect.poll(() => error.locator('mark').textContent()).toBe('|');
    expect(await error.locator('.message').textContent()).toContain('at position 27');
  });

  it('keeps the query and range in the URL, so a reload runs the same search', async () => {
    await page.getByTestId('time-range').selectOption('4h');
    await search('service:billing');
    await expect.poll(() => rows().count()).toBe(WARN + ERRORS);
    expect(new URL(page.url()).searchParams.get('q')).toBe('service:billing');
    expect(new URL(page.url()).searchParams.get('range')).toBe('4h');
    await page.reload();
    await expect.poll(() => rows().count()).toBe(WARN + ERRORS);
    expect(await page.getByTestId('query-input').inputValue()).toBe('service:billing');
    expect(await page.getByTestId('time-range').inputValue()).toBe('4h');
  });

  it('expands a row to every field and filters for one of its values', async () => {
    const row = rows().filter({ hasText: 'Payment failed' }).first();
    await row.click();
    const expanded = page.getByTestId('result-row-expanded');
    await expanded.waitFor();
    expect(await expanded.textContent()).toContain('properties.orderId');
    const severity = expanded.locator('.field').filter({ has: page.locator('dt', { hasText: /^severity$/ }) });
    await severity.getByTestId('filter-for').click();
    await expect.poll(() => page.getByTestId('query-input').inputValue()).toBe('service:billing severity:error');
    await expect.poll(() => rows().count()).toBe(ERRORS);
    await expect.poll(() => page.getByTestId('histogram').getAttribute('data-total')).toBe(String(ERRORS));
    // The keyboard does the same as the mouse: Enter on a focused row toggles it.
    await rows().first().focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('result-row-expanded').count()).toBe(1);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('result-row-expanded').count()).toBe(0);
    // And the opposite: excluding that value leaves the warnings.
    await rows().first().click();
    await page.getByTestId('result-row-expanded').locator('.field').filter({ has: page.locator('dt', { hasText: /^severity$/ }) }).getByTestId('filter-out').click();
    await expect.poll(() => page.getByTestId('query-input').inputValue()).toBe('service:billing severity:error severity!=error');
    await expect.poll(() => page.locator('.results .status').first().textContent()).toBe('No matching rows');
  });

  it('draws an aggregate as a table and a bar chart, and a timeslice as a line chart', async () => {
    await search('count by service');
    const table = page.getByTestId('aggregate-table');
    await expect.poll(() => page.getByTestId('aggregate-row').count()).toBe(2);
    expect(await table.textContent()).toContain('api');
    expect(await page.getByTestId('aggregate-chart').getAttribute('data-kind')).toBe('bar');
    expect(await page.locator('[data-testid="aggregate-chart"] canvas').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'aggregate.png') });
    await search('count by severity | timeslice 5m');
    await expect.poll(() => page.getByTestId('aggregate-chart').getAttribute('data-kind')).toBe('line');
  });

  it('live tail shows a log ingested after the toggle within 2 s of its 202', async () => {
    await search('service:tailsvc');
    await expect.poll(() => page.locator('.results .status').first().textContent()).toBe('No matching rows');
    await page.getByTestId('live-tail-toggle').click();
    await expect.poll(() => page.getByTestId('live-tail-toggle').getAttribute('data-state')).toBe('open');
    await ingest([{ severity: 'warn', message: 'tail me', properties: { service: 'tailsvc' } }, { severity: 'info', message: 'not me', properties: { service: 'other' } }]);
    const accepted = Date.now();
    await rows().filter({ hasText: 'tail me' }).waitFor({ timeout: 2000 });
    const latency = Date.now() - accepted;
    console.log(`explorer e2e: live tail showed the row ${latency} ms after its 202`);
    expect(latency).toBeLessThan(2000);
    expect(await rows().count()).toBe(1);
    await page.getByTestId('live-tail-toggle').click();
    expect(await page.getByTestId('live-tail-toggle').getAttribute('aria-pressed')).toBe('false');
  });

  it('holds live rows while the reader is scrolled down, and shows them at the top on return', async () => {
    await search('');
    await expect.poll(() => rows().count()).toBe(100);
    await page.getByTestId('results').evaluate((el) => el.scrollTo({ top: 400 }));
    await page.getByTestId('live-tail-toggle').click();
    await expect.poll(() => page.getByTestId('live-tail-toggle').getAttribute('data-state')).toBe('open');
    await ingest([{ severity: 'info', message: 'held while scrolled', properties: { service: 'api' } }]);
    const pending = page.getByTestId('live-tail-pending');
    await expect.poll(() => pending.textContent(), { timeout: 2000 }).toBe('1 new — back to top');
    expect(await rows().filter({ hasText: 'held while scrolled' }).count()).toBe(0);
    await pending.click();
    await expect.poll(() => rows().first().textContent()).toContain('held while scrolled');
    expect(await pending.isHidden()).toBe(true);
    await page.getByTestId('live-tail-toggle').click();
  });

  it('lists services with volume and error rate, and clicks through to a search', async () => {
    await page.getByTestId('nav-services').click();
    const table = page.getByTestId('services-table');
    await table.waitFor();
    const billing = page.getByTestId('service-row').filter({ hasText: 'billing' });
    expect(await billing.textContent()).toContain('30.0%');
    expect(await billing.locator('svg polyline').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'services.png') });
    await billing.getByRole('button').click();
    await expect.poll(() => page.getByTestId('query-input').inputValue()).toBe('service:billing');
    await expect.poll(() => rows().count()).toBe(WARN + ERRORS);
  });

  it('lists the patterns of the search\'s logs, and clicks through to a pattern\'s logs', async () => {
    // The search is still service:billing: its patterns only.
    await page.getByTestId('nav-patterns').click();
    await page.getByTestId('patterns-table').waitFor();
    const patterns = page.getByTestId('pattern-row');
    expect(await patterns.count()).toBe(2);
    expect(await patterns.nth(0).textContent()).toMatch(/^retrying charge <\*>7.*retrying charge \d$/);
    expect(await patterns.nth(1).textContent()).toContain('Payment failed: card_declined3');
    await page.screenshot({ path: join(SHOTS, 'patterns.png') });
    await patterns.nth(0).getByRole('button').click();
    await expect.poll(() => page.getByTestId('query-input').inputValue()).toMatch(/^pattern_id:[0-9a-f]{16}$/);
    await expect.poll(() => rows().count()).toBe(WARN);
  });

  it('creates an alert from the current query and lists it', async () => {
    await search('service:billing severity:error');
    await expect.poll(() => rows().count()).toBe(ERRORS);
    await page.getByTestId('create-alert').click();
    await page.getByTestId('alert-name').fill('Billing errors');
    await page.getByTestId('alert-threshold').fill('2');
    await page.getByTestId('alert-submit').click();
    const row = page.getByTestId('alert-row').filter({ hasText: 'Billing errors' });
    await row.waitFor();
    expect(await row.textContent()).toContain('not_firing');
    await page.screenshot({ path: join(SHOTS, 'alerts.png') });
    const stored = await t.request('GET', '/api/projects/default/logs/alerts/', { token: t.bootstrap.keys.posthog_personal });
    const rule = stored.json().results.find((r: any) => r.name === 'Billing errors');
    expect(rule.threshold_count).toBe(2);
    expect(rule.filters.filterGroup.values).toEqual([
      { key: 'service', operator: 'exact', value: 'billing', type: 'log' },
      { key: 'severity', operator: 'exact', value: 'error', type: 'log' },
    ]);
  });

  it('switches to events and browses the schema', async () => {
    await ingest([]).catch(() => undefined);
    const res = await fetch(`${base}/v1/events`, {
      method: 'POST', headers: { authorization: `Bearer ${t.bootstrap.keys.goodlogs_secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ batch: [{ event: 'signup', distinctId: 'u1', properties: { plan: 'pro' } }, { event: 'signup', distinctId: 'u2', properties: { plan: 'free' } }, { event: 'purchase', distinctId: 'u1' }] }),
    });
    expect(res.status).toBe(202);
    await page.getByTestId('nav-search').click();
    await page.getByTestId('source-select').selectOption('events');
    await expect.poll(async () => {
      await search('count by event');
      return page.getByTestId('aggregate-row').count();
    }, { timeout: 10_000 }).toBe(2);
    expect(await page.getByTestId('aggregate-table').textContent()).toContain('signup');
    await page.getByRole('button', { name: 'distinct users' }).click();
    await expect.poll(() => page.getByTestId('aggregate-table').locator('td').allTextContents()).toEqual(['2']);
    await search('');
    await expect.poll(() => page.getByTestId('histogram').getAttribute('data-total')).toBe('3');
    expect(await rows().count()).toBe(3);
    await page.getByTestId('nav-schema').click();
    await expect.poll(() => page.getByTestId('schema-table').first().textContent(), { timeout: 10_000 }).toContain('plan');
    await page.getByTestId('source-select').selectOption('logs');
  });

  it('saves the current search as a view and reopens its query', async (ctx) => {
    const probe = await t.request('GET', '/api/environments/default/logs/views/', { token: t.bootstrap.keys.posthog_personal });
    if (probe.statusCode === 404) {
      console.warn('explorer e2e: saved views skipped, the views API (/api/environments/:project_id/logs/views/) is not on this build');
      ctx.skip();
    }
    await page.getByTestId('nav-search').click();
    await search('service:api duration_ms>100');
    await page.getByTestId('save-view').click();
    await page.getByTestId('view-name').fill('Slow API calls');
    await page.getByTestId('view-submit').click();
    await page.getByTestId('views-list').waitFor();
    await page.getByTestId('query-input').evaluate((el) => ((el as HTMLInputElement).value = ''));
    await page.getByTestId('open-view').filter({ hasText: 'Slow API calls' }).click();
    await expect.poll(() => page.getByTestId('query-input').inputValue()).toBe('service:api duration_ms>100');
    await expect.poll(() => rows().count()).toBe(INFO - 91);
  });

  it('signs out: the token is gone and the page asks to sign in again', async () => {
    await page.getByTestId('sign-out').click();
    await page.getByTestId('login-email').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.goto(`${base}/?org=default&project=default&q=severity%3Aerror`);
    await page.getByTestId('login-email').waitFor();
  });

  it('logged no errors and no CSP violations in the page', () => {
    expect(problems).toEqual([]);
  });
});
