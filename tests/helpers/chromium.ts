// Debian's Chromium driven by playwright-core, for the browser tests and the
// web bench: pages served with cross-origin isolation by the demo's own
// server, every page error and console error kept for the test to check.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startIsolatedServer } from '../../demo/web/isolated-server.mjs';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM_PATH) ? undefined : `${CHROMIUM_PATH} is missing: install Debian's package chromium (.ci/run does)`;
}

export interface OpenedPage {
  page: Page;
  /** Uncaught page errors, console errors and crashes, as they happened. */
  errors: string[];
}

export interface IsolatedBrowser {
  readonly url: string;
  /** Opens `path` (relative to the server's root) in a new page. */
  open(path: string): Promise<OpenedPage>;
  close(): Promise<void>;
}

/** A server for `mounts` (URL prefix → folder) and a headless Chromium to look at it. */
export async function startIsolatedBrowser(mounts: Record<string, string>): Promise<IsolatedBrowser> {
  const server = await startIsolatedServer({ mounts });
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    url: server.url,
    async open(path) {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
      page.on('console', (message) => void (message.type() === 'error' && errors.push(`console error: ${message.text()}`)));
      page.on('crash', () => errors.push('the page crashed'));
      await page.goto(new URL(path, server.url).href);
      return { page, errors };
    },
    async close() {
      try {
        await browser.close();
      } finally {
        await server.close();
      }
    },
  };
}
