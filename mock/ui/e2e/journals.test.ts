import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwin, type RunningTwin } from '../../app.ts';
import { uiDistDir } from '../serve.ts';
import { findChromium, launchChromium, newContext, type LaunchedBrowser } from './browser.ts';

/**
 * The dashboard's journals and webhook registration in Debian's Chromium (playwright-core, headless),
 * against a twin on free ports seeded with the demo profile. The tests act through the pages and
 * check the effect with plain HTTP calls, as a client of the twin would.
 */

const chromiumPath = findChromium();

interface JournalRow {
  id: number;
  vendor: string;
  path: string;
  requestHeaders?: Record<string, string>;
}

describe.skipIf(!chromiumPath)('the dashboard journals in Debian Chromium', () => {
  let twin: RunningTwin;
  let launched: LaunchedBrowser;
  let browser: Browser;
  let desktop: BrowserContext;
  let synqlyToken: string;
  let connxioId: string;
  const browserErrors: string[] = [];

  const url = (listener: 'synqly' | 'connxio' | 'custom', path: string) => twin.urls[listener] + path;

  async function openPage(target: string): Promise<Page> {
    const page = await desktop.newPage();
    page.on('pageerror', (err) => browserErrors.push(`${target}: ${err.message}`));
    await page.goto(target);
    await page.locator('main h1').first().waitFor();
    return page;
  }

  beforeAll(async () => {
    if (!existsSync(join(uiDistDir(), 'index.html'))) throw new Error('dist/ui is missing: run `npm run build` first (npm test does)');
    twin = await startTwin({ ports: { synqly: 0, connxio: 0, custom: 0 }, tenants: false });
    const seeded = await fetch(url('synqly', '/__admin/seed'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ profile: 'demo' }) });
    expect(seeded.status).toBe(201);
    const { tenants } = (await seeded.json()) as { tenants: Array<{ id: string; vendor: string; credentials: Record<string, any> }> };
    synqlyToken = tenants.find((t) => t.vendor === 'synqly')!.credentials.token;
    connxioId = tenants.find((t) => t.vendor === 'connxio')!.id;
    launched = await launchChromium(chromiumPath!);
    browser = launched.browser;
    desktop = await newContext(browser, 'desktop');
  });

  afterAll(async () => {
    await launched?.close();
    await twin?.stop();
    expect(browserErrors).toEqual([]);
  });

  it("hides the dashboard's own vendor calls from the request journal when asked", async () => {
    // the dashboard lists the demo organization's accounts; a plain client asks for one that does not exist
    const accounts = await openPage(url('synqly', '/__ui/synqly/demo/accounts'));
    await accounts.getByRole('table', { name: 'Accounts' }).waitFor();
    await accounts.close();
    expect((await fetch(url('synqly', '/v1/accounts/no-such-account'), { headers: { authorization: `Bearer ${synqlyToken}` } })).status).toBe(404);

    const journal = (await (await fetch(url('synqly', '/__admin/requests?vendor=synqly&limit=200'))).json()) as { requests: JournalRow[] };
    const byDashboard = journal.requests.filter((e) => e.requestHeaders?.['x-apitwin-client'] === 'dashboard');
    const byClient = journal.requests.filter((e) => e.requestHeaders?.['x-apitwin-client'] === undefined);
    expect(byDashboard.some((e) => e.path === '/v1/accounts')).toBe(true);
    expect(byClient.map((e) => e.path)).toEqual(['/v1/accounts/no-such-account']);

    const page = await openPage(url('synqly', '/__ui/requests?vendor=synqly&live=off'));
    const table = page.getByRole('table', { name: 'Requests, newest first' });
    await table.getByText('/v1/accounts/no-such-account').waitFor();
    const shownIds = async () => (await table.locator('tbody tr[data-row]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-row')))));
    expect(await shownIds()).toEqual(journal.requests.map((e) => e.id));

    await page.getByRole('checkbox', { name: "Hide the dashboard's own API calls" }).check();
    await expect.poll(shownIds).toEqual(byClient.map((e) => e.id));
    expect(page.url()).toContain('dashboard=hide');
    await page.getByRole('checkbox', { name: "Hide the dashboard's own API calls" }).uncheck();
    await expect.poll(shownIds).toEqual(journal.requests.map((e) => e.id));
    await page.close();
  });

  it('opens request details right under the row, not below the list', async () => {
    // enough entries that the list is long: 30 plain client calls
    for (let i = 0; i < 30; i++) expect((await fetch(url('synqly', `/v1/accounts/missing-${i}`), { headers: { authorization: `Bearer ${synqlyToken}` } })).status).toBe(404);
    const page = await openPage(url('synqly', '/__ui/requests?vendor=synqly&live=off'));
    const table = page.getByRole('table', { name: 'Requests, newest first' });
    await table.getByText('/v1/accounts/missing-29').waitFor();
    const target = table.locator('tbody tr[data-row]').filter({ hasText: '/v1/accounts/missing-20' });
    const id = await target.getAttribute('data-row');
    await target.getByRole('button', { name: /^Details of request/ }).click();
    const detail = page.getByTestId('entry-detail');
    await detail.waitFor();
    expect(await detail.getByRole('heading', { level: 3 }).innerText()).toBe(`Request ${id}: GET /v1/accounts/missing-20`);
    // the detail is the very next row of the table, drawn just below the row, and has the focus
    expect(await table.locator(`tbody tr[data-row="${id}"] + tr.row-detail [data-testid="entry-detail"]`).count()).toBe(1);
    const rowBox = (await target.boundingBox())!;
    const detailBox = (await detail.boundingBox())!;
    expect(detailBox.y).toBeGreaterThanOrEqual(rowBox.y + rowBox.height - 1);
    expect(detailBox.y).toBeLessThan(rowBox.y + rowBox.height + 40);
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('data-testid'))).toBe('entry-detail');
    // the same button closes it
    await target.getByRole('button', { name: /^Details of request/ }).click();
    await detail.waitFor({ state: 'detached' });
    await page.close();
  });
});
