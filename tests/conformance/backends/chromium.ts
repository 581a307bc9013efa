// Backend: Chromium's Web Workers on a page's plain arena (shmkit/browser,
// Atomics.wait in workers; the page, which may not block, only lays out and
// reads). The page and its workers are bundled from chromium-page.ts and
// chromium-party.ts; shmkit/browser is served from dist/ as a web app loads it.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startIsolatedBrowser, type IsolatedBrowser, type OpenedPage } from '../../helpers/chromium.js';
import { ROOT } from '../../helpers/processes.js';
import type { Backend } from './backend.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
// A hang guard only: a scenario answers in seconds.
const READY_MS = 60_000;

async function bundle(dir: string): Promise<void> {
  await build({
    entryPoints: { 'chromium-page': join(HERE, 'chromium-page.ts'), 'chromium-party': join(HERE, 'chromium-party.ts') },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    external: ['/shmkit/browser.mjs'],
    logLevel: 'silent',
  });
  copyFileSync(join(HERE, 'chromium-page.html'), join(dir, 'index.html'));
}

export async function chromiumWorkers(): Promise<Backend> {
  // Not tracked for the tests' cleanup: that runs after each test, and workers load from here all along.
  const dir = mkdtempSync(join(tmpdir(), 'shmkit-conformance-web-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  let browser: IsolatedBrowser | undefined;
  let opened: OpenedPage;
  try {
    await bundle(dir);
    browser = await startIsolatedBrowser({ '/': dir, '/shmkit/': join(ROOT, 'dist') });
    opened = await browser.open('index.html');
    await opened.page.waitForFunction(() => (globalThis as { conformanceReady?: boolean }).conformanceReady === true, null, { timeout: READY_MS });
  } catch (error) {
    await browser?.close();
    removeDir();
    throw error;
  }
  const opens = browser;
  const { page, errors } = opened;
  return {
    name: 'Chromium Web Workers, plain memory (shmkit/browser)',
    async run(suite, index) {
      const outcome = await page.evaluate(([protocol, at]) => (globalThis as unknown as { runScenario(p: string, i: number): Promise<string> }).runScenario(protocol, at), [suite.protocol, index] as [string, number]);
      if (errors.length) throw new Error(`the page reported errors: ${errors.join('; ')}`);
      return outcome;
    },
    async close() {
      try {
        await opens.close();
      } finally {
        removeDir();
      }
    },
  };
}
