// npm run bench (after the build): the struct, sync and channel benches, in
// that order, each in its own process and each writing
// bench/results/<bench>.json. Flags other than --compare go to the channel
// bench (--quick, --rounds N, …).
//
// --compare: before running, read the stored results as committed (HEAD's
// bench/results/<bench>.json, else the file on disk), and after, list every
// row that moved by more than its run-to-run spread (bench/compare.ts),
// printed and written to bench/results/compare.md. Benches are noisy: the
// exit code stays 0 whatever moved; the last line counts the rows that got worse.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { compareMarkdown, compareResults, type Comparison } from './compare.js';
import { options } from './channel/run-cases.js';
import { RESULTS_DIR, type BenchResults } from './results.js';

const BENCHES = ['struct', 'sync', 'channel'] as const;
type Bench = (typeof BENCHES)[number];

interface Stored {
  results?: BenchResults;
  from: string;
}

/** The committed results of `bench`, else the file on disk, else none. */
function stored(bench: Bench): Stored {
  const path = `bench/results/${bench}.json`;
  try {
    const text = execFileSync('git', ['show', `HEAD:${path}`], { cwd: RESULTS_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
    return { results: JSON.parse(text), from: `HEAD:${path}` };
  } catch {
    try {
      return { results: JSON.parse(readFileSync(`${RESULTS_DIR}${bench}.json`, 'utf8')), from: `${path} (on disk, not committed)` };
    } catch {
      return { from: 'none' };
    }
  }
}

function describe(bench: Bench, s: Stored): string {
  if (!s.results) return `${bench}: no stored results`;
  const { commit, dirty, date } = s.results.run;
  return `${bench}: ${s.from}, run ${date.slice(0, 16).replace('T', ' ')} UTC at ${commit?.slice(0, 7) ?? '?'}${dirty ? ' (with uncommitted changes)' : ''}`;
}

function run(bench: Bench, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `bench/${bench}.bench.ts`, ...args], { stdio: 'inherit' });
    child.on('close', (code, signal) => resolve(signal ? 1 : code ?? 1));
  });
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const compare = argv.includes('--compare');
  const channelArgs = argv.filter((a) => a !== '--compare');
  options(channelArgs); // a bad flag fails now, not after the first two benches
  // Ctrl-C reaches the running bench too, which cleans up and exits; wait for it.
  process.on('SIGINT', () => {});
  const before = compare ? new Map(BENCHES.map((b) => [b, stored(b)])) : undefined;
  const after = new Map<Bench, BenchResults>();
  for (const bench of BENCHES) {
    const started = Date.now();
    const code = await run(bench, bench === 'channel' ? channelArgs : []);
    if (code !== 0) {
      console.error(`bench/${bench}.bench.ts exited with ${code}`);
      return code;
    }
    const results: BenchResults = JSON.parse(readFileSync(`${RESULTS_DIR}${bench}.json`, 'utf8'));
    if (Date.parse(results.run.date) < started - 1000) throw new Error(`bench/${bench}.bench.ts did not write bench/results/${bench}.json`);
    after.set(bench, results);
  }
  if (before) {
    const comparisons: Comparison[] = BENCHES.map((b) => compareResults(before.get(b)!.results, after.get(b)!));
    const text = compareMarkdown(comparisons, BENCHES.map((b) => describe(b, before.get(b)!)));
    console.log(`\n${text}`);
    writeFileSync(`${RESULTS_DIR}compare.md`, text);
    console.error('wrote bench/results/compare.md');
  }
  return 0;
}

main().then((code) => {
  process.exitCode = code;
}, (error) => {
  console.error(error);
  process.exitCode = 1;
});
