// `npm run bench:web`: the web bench page (bench/web/) headless in Debian's
// Chromium; writes bench/results/web.json and web.md and prints the tables.
//   npm run bench:web -- --rounds 5 --scale 1
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromiumMissing, startIsolatedBrowser } from '../../tests/helpers/chromium.js';
import { markdown, summarise, type BenchResults } from './report.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const results = fileURLToPath(new URL('../results/', import.meta.url));
const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const demo = fileURLToPath(new URL('../../demo/web/', import.meta.url));

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at > 0 ? Number(process.argv[at + 1]) : fallback;
  if (!(value > 0)) throw new Error(`--${name} must be a positive number: got '${process.argv[at + 1]}'`);
  return value;
}

const missing = chromiumMissing();
if (missing) {
  console.error(`bench:web needs Chromium: ${missing}`);
  process.exit(1);
}
const rounds = option('rounds', 5);
const scale = option('scale', 1);
const started = performance.now();
const loadBefore = loadavg()[0]!;
const chromium = await startIsolatedBrowser({ '/': here, '/shmkit/': dist, '/demo/': demo });
try {
  const { page, errors } = await chromium.open(`index.html?rounds=${rounds}&scale=${scale}`);
  page.on('console', (message) => void (message.type() === 'log' && console.log(`  ${message.text()}`)));
  await page.waitForFunction(() => (window as { benchResults?: unknown }).benchResults !== undefined, null, { timeout: 60 * 60_000, polling: 500 });
  const answer = await page.evaluate(() => (window as unknown as { benchResults: BenchResults | { error: string } }).benchResults);
  if ('error' in answer) throw new Error(`the bench page failed: ${answer.error}`);
  if (errors.length) throw new Error(`the bench page reported errors: ${errors.join('; ')}`);
  const cpu = cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  const summary = summarise(answer, `${process.arch}, ${cpus().length} CPUs (${cpu})`);
  summary.env.load = { before: loadBefore, after: loadavg()[0]! };
  const md = markdown(summary, (performance.now() - started) / 1000);
  writeFileSync(`${results}web.json`, `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(`${results}web.md`, md);
  console.log(`\n${md}\nwritten: bench/results/web.json, bench/results/web.md`);
} finally {
  await chromium.close();
}
