import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwin, type RunningTwin } from '../../app.ts';
import { findChromium, launchChromium, type LaunchedBrowser } from './browser.ts';

/**
 * What a web page the developer visits can do to a twin on loopback, tried in Debian's Chromium
 * (DECISIONS "control plane and browsers"): a page on another origin sends the body-less admin
 * writes a browser allows without CORS (a `no-cors` fetch, a form post), and a page under a DNS
 * name that resolves to 127.0.0.1 (a rebinding attack, played with Chromium's host resolver rules)
 * reads the control API as if same-origin. Neither may change or read anything.
 */

declare const document: any;

const chromiumPath = findChromium();
const REBOUND = 'rebound.attacker.test';

describe.skipIf(!chromiumPath)('cross-site pages against the control plane, in Debian Chromium', () => {
  let twin: RunningTwin;
  let attacker: Server;
  let attackerOrigin: string;
  let launched: LaunchedBrowser;
  let browser: Browser;
  let tenantId: string;
  let token: string;

  const accountNames = async () => {
    const res = await fetch(`${twin.urls.synqly}/v1/accounts`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { result: Array<{ name: string }> }).result.map((a) => a.name);
  };

  beforeAll(async () => {
    twin = await startTwin({ port: 0, tenants: false });
    const created = await fetch(`${twin.urls.synqly}/__admin/tenants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ vendor: 'synqly', name: 'victim' }) });
    expect(created.status).toBe(201);
    const tenant = (await created.json()) as { id: string; credentials: { token: string } };
    tenantId = tenant.id;
    token = tenant.credentials.token;
    const account = await fetch(`${twin.urls.synqly}/v1/accounts`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ fullname: 'Precious data' }) });
    expect(account.status).toBe(200);
    // the attacker's site: another origin (another port) on this machine
    attacker = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>cute cats</title><p>cats</p>'));
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    launched = await launchChromium(chromiumPath!, [`--host-resolver-rules=MAP ${REBOUND} 127.0.0.1`]);
    browser = launched.browser;
  });

  afterAll(async () => {
    await launched?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    await twin?.stop();
  });

  it('a no-cors fetch and a form post from another origin neither reset nor wipe the twin', async () => {
    const page = await browser.newPage();
    await page.goto(attackerOrigin);
    const base = twin.urls.synqly;
    await page.evaluate(
      async ({ base, tenantId }) => {
        const targets = [`${base}/__admin/reset`, `${base}/__admin/tenants/${tenantId}/reset`];
        for (const url of targets) await fetch(url, { method: 'POST', mode: 'no-cors' }).catch(() => undefined);
        await fetch(`${base}/__admin/tenants/${tenantId}`, { method: 'DELETE', mode: 'no-cors' }).catch(() => undefined);
        await fetch(`${base}/__admin/reset`, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{}' }).catch(() => undefined);
      },
      { base, tenantId },
    );
    // a classic form post navigates the page to the twin's answer
    await page.evaluate((action) => {
      const form = document.createElement('form');
      form.method = 'POST';
      form.action = action;
      form.enctype = 'text/plain';
      document.body.appendChild(form);
      form.submit();
    }, `${base}/__admin/reset`);
    await page.waitForURL(`${base}/__admin/reset`);
    expect(await page.locator('body').innerText()).toContain('cross-site');
    await page.close();

    expect(await accountNames()).toContain('precious-data');
    const tenants = (await (await fetch(`${base}/__admin/tenants`)).json()) as { tenants: Array<{ id: string }> };
    expect(tenants.tenants.map((t) => t.id)).toContain(tenantId);
  });

  it('a page under a rebound DNS name reads nothing from the control API, and cannot load the dashboard', async () => {
    const port = new URL(twin.urls.synqly).port;
    const page = await browser.newPage();
    const response = await page.goto(`http://${REBOUND}:${port}/__ui/tenants`);
    expect(response?.status()).toBe(421);
    const read = await page.evaluate(async (tenantId) => {
      const res = await fetch(`/__admin/tenants/${tenantId}/credentials`);
      return { status: res.status, text: await res.text() };
    }, tenantId);
    expect(read.status).toBe(421);
    expect(read.text).not.toContain(token);
    await page.close();
    // the same page under the loopback name is the dashboard
    const own = await browser.newPage();
    expect((await own.goto(`http://localhost:${port}/__ui/tenants`))?.status()).toBe(200);
    await own.close();
  });
});
