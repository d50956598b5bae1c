import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwin, type RunningTwin } from '../../app.ts';
import { findChromium, launchChromium, newContext, type LaunchedBrowser } from './browser.ts';

/**
 * The control API's reference pages (/__admin/docs, /__admin/docs/<vendor spec>) rendered by the
 * bundled Swagger UI in Debian's Chromium, with every request staying on the twin (no CDN); and
 * the dashboard's fault form, whose operation field completes from the vendor's spec and whose
 * unknown operationIds the twin refuses with close matches.
 */

declare const document: any;

const chromiumPath = findChromium();

describe.skipIf(!chromiumPath)('reference pages and the fault form, in Debian Chromium', () => {
  let twin: RunningTwin;
  let launched: LaunchedBrowser;
  let browser: Browser;

  beforeAll(async () => {
    twin = await startTwin({ port: 0 });
    launched = await launchChromium(chromiumPath!);
    browser = launched.browser;
  });
  afterAll(async () => {
    await launched?.close();
    await twin?.stop();
  });

  it('renders the control API and a vendor document with the bundled renderer, fetching nothing elsewhere', async () => {
    const context = await newContext(browser, 'desktop');
    const page = await context.newPage();
    const requested: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${twin.urls.synqly}/__admin/docs`);
    await page.locator('.opblock-summary-path', { hasText: '/__admin/health' }).first().waitFor({ timeout: 30_000 });
    expect(await page.locator('.info .title').first().innerText()).toContain('apitwin control API');
    // an operation opens to its description
    await page.locator('.opblock-summary-path', { hasText: '/__admin/clock/advance' }).first().click();
    await page.getByText('admin_clock_advance').first().waitFor();

    // a vendor's document the same way (the Custom API one: small, so the page renders fast)
    await page.goto(`${twin.urls.synqly}/__admin/docs/connxio-custom-api.yaml`);
    await page.locator('.opblock-summary-path', { hasText: '/{route}' }).first().waitFor({ timeout: 30_000 });
    expect(await page.locator('.info .title').first().innerText()).toMatch(/Custom API/i);
    const origin = new URL(twin.urls.synqly).origin;
    const foreign = requested.filter((u) => !u.startsWith(origin) && !u.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the fault form completes operation ids from the spec, and shows the refusal of an unknown one', async () => {
    const context = await newContext(browser, 'desktop');
    const page = await context.newPage();
    await page.goto(`${twin.urls.synqly}/__ui/faults`);
    await page.locator('main h1').first().waitFor();
    const field = page.getByLabel('Operation id');
    const options = async () => page.evaluate(() => Array.from(document.querySelectorAll('[data-testid="operation-options"] option')).map((o: any) => o.value as string));
    await expect.poll(options).toContain('accounts_list');
    await page.getByLabel('Vendor').selectOption('connxio');
    await expect.poll(options).toContain('list_subscriptions');
    expect(await options()).not.toContain('accounts_list');

    await field.fill('list_subscriptons');
    await page.getByRole('button', { name: 'Add fault rule' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/did you mean list_subscriptions/);
    const faults = (await (await fetch(`${twin.urls.synqly}/__admin/faults`)).json()) as { faults: unknown[] };
    expect(faults.faults).toEqual([]);
    await context.close();
  });
});
