// The web demo and the protocol checks, in Debian's Chromium: the page is
// cross-origin isolated, both transports move every record with matching
// counts and checksums, and shmkit's locks and channels hold between the
// page and Web Workers (including a sync wait on the page's main thread,
// refused with ENOTSUP). Skipped, saying so, only without /usr/bin/chromium.
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEMO_MOUNTS } from '../demo/web/server.mjs';
import { chromiumMissing, startIsolatedBrowser, type IsolatedBrowser } from './helpers/chromium.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the screenshot is kept (.tmp/ is not committed). */
const SCREENSHOT = `${ROOT}.tmp/browser-demo.png`;
// A hang guard only: the page answers in seconds.
const ANSWER_MS = 180_000;

const web = suite('shmkit/browser in Chromium');
const missing = chromiumMissing();
if (missing) console.warn(`browser-demo: SKIPPED, ${missing}`);
const test = missing ? web.skip : web;

let chromium: IsolatedBrowser | undefined;
if (!missing) {
  web.before(async () => {
    assert.ok(existsSync(`${ROOT}dist/browser.mjs`), 'dist/browser.mjs is missing: run `npm run build` first');
    chromium = await startIsolatedBrowser(DEMO_MOUNTS);
  });
  web.after(async () => {
    await chromium?.close();
  });
}

test('the demo page: isolated, every record through shmkit and through postMessage, checksums equal, no page errors', async () => {
  const { page, errors } = await chromium!.open('?messages=20000&autostart=1');
  await page.waitForFunction(() => (window as { demoResult?: unknown }).demoResult !== undefined, null, { timeout: ANSWER_MS });
  const result = await page.evaluate(() => (window as unknown as { demoResult: any }).demoResult);
  mkdirSync(`${ROOT}.tmp`, { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  assert.is(result.error, undefined, `the demo failed: ${result.error}`);
  assert.is(result.crossOriginIsolated, true);
  for (const transport of ['shmkit', 'postMessage']) {
    const run = result[transport];
    assert.is(run.expected, 2 * 20000, `${transport}: two producers of 20000 records`);
    assert.is(run.sent, run.expected, `${transport}: every record was sent`);
    assert.is(run.received, run.expected, `${transport}: every record was received`);
    assert.is(run.receivedSum, run.sentSum, `${transport}: checksums match`);
    assert.is(run.damaged, 0, `${transport}: no record was damaged`);
    assert.ok(run.countsMatch && run.checksumsMatch, `${transport}: the page says so too`);
  }
  assert.equal(errors, [], 'no page errors');
  console.log(`  screenshot: ${SCREENSHOT}; shmkit ${(result.shmkit.messagesPerSecond / 1e3).toFixed(0)} k records/s, postMessage ${(result.postMessage.messagesPerSecond / 1e3).toFixed(0)} k/s`);
});

test('protocol checks between the page and Chromium workers all hold; the page may not block, and is told so', async () => {
  const { page, errors } = await chromium!.open('checks.html');
  await page.waitForFunction(() => (window as { checkResults?: unknown }).checkResults !== undefined, null, { timeout: ANSWER_MS });
  const { crossOriginIsolated, pageCanBlock, results } = await page.evaluate(() => (window as unknown as { checkResults: any }).checkResults);
  assert.is(crossOriginIsolated, true);
  assert.is(pageCanBlock, false, "Chromium refuses Atomics.wait on a page's main thread");
  const names = results.map((r: { name: string }) => r.name);
  for (const must of ['mutex-counter', 'spsc-order', 'mpmc-counts', 'broadcast-fanout', 'main-thread-wait']) assert.ok(names.includes(must), `${must} ran`);
  for (const { name, ok, detail } of results) assert.ok(ok, `${name}: ${detail}`);
  const refusal = results.find((r: { name: string }) => r.name === 'main-thread-wait').detail;
  assert.match(refusal, /may not block; semaphore\.wait ENOTSUP: .*Async/);
  assert.equal(errors, [], 'no page errors');
});

web.run();
