import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';

/**
 * Debian's Chromium (apt-get install chromium → /usr/bin/chromium) driven by playwright-core.
 * Never a downloaded browser: without a chromium binary the browser tests skip with a message.
 */

export function findChromium(): string | undefined {
  const fromEnv = process.env.APITWIN_CHROMIUM;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  try {
    const found = execFileSync('which', ['chromium'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (found && existsSync(found)) return found;
  } catch {
    // not on PATH
  }
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

/** the flags this machine needs (headless as root, and no background traffic to a closed network) */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
];

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** `extraArgs`: more Chromium flags, e.g. `--host-resolver-rules=MAP name 127.0.0.1` to play a rebound DNS name */
export async function launchChromium(executablePath: string, extraArgs: string[] = []): Promise<LaunchedBrowser> {
  const { chromium } = await import('playwright-core');
  // playwright starts it with a new, empty profile directory of its own
  const browser = await chromium.launch({ executablePath, headless: true, args: [...FLAGS, ...extraArgs] });
  return { browser, close: () => browser.close().catch(() => undefined) };
}

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

export async function newContext(browser: Browser, viewport: keyof typeof VIEWPORTS): Promise<BrowserContext> {
  return browser.newContext({
    viewport: VIEWPORTS[viewport],
    deviceScaleFactor: 1,
    isMobile: viewport === 'phone',
    hasTouch: viewport === 'phone',
    locale: 'en-GB',
    timezoneId: 'UTC',
    reducedMotion: 'reduce',
  });
}
