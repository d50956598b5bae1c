import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwin, type RunningTwin } from '../../app.ts';
import { packageRoot } from '../../core/spec.ts';
import { uiDistDir } from '../serve.ts';
import { findChromium, launchChromium, newContext, VIEWPORTS, type LaunchedBrowser } from './browser.ts';

/**
 * The dashboard in Debian's Chromium (playwright-core, headless), against a twin started on free
 * ports and seeded with the demo profile. Everything the tests do goes through the pages; the
 * tests then check the effect with plain HTTP calls, as a client of the twin would make them.
 * Screenshots of every page, at 1280×800 and 390×844, go to reports/screenshots/.
 */

// the callbacks given to page.evaluate run in Chromium, where these exist
declare const document: any, window: any, navigator: any;
type Element = any;
type HTMLInputElement = any;

const chromiumPath = findChromium();
if (!chromiumPath) {
  console.warn(
    '\n[ui] SKIPPED: the dashboard browser tests need Debian\'s Chromium and found no chromium binary. ' +
      'Install it with `apt-get update && apt-get install -y chromium` (.ci/run does), or set APITWIN_CHROMIUM.\n',
  );
}

const SHOTS = join(packageRoot(), 'reports', 'screenshots');

interface Demo {
  synqly: { id: string; token: string; refreshTokenId: string };
  connxio: { id: string; apiKey: string; clientId: string; clientSecret: string; subscriptions: Array<{ id: string; name: string }> };
}

describe.skipIf(!chromiumPath)('the dashboard (/__ui) in Debian Chromium', () => {
  let twin: RunningTwin;
  let launched: LaunchedBrowser;
  let browser: Browser;
  let desktop: BrowserContext;
  let demo: Demo;
  const browserErrors: string[] = [];

  const url = (listener: 'synqly' | 'connxio' | 'custom', path: string) => twin.urls[listener] + path;

  async function json<T>(res: Response): Promise<T> {
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async function connxioBearer(): Promise<string> {
    const res = await fetch(url('connxio', '/oauth/token'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: demo.connxio.clientId, client_secret: demo.connxio.clientSecret, scope: 'api://connxio/.default' }),
    });
    expect(res.status).toBe(200);
    return (await json<{ access_token: string }>(res)).access_token;
  }

  async function openPage(context: BrowserContext, target: string): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (err) => browserErrors.push(`${target}: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/status of 40[14]|status of 50[13]/.test(msg.text())) browserErrors.push(`${target}: ${msg.text()}`);
    });
    await page.goto(target);
    await page.locator('main h1').first().waitFor();
    return page;
  }

  beforeAll(async () => {
    if (!existsSync(join(uiDistDir(), 'index.html'))) throw new Error('dist/ui is missing: run `npm run build` first (npm test does)');
    mkdirSync(SHOTS, { recursive: true });
    twin = await startTwin({ ports: { synqly: 0, connxio: 0, custom: 0 }, tenants: false });
    const seeded = await fetch(url('synqly', '/__admin/seed'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ profile: 'demo' }) });
    expect(seeded.status).toBe(201);
    const { tenants } = await json<{ tenants: Array<{ id: string; vendor: string; credentials: Record<string, any> }> }>(seeded);
    const s = tenants.find((t) => t.vendor === 'synqly')!;
    const c = tenants.find((t) => t.vendor === 'connxio')!;
    demo = {
      synqly: { id: s.id, token: s.credentials.token, refreshTokenId: s.credentials.refresh_token_id },
      connxio: { id: c.id, apiKey: c.credentials.api_key, clientId: c.credentials.oauth.client_id, clientSecret: c.credentials.oauth.client_secret, subscriptions: c.credentials.subscriptions },
    };
    launched = await launchChromium(chromiumPath!);
    browser = launched.browser;
    desktop = await newContext(browser, 'desktop');
    await desktop.grantPermissions(['clipboard-read', 'clipboard-write']);
  });

  afterAll(async () => {
    await launched?.close();
    await twin?.stop();
  });

  it('serves the dashboard on every listener, with a single-page fallback and a 404 for a missing asset', async () => {
    for (const listener of ['synqly', 'connxio', 'custom'] as const) {
      const res = await fetch(url(listener, '/__ui/some/deep/page'));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).toBe(readFileSync(join(uiDistDir(), 'index.html'), 'utf8'));
    }
    const missing = await fetch(url('synqly', '/__ui/assets/nope.js'));
    expect(missing.status).toBe(404);
    const listeners = await json<{ current: string; listeners: Array<{ name: string; url: string }> }>(await fetch(url('connxio', '/__admin/listeners')));
    expect(listeners.current).toBe('connxio');
    expect(listeners.listeners.map((l) => l.url)).toEqual([twin.urls.synqly, twin.urls.connxio, twin.urls.custom]);
  });

  it('creates a Connxio API key in the UI; the key works; switched off in the UI it gets 401', async () => {
    const page = await openPage(desktop, url('connxio', '/__ui/connxio/demo/api-keys'));
    await page.getByRole('table', { name: 'API keys' }).waitFor();
    await page.getByLabel('Key name').fill('e2e partner');
    await page.getByRole('checkbox', { name: 'Messaging' }).check();
    await page.getByLabel('Subscription', { exact: true }).selectOption({ label: 'demo-test' });
    await page.getByRole('button', { name: 'Create key' }).click();
    const valueBox = page.getByLabel('Value of e2e partner', { exact: true });
    await valueBox.waitFor();
    const key = await valueBox.inputValue();
    expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    // the form starts over: empty name, scopes back to the default
    expect(await page.getByLabel('Key name').inputValue()).toBe('');
    expect(await page.getByRole('checkbox', { name: 'Messaging' }).isChecked()).toBe(false);
    expect(await page.getByRole('checkbox', { name: 'Management' }).isChecked()).toBe(true);

    // "Copy" puts the value on the clipboard
    await page.getByRole('button', { name: 'Copy Value of e2e partner' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);

    const bearer = await connxioBearer();
    const call = () => fetch(url('connxio', '/v2/subscriptions/current'), { headers: { 'connxio-api-key': key, authorization: `Bearer ${bearer}` } });
    const ok = await call();
    expect(ok.status).toBe(200);
    expect((await json<{ name: string }>(ok)).name).toBe('demo-test');

    const toggle = page.getByRole('switch', { name: 'Active: e2e partner' });
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    // by keyboard: focus the switch and press Space
    await toggle.focus();
    await page.keyboard.press('Space');
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('false');
    expect((await call()).status).toBe(401);

    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('true');
    expect((await call()).status).toBe(200);

    // regenerate: a new value; the old one is refused at once. Delete: refused too.
    await page.getByRole('button', { name: 'Regenerate e2e partner' }).click();
    await page.getByRole('dialog', { name: 'Regenerate e2e partner?' }).getByRole('button', { name: 'Regenerate' }).click();
    await expect.poll(() => page.getByLabel('Value of e2e partner', { exact: true }).inputValue()).not.toBe(key);
    const regenerated = await page.getByLabel('Value of e2e partner', { exact: true }).inputValue();
    const callWith = (value: string) => fetch(url('connxio', '/v2/subscriptions/current'), { headers: { 'connxio-api-key': value, authorization: `Bearer ${bearer}` } });
    expect((await callWith(key)).status).toBe(401);
    expect((await callWith(regenerated)).status).toBe(200);

    await page.getByLabel('Key name').fill('e2e throwaway');
    await page.getByRole('button', { name: 'Create key' }).click();
    const throwaway = await page.getByLabel('Value of e2e throwaway', { exact: true });
    await throwaway.waitFor();
    const throwawayKey = await throwaway.inputValue();
    expect((await callWith(throwawayKey)).status).toBe(200);
    await page.getByRole('button', { name: 'Delete e2e throwaway' }).click();
    await page.getByRole('dialog', { name: 'Delete e2e throwaway?' }).getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'API keys' }).getByText('e2e throwaway').count()).toBe(0);
    expect((await callWith(throwawayKey)).status).toBe(401);
    await page.close();
  });

  it('creates two API-triggered integrations and a Custom API with two routes in the UI; both routes answer; the calls are in the request journal', async () => {
    // two integrations through the integrations page's form (POST /v2/integrations)
    const page = await openPage(desktop, url('connxio', '/__ui/connxio/demo/integrations'));
    for (const description of ['e2e create order', 'e2e update order']) {
      await page.getByLabel('Description').fill(description);
      await page.getByRole('button', { name: 'Create integration' }).click();
      await page.getByRole('table', { name: /Integrations of subscription/ }).getByText(description).waitFor();
    }
    const bearer = await connxioBearer();
    const integrations = await json<Array<{ id: string; description: string }>>(
      await fetch(url('connxio', '/v2/integrations'), { headers: { 'connxio-api-key': demo.connxio.apiKey, authorization: `Bearer ${bearer}` } }),
    );
    const create = integrations.find((i) => i.description === 'e2e create order')!;
    const update = integrations.find((i) => i.description === 'e2e update order')!;
    expect(create && update).toBeTruthy();

    // the Custom API: title, summary, subscription, two routes
    await page.getByRole('link', { name: 'Custom APIs' }).click();
    await page.getByRole('link', { name: 'New Custom API' }).click();
    await page.getByRole('heading', { level: 1, name: 'New Custom API' }).waitFor();
    await page.getByLabel('Title').fill('Orders API');
    await page.getByLabel('Summary').fill('Order intake and updates');
    await page.getByLabel('Subscription').selectOption({ label: 'demo-test' });
    await page.getByLabel('Method (route 1)').selectOption('POST');
    await page.getByLabel('Path (route 1)').fill('/orders');
    await page.getByLabel('Integration (route 1)').selectOption(create.id);
    await page.getByRole('button', { name: 'Add route' }).click();
    // focus moves to the new route's first field
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toMatch(/^route-\d+-method$/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(await page.getByLabel('Method (route 2)').getAttribute('id'));
    await page.getByLabel('Method (route 2)').selectOption('PUT');
    await page.getByLabel('Path (route 2)').fill('/orders/{orderId}');
    await page.getByLabel('Integration (route 2)').selectOption(update.id);
    await page.getByRole('button', { name: 'Create Custom API' }).click();
    await page.getByRole('heading', { level: 1, name: 'Orders API' }).waitFor();
    let key = await page.getByLabel('Custom API key value', { exact: true }).inputValue();
    expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);

    const callCustom = (method: string, path: string, headers: Record<string, string> = { authorization: `Bearer ${bearer}` }) =>
      fetch(url('custom', path), { method, headers: { 'connxio-api-key': key, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ order: 42 }) });
    expect((await callCustom('POST', '/orders')).status).toBe(200);
    expect((await callCustom('PUT', '/orders/42')).status).toBe(200);
    // each landed at its route's integration
    const messages = await json<{ messages: Array<{ integrationId: string; customApi?: { route: string; path: string } }> }>(
      await fetch(url('synqly', `/__admin/connxio/messages?companyId=${demo.connxio.id}&channel=custom-api`)),
    );
    expect(messages.messages.map((m) => [m.integrationId, m.customApi?.path])).toEqual([
      [update.id, '/orders/42'],
      [create.id, '/orders'],
    ]);

    // the OpenAPI view lists both routes, and downloads as JSON
    const ops = page.getByRole('list', { name: 'Operations' });
    await ops.getByText('/orders/{orderId}', { exact: true }).waitFor();
    expect(await ops.getByRole('listitem').allInnerTexts()).toEqual([expect.stringContaining('POST /orders'), expect.stringContaining('PUT /orders/{orderId}')]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download JSON' }).click()]);
    expect(download.suggestedFilename()).toBe('orders-api.openapi.json');
    const doc = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { info: { title: string }; paths: Record<string, unknown> };
    expect(doc.info.title).toBe('Orders API');
    expect(Object.keys(doc.paths).sort()).toEqual(['/orders', '/orders/{orderId}']);

    // webhook mode: the key alone (with Connxio-Api-Webhook: true) is enough
    expect((await callCustom('POST', '/orders', { 'connxio-api-webhook': 'true' })).status).toBe(401);
    await page.getByRole('switch', { name: /^Webhook mode/ }).click();
    await expect.poll(() => page.getByRole('switch', { name: /^Webhook mode/ }).getAttribute('aria-checked')).toBe('true');
    expect((await callCustom('POST', '/orders', { 'connxio-api-webhook': 'true' })).status).toBe(200);
    // the key switched off: 401
    await page.getByRole('switch', { name: 'Key enabled' }).click();
    await expect.poll(() => page.getByRole('switch', { name: 'Key enabled' }).getAttribute('aria-checked')).toBe('false');
    expect((await callCustom('POST', '/orders')).status).toBe(401);
    await page.getByRole('switch', { name: 'Key enabled' }).click();
    await expect.poll(() => page.getByRole('switch', { name: 'Key enabled' }).getAttribute('aria-checked')).toBe('true');

    // regenerate the API's key: the old value is refused, the new one works
    await page.getByRole('button', { name: 'Regenerate key' }).click();
    await page.getByRole('dialog', { name: 'Regenerate the key?' }).getByRole('button', { name: 'Regenerate' }).click();
    await expect.poll(() => page.getByLabel('Custom API key value', { exact: true }).inputValue()).not.toBe(key);
    const oldKey = key;
    key = await page.getByLabel('Custom API key value', { exact: true }).inputValue();
    expect((await fetch(url('custom', '/orders'), { method: 'POST', headers: { 'connxio-api-key': oldKey, authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await callCustom('POST', '/orders')).status).toBe(200);

    // a second API, deleted from its page: its key is refused and it is gone
    await page.getByRole('link', { name: 'All Custom APIs' }).click();
    await page.getByRole('link', { name: 'New Custom API' }).click();
    await page.getByLabel('Title').fill('Temporary API');
    await page.getByLabel('Path (route 1)').fill('/temp');
    await page.getByLabel('Integration (route 1)').selectOption(create.id);
    await page.getByRole('button', { name: 'Create Custom API' }).click();
    await page.getByRole('heading', { level: 1, name: 'Temporary API' }).waitFor();
    const tempKey = await page.getByLabel('Custom API key value', { exact: true }).inputValue();
    const temp = () => fetch(url('custom', '/temp'), { method: 'POST', headers: { 'connxio-api-key': tempKey, authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: '{}' });
    expect((await temp()).status).toBe(200);
    await page.getByRole('button', { name: 'Delete Custom API' }).click();
    await page.getByRole('dialog', { name: 'Delete Temporary API?' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { level: 1, name: 'Connxio Custom APIs' }).waitFor();
    expect((await temp()).status).toBe(401);
    expect(await page.getByRole('table', { name: 'Custom APIs' }).getByText('Temporary API').count()).toBe(0);

    // the filter on the list
    const search = page.getByRole('searchbox', { name: 'Filter' });
    await search.fill('orderId');
    await page.getByRole('table', { name: 'Custom APIs' }).getByRole('link', { name: 'Orders API' }).waitFor();
    await search.fill('no such api');
    await page.getByText('No Custom API matches the filter.').waitFor();
    await search.fill('');

    // the calls in the request journal, found with its filters, secrets redacted
    await page.getByRole('link', { name: 'Request journal' }).click();
    await page.getByLabel('Vendor').selectOption('custom');
    await page.getByLabel('Path contains').fill('/orders');
    const journal = page.getByRole('table', { name: 'Requests, newest first' });
    await journal.getByText('/orders/42').first().waitFor();
    const rows = await journal.locator('tbody tr').allInnerTexts();
    expect(rows.some((r) => r.includes('POST') && r.includes('/orders') && r.includes('custom_api_post') && r.includes('200'))).toBe(true);
    expect(rows.some((r) => r.includes('PUT') && r.includes('/orders/42') && r.includes('custom_api_put') && r.includes('200'))).toBe(true);
    await journal.getByRole('button', { name: /^Details of request \d+: PUT \/orders\/42/ }).click();
    const detail = page.getByTestId('entry-detail');
    await detail.waitFor();
    expect(await detail.innerText()).toContain('"connxio-api-key": "[redacted]"');
    expect(await page.content()).not.toContain(key);
    expect(await page.content()).not.toContain(bearer);

    // live: a new call shows up without reloading the page
    expect((await callCustom('PUT', '/orders/43')).status).toBe(200);
    await journal.getByText('/orders/43').waitFor({ timeout: 10_000 });
    await page.close();
  });

  it('rotates, resets and removes the secondary of a Synqly token in the UI, and keeps working with the new token', async () => {
    const page = await openPage(desktop, url('synqly', '/__ui/synqly/demo/tokens'));
    await page.getByRole('table', { name: 'Refresh tokens' }).waitFor();
    const listed = await json<{ result: Array<{ id: string; name: string }> }>(await fetch(url('synqly', '/v1/tokens'), { headers: { authorization: `Bearer ${demo.synqly.token}` } }));
    const name = listed.result.find((t) => t.id === demo.synqly.refreshTokenId)!.name;
    await page.getByRole('button', { name: `Rotate ${name}`, exact: true }).click();
    const access = page.getByLabel('Access token', { exact: true });
    await access.waitFor();
    const rotated = await access.inputValue();
    expect(rotated).not.toBe(demo.synqly.token);
    const whoami = (token: string) => fetch(url('synqly', '/v1/organization'), { headers: { authorization: `Bearer ${token}` } });
    expect((await whoami(rotated)).status).toBe(200);
    expect((await whoami(demo.synqly.token)).status).toBe(200); // the old primary is now the secondary
    await page.getByRole('button', { name: `Remove the secondary of ${name}` }).click();
    await expect.poll(async () => (await whoami(demo.synqly.token)).status).toBe(401);
    expect((await whoami(rotated)).status).toBe(200);

    await page.getByRole('button', { name: `Reset ${name}`, exact: true }).click();
    await page.getByRole('dialog', { name: `Reset ${name}?` }).getByRole('button', { name: 'Reset' }).click();
    await expect.poll(async () => page.getByLabel('Access token', { exact: true }).inputValue()).not.toBe(rotated);
    const reset = await page.getByLabel('Access token', { exact: true }).inputValue();
    expect((await whoami(reset)).status).toBe(200);
    expect((await whoami(rotated)).status).toBe(401);
    // the dashboard adopted the new token: its pages still load
    await page.getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('table', { name: 'Accounts' }).waitFor();
    demo.synqly.token = reset;
    await page.close();
  });

  it('creates a tenant in the UI, shows its credentials once, and deletes it', async () => {
    const page = await openPage(desktop, url('synqly', '/__ui/tenants'));
    await page.getByRole('radio', { name: 'Connxio company' }).check();
    await page.getByLabel('Name', { exact: true }).fill('e2e-co');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    const panel = page.getByTestId('credentials-panel');
    await panel.waitFor();
    const key = await panel.getByLabel('Connxio API key (CONNXIO_API_KEY)', { exact: true }).inputValue();
    const clientId = await panel.getByLabel('OAuth client id (CONNXIO_CLIENT_ID)', { exact: true }).inputValue();
    const clientSecret = await panel.getByLabel('OAuth client secret (CONNXIO_CLIENT_SECRET)', { exact: true }).inputValue();
    const token = await json<{ access_token: string }>(
      await fetch(url('connxio', '/oauth/token'), { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }) }),
    );
    const current = await fetch(url('connxio', '/v2/subscriptions/current'), { headers: { 'connxio-api-key': key, authorization: `Bearer ${token.access_token}` } });
    expect(current.status).toBe(200);
    expect((await json<{ name: string }>(current)).name).toBe('e2e-co-primary');
    const row = page.getByRole('table', { name: 'Connxio companies' }).getByRole('row').filter({ hasText: 'e2e-co' });
    await row.getByText('e2e-co-secondary').waitFor();
    await page.getByRole('button', { name: 'Delete e2e-co' }).click();
    await page.getByRole('dialog', { name: 'Delete e2e-co?' }).getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => row.count()).toBe(0);
    const tenants = await json<{ tenants: Array<{ name: string }> }>(await fetch(url('synqly', '/__admin/tenants?vendor=connxio')));
    expect(tenants.tenants.map((t) => t.name)).toEqual(['demo']);
    await page.close();
  });

  it('adds a Synqly integration, members and roles, a fault rule and moves the clock in the UI', async () => {
    const integrationsPage = await openPage(desktop, url('synqly', '/__ui/synqly/demo/integrations'));
    await integrationsPage.getByLabel('Full name').fill('E2E SIEM');
    await integrationsPage.getByLabel('Provider', { exact: true }).selectOption('siem_mock_siem');
    await integrationsPage.getByRole('button', { name: 'Create integration' }).click();
    await integrationsPage.getByRole('table', { name: 'Integrations' }).getByText('siem_mock_siem').waitFor();
    const integrations = await json<{ result: Array<{ fullname: string; category: string }> }>(
      await fetch(url('synqly', '/v1/integrations'), { headers: { authorization: `Bearer ${demo.synqly.token}` } }),
    );
    expect(integrations.result.map((i) => [i.fullname, i.category])).toContainEqual(['E2E SIEM', 'siem']);
    await integrationsPage.close();

    const page = await openPage(desktop, url('synqly', '/__ui/synqly/demo/members'));
    await page.getByLabel('Role name').fill('e2e-auditors');
    await page.getByLabel('Full name').nth(1).fill('E2E auditors');
    await page.getByLabel('Permission set').selectOption('viewer');
    await page.getByRole('button', { name: 'Add role' }).click();
    await page.getByRole('table', { name: 'Roles' }).getByText('e2e-auditors').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('ada@example.com');
    await page.getByLabel('Full name').first().fill('Ada Lovelace');
    await page.getByLabel('Password').fill('c0rrect-h0rse-battery');
    await page.getByRole('checkbox', { name: 'e2e-auditors' }).check();
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByRole('table', { name: 'Members' }).getByText('ada@example.com').waitFor();
    const members = await json<{ result: Array<{ name: string; role_binding: string[] }> }>(
      await fetch(url('synqly', '/v1/members'), { headers: { authorization: `Bearer ${demo.synqly.token}` } }),
    );
    expect(members.result.find((m) => m.name === 'ada@example.com')?.role_binding).toEqual(['member', 'e2e-auditors']);

    await page.getByRole('link', { name: 'Faults and clock' }).click();
    await page.getByLabel('Operation id').fill('accounts_list');
    await page.getByLabel('Status', { exact: true }).fill('503');
    await page.getByLabel('Times').fill('1');
    await page.getByRole('button', { name: 'Add fault rule' }).click();
    await page.getByRole('table', { name: 'Fault rules in match order' }).getByText('accounts_list').waitFor();
    const accounts = () => fetch(url('synqly', '/v1/accounts'), { headers: { authorization: `Bearer ${demo.synqly.token}` } });
    expect((await accounts()).status).toBe(503);
    expect((await accounts()).status).toBe(200);
    // a standing rule, left in place for the screenshot and removed at the end
    await page.getByLabel('Vendor').selectOption('connxio');
    await page.getByLabel('Operation id').fill('send_message');
    await page.getByLabel('Action').selectOption('throttle');
    await page.getByLabel('Retry-After (seconds)').fill('5');
    await page.getByLabel('Times').fill('');
    await page.getByRole('button', { name: 'Add fault rule' }).click();
    await page.getByRole('table', { name: 'Fault rules in match order' }).getByText('send_message').waitFor();

    const before = Date.parse((await json<{ now: string }>(await fetch(url('synqly', '/__admin/clock')))).now);
    await page.getByRole('button', { name: '+25h' }).click();
    await expect
      .poll(async () => Date.parse((await json<{ now: string }>(await fetch(url('synqly', '/__admin/clock')))).now) - before)
      .toBeGreaterThanOrEqual(25 * 3_600_000);
    await page.getByTestId('clock').getByText(/from this computer's time/).waitFor();
    await page.getByRole('button', { name: 'Back to real time' }).click();
    await expect.poll(async () => Math.abs(Date.parse((await json<{ now: string }>(await fetch(url('synqly', '/__admin/clock')))).now) - Date.now())).toBeLessThan(5_000);
    await page.close();
  });

  it('makes a stub of a journaled answer in the UI; the stub answers; removed in the UI, the twin answers again', async () => {
    const list = () => fetch(url('synqly', '/v1/accounts'), { headers: { authorization: `Bearer ${demo.synqly.token}` } });
    expect((await list()).status).toBe(200);
    const page = await openPage(desktop, url('synqly', '/__ui/requests?live=off'));
    await page.getByLabel('Path contains').fill('/v1/accounts');
    const journal = page.getByRole('table', { name: 'Requests, newest first' });
    await journal.getByText('accounts_list').first().waitFor();
    await journal.getByRole('link', { name: /Make a stub of request \d+'s answer/ }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Response stubs' }).waitFor();
    const field = page.getByLabel('Stub (JSON, as POST /__admin/stubs takes it)');
    await expect.poll(async () => (await field.inputValue()).includes('"accounts_list"')).toBe(true);
    const stub = JSON.parse(await field.inputValue()) as { vendor: string; operationId: string; response: { status: number; body: { result: unknown[] }; headers?: Record<string, string> } };
    expect(stub).toMatchObject({ vendor: 'synqly', operationId: 'accounts_list', response: { status: 200 } });
    stub.response.body.result = [];
    stub.response.headers = { ...stub.response.headers, 'x-stub': 'from-the-dashboard' };
    await field.fill(JSON.stringify(stub));
    await page.getByRole('button', { name: 'Add stub' }).click();
    const table = page.getByRole('table', { name: /Stubs, highest priority first/ });
    await table.getByText('accounts_list').waitFor();
    const stubbed = await list();
    expect(stubbed.headers.get('x-stub')).toBe('from-the-dashboard');
    expect(await stubbed.json()).toEqual({ result: [] });
    await table.getByRole('button', { name: /Remove the stub of accounts_list/ }).click();
    await page.getByText('No stubs: the twin answers from its state.').waitFor();
    const real = await list();
    expect(real.headers.get('x-stub')).toBeNull();
    expect(((await real.json()) as { result: unknown[] }).result.length).toBeGreaterThan(0);
  });

  it('shows a clear "not available" state when the twin lacks an endpoint', async () => {
    const page = await desktop.newPage();
    await page.route('**/__admin/synqly/webhook-deliveries*', (route) =>
      route.fulfill({
        status: 404,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'no route for GET /__admin/synqly/webhook-deliveries' }),
      }),
    );
    await page.goto(url('synqly', '/__ui/webhook-deliveries'));
    const notice = page.getByTestId('unavailable');
    await notice.waitFor();
    expect(await notice.innerText()).toContain('Not available on this twin');
    expect(await notice.innerText()).toContain('GET /__admin/synqly/webhook-deliveries');
    await page.close();
  });

  it('asks for the admin token when the control API needs one, and then works with it', async () => {
    const guarded = await startTwin({ ports: { synqly: 0, connxio: 0, custom: 0 }, adminToken: 'e2e-admin-token', tenants: false });
    const context = await newContext(browser, 'desktop');
    try {
      const page = await openPage(context, `${guarded.urls.synqly}/__ui/tenants`);
      await page.getByRole('heading', { level: 1, name: 'Admin token needed' }).waitFor();
      await page.getByLabel('Admin token').fill('e2e-admin-token');
      await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Use this token' }).click()]);
      await page.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
      await page.getByText('No Synqly organization yet.').waitFor();
    } finally {
      await context.close();
      await guarded.stop();
    }
  });

  it('is usable with the keyboard: skip link first, then the menu; focus moves to the new page heading', async () => {
    const page = await openPage(desktop, url('synqly', '/__ui/tenants'));
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    // through the menu by keyboard to the request journal
    const link = page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Request journal' });
    await link.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Request journal' }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    expect(await link.getAttribute('aria-current')).toBe('page');
    expect(await page.title()).toBe('Request journal · apitwin');
    // a confirmation dialog: opens with focus inside, Escape cancels and gives focus back
    const clear = page.getByRole('button', { name: 'Clear journal' });
    await clear.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Clear the request journal?' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Clear journal');
    await page.close();

    // on a phone the menu is a disclosure button
    const phone = await newContext(browser, 'phone');
    const small = await openPage(phone, url('synqly', '/__ui/tenants'));
    const menu = small.getByRole('button', { name: 'Menu' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await small.getByRole('navigation', { name: 'Dashboard' }).isVisible()).toBe(false);
    await menu.focus();
    await small.keyboard.press('Enter');
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await small.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Faults and clock' }).click();
    await small.getByRole('heading', { level: 1, name: 'Faults and clock' }).waitFor();
    expect(await small.getByRole('navigation', { name: 'Dashboard' }).isVisible()).toBe(false);
    await phone.close();
  });

  // after the tests above populated them: every page at both sizes, checked for labels and overflow
  const PAGES: Array<{ name: string; listener: 'synqly' | 'connxio'; path: string; ready: string }> = [
    { name: 'tenants', listener: 'synqly', path: '/__ui/tenants', ready: 'Synqly organizations' },
    { name: 'synqly-accounts', listener: 'synqly', path: '/__ui/synqly/demo/accounts', ready: 'Accounts' },
    { name: 'synqly-integrations', listener: 'synqly', path: '/__ui/synqly/demo/integrations', ready: 'Integrations' },
    { name: 'synqly-tokens', listener: 'synqly', path: '/__ui/synqly/demo/tokens', ready: 'Refresh tokens' },
    { name: 'synqly-members-roles', listener: 'synqly', path: '/__ui/synqly/demo/members', ready: 'Roles' },
    { name: 'connxio-integrations', listener: 'connxio', path: '/__ui/connxio/demo/integrations', ready: 'Subscriptions' },
    { name: 'connxio-api-keys', listener: 'connxio', path: '/__ui/connxio/demo/api-keys', ready: 'Keys' },
    { name: 'connxio-custom-apis', listener: 'connxio', path: '/__ui/connxio/demo/custom-apis', ready: 'Custom APIs' },
    { name: 'connxio-custom-api', listener: 'connxio', path: '', ready: 'OpenAPI specification' },
    { name: 'request-journal', listener: 'synqly', path: '/__ui/requests?live=off', ready: 'Requests' },
    { name: 'message-journal', listener: 'connxio', path: '/__ui/messages?live=off', ready: 'Messages' },
    { name: 'webhook-deliveries', listener: 'synqly', path: '/__ui/webhook-deliveries?live=off', ready: 'Deliveries' },
    { name: 'faults-clock', listener: 'synqly', path: '/__ui/faults', ready: 'Fault rules' },
    { name: 'stubs', listener: 'synqly', path: '/__ui/stubs', ready: 'Stubs in match order' },
  ];

  it('renders every page, populated, at 1280×800 and 390×844: labelled controls, one h1, landmarks, no sideways scrolling', async () => {
    // a webhook delivery for the deliveries page: a receiver on loopback, and an account created
    const { createServer } = await import('node:http');
    const receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`;
    const synqlyHeaders = { authorization: `Bearer ${demo.synqly.token}`, 'content-type': 'application/json' };
    const hook = await fetch(url('synqly', '/v1/organization/webhooks'), { method: 'POST', headers: synqlyHeaders, body: JSON.stringify({ name: 'e2e-hook', url: hookUrl, secret: { value: 'e2e-webhook-secret-value' }, filters: ['all'], environment: 'test' }) });
    expect([200, 201]).toContain(hook.status);
    expect((await fetch(url('synqly', '/v1/accounts'), { method: 'POST', headers: synqlyHeaders, body: JSON.stringify({ fullname: 'Webhook Test Corp', environment: 'test' }) })).status).toBe(200);
    await expect
      .poll(async () => (await json<{ deliveries: Array<{ state: string }> }>(await fetch(url('synqly', '/__admin/synqly/webhook-deliveries')))).deliveries.length, { timeout: 10_000 })
      .toBeGreaterThan(0);

    const customApis = await json<{ customApis: Array<{ id: string; title: string }> }>(await fetch(url('connxio', `/__admin/connxio/companies/${demo.connxio.id}/custom-apis`)));
    const orders = customApis.customApis.find((a) => a.title === 'Orders API')!;
    PAGES.find((p) => p.name === 'connxio-custom-api')!.path = `/__ui/connxio/demo/custom-apis/${orders.id}`;

    const problems: string[] = [];
    for (const viewport of Object.keys(VIEWPORTS) as Array<keyof typeof VIEWPORTS>) {
      const context = await newContext(browser, viewport);
      // a new browser: the demo organization's token was reset above, so the twin cannot derive it any
      // more; the page says so and takes the token the user has
      const start = await openPage(context, url('synqly', '/__ui/synqly/demo/accounts'));
      const tokenField = start.getByLabel('Synqly token for demo').first();
      await tokenField.waitFor();
      expect(await start.getByText('Credentials not available').count()).toBeGreaterThan(0);
      await tokenField.fill(demo.synqly.token);
      await Promise.all([start.waitForEvent('load'), start.getByRole('button', { name: 'Use this token' }).first().click()]);
      await start.getByRole('table', { name: 'Accounts' }).waitFor();
      await start.close();
      for (const p of PAGES) {
        const page = await openPage(context, url(p.listener, p.path));
        await page.getByRole('heading', { name: p.ready, exact: true }).first().waitFor();
        await page.waitForLoadState('networkidle').catch(() => undefined);
        await page.waitForTimeout(300);
        expect(await page.getByTestId('unavailable').count(), `${p.name}: an endpoint is missing`).toBe(0);
        expect(await page.locator('.notice-error').count(), `${p.name}: shows an error`).toBe(0);
        expect(await page.locator('.notice-warning').count(), `${p.name}: shows a warning`).toBe(0);
        const audit = await page.evaluate(() => {
          const issues: string[] = [];
          const nameOf = (el: Element) =>
            (el.getAttribute('aria-label') ?? '').trim() ||
            (el.getAttribute('aria-labelledby') ?? '').split(' ').map((id: string) => document.getElementById(id)?.textContent ?? '').join(' ').trim() ||
            [...((el as HTMLInputElement).labels ?? [])].map((l) => l.textContent).join(' ').trim() ||
            (el.tagName === 'BUTTON' || el.tagName === 'A' ? (el.textContent ?? '').trim() : '');
          for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href]')) {
            if (!nameOf(el)) issues.push(`unlabelled ${el.tagName.toLowerCase()} ${el.outerHTML.slice(0, 80)}`);
          }
          if (document.querySelectorAll('h1').length !== 1) issues.push(`${document.querySelectorAll('h1').length} h1 elements`);
          if (!document.querySelector('main#main')) issues.push('no main landmark');
          if (!document.querySelector('nav[aria-label]')) issues.push('no labelled navigation');
          for (const t of document.querySelectorAll('table')) if (!t.querySelector('caption')?.textContent?.trim()) issues.push('a table without a caption');
          if (document.documentElement.scrollWidth > window.innerWidth + 1) issues.push(`scrolls sideways: ${document.documentElement.scrollWidth}px wide in a ${window.innerWidth}px window`);
          return issues;
        });
        problems.push(...audit.map((i) => `${p.name} @ ${viewport}: ${i}`));
        await page.screenshot({ path: join(SHOTS, `${p.name}-${viewport}.png`), fullPage: true });
        await page.close();
      }
      await context.close();
    }
    receiver.close();
    await fetch(url('synqly', '/__admin/faults'), { method: 'DELETE' });
    expect(problems).toEqual([]);
    expect(browserErrors).toEqual([]);
  }, 420_000);
});
