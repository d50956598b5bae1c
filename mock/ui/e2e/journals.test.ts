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
  let connxio: { id: string; apiKey: string; clientId: string; clientSecret: string };
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
    const c = tenants.find((t) => t.vendor === 'connxio')!;
    connxio = { id: c.id, apiKey: c.credentials.api_key, clientId: c.credentials.oauth.client_id, clientSecret: c.credentials.oauth.client_secret };
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

  it('sends a test message to a Connxio integration from the message journal; the twin keeps it', async () => {
    const token = await fetch(url('connxio', '/oauth/token'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: connxio.clientId, client_secret: connxio.clientSecret, scope: 'api://connxio/.default' }),
    });
    const bearer = ((await token.json()) as { access_token: string }).access_token;
    const integrations = (await (await fetch(url('connxio', '/v2/integrations'), { headers: { authorization: `Bearer ${bearer}`, 'connxio-api-key': connxio.apiKey } })).json()) as Array<{
      id: string;
      inboundConnection?: { adapterType?: string };
    }>;
    const apiTriggered = integrations.filter((i) => (i.inboundConnection?.adapterType ?? '').toLowerCase() === 'api');
    expect(apiTriggered.length).toBeGreaterThan(0);
    const target = apiTriggered[apiTriggered.length - 1]!;

    const page = await openPage(url('connxio', '/__ui/messages?live=off'));
    const form = page.getByRole('form', { name: 'Send a test message' });
    await form.getByLabel('Company to send as').selectOption({ label: 'demo' });
    const integration = form.getByLabel('Integration to send to');
    await integration.locator(`option[value="${target.id}"]`).waitFor({ state: 'attached' });
    await integration.selectOption(target.id);
    await form.getByLabel('Message body').fill('{"order":"e2e-test-message-1"}');
    await form.getByRole('button', { name: 'Send test message' }).click();
    await page.getByRole('table', { name: 'Messages, newest first' }).getByText('e2e-test-message-1').waitFor();

    const kept = (await (await fetch(url('connxio', `/__admin/connxio/messages?companyId=${connxio.id}&integrationId=${target.id}`))).json()) as {
      messages: Array<{ integrationId: string; channel: string; body: string; contentType?: string }>;
    };
    expect(kept.messages.filter((m) => m.body === '{"order":"e2e-test-message-1"}').map((m) => [m.integrationId, m.channel, m.contentType])).toEqual([[target.id, 'message', 'application/json']]);
    await page.close();
  });

  it('registers a Synqly organization webhook in the UI; the twin delivers to it; deleted in the UI, it is gone', async () => {
    const { createServer } = await import('node:http');
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => (received.push(body), res.writeHead(204).end()));
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`;
    const synqlyHeaders = { authorization: `Bearer ${synqlyToken}`, 'content-type': 'application/json' };
    try {
      const page = await openPage(url('synqly', '/__ui/webhook-deliveries?live=off'));
      const form = page.getByRole('form', { name: 'Register a webhook' });
      await form.getByLabel('Webhook name').fill('e2e-ui-hook');
      await form.getByLabel('Delivery URL').fill(hookUrl);
      await form.getByLabel('Signing secret').fill('e2e-ui-webhook-secret');
      await form.getByRole('checkbox', { name: 'all', exact: true }).uncheck();
      await form.getByRole('checkbox', { name: 'account_create', exact: true }).check();
      await form.getByRole('button', { name: 'Register webhook' }).click();
      const table = page.getByRole('table', { name: 'Organization webhooks' });
      await table.getByText('e2e-ui-hook').waitFor();

      const listed = (await (await fetch(url('synqly', '/v1/organization/webhooks'), { headers: synqlyHeaders })).json()) as { result: Array<{ name: string; url: string; filters: string[]; environment: string }> };
      expect(listed.result.filter((h) => h.name === 'e2e-ui-hook').map((h) => [h.url, h.filters, h.environment])).toEqual([[hookUrl, ['account_create'], 'test']]);
      expect(await page.content()).not.toContain('e2e-ui-webhook-secret');

      expect((await fetch(url('synqly', '/v1/accounts'), { method: 'POST', headers: synqlyHeaders, body: JSON.stringify({ fullname: 'Hooked Corp', environment: 'test' }) })).status).toBe(200);
      await expect.poll(() => received.some((b) => b.includes('account_create')), { timeout: 10_000 }).toBe(true);

      await table.getByRole('button', { name: 'Delete webhook e2e-ui-hook' }).click();
      await page.getByRole('dialog').getByRole('button', { name: /^Delete/ }).click();
      await table.getByText('e2e-ui-hook').waitFor({ state: 'detached' });
      const after = (await (await fetch(url('synqly', '/v1/organization/webhooks'), { headers: synqlyHeaders })).json()) as { result: Array<{ name: string }> };
      expect(after.result.map((h) => h.name)).not.toContain('e2e-ui-hook');
      await page.close();
    } finally {
      receiver.close();
    }
  });
});
