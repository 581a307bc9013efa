// The one stored format of `npm run bench`'s figures: bench/results/<bench>.json,
// written at the end of struct.bench.ts, sync.bench.ts and channel.bench.ts,
// and read back by bench/run.ts --compare (bench/compare.ts).
//
//   { format, bench, run: { date, node, arch, cpus, cpuModel, commit, dirty, argv, settings },
//     rows: [{ table, name, unit, better, samples, median, spread: [p10, p90] }] }
//
// A row is one case of one table; (table, name) identifies it across runs.
// Samples are in the unit the table shows, one per timed repeat.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { median, quantile, type Sample } from './measure.js';

/** Bumped when a field changes meaning; bench/compare.ts refuses other formats. */
export const RESULTS_FORMAT = 1;

export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

export type Better = 'lower' | 'higher';

export interface ResultRow {
  /** The table (section) the row belongs to. */
  table: string;
  /** The case. */
  name: string;
  unit: string;
  better: Better;
  /** Every timed repeat, in `unit`; empty if the case failed. */
  samples: number[];
  /** Median of `samples` (null if there are none). */
  median: number | null;
  /** p10 and p90 of `samples` (min and max below 10 samples): the run-to-run spread. */
  spread: [number, number] | null;
  /** Why there are no samples. */
  error?: string;
}

export interface RunInfo {
  /** ISO date and time the results were written. */
  date: string;
  node: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  /** HEAD when the run was made, and whether tracked files outside bench/results/ differed from it. */
  commit: string | null;
  dirty: boolean | null;
  /** The bench's command-line flags. */
  argv: string[];
  /** The bench's own settings (repeats, sizes…), so runs with different settings can be told apart. */
  settings: Record<string, unknown>;
}

export interface BenchResults {
  format: number;
  bench: string;
  run: RunInfo;
  rows: ResultRow[];
}

/** Six significant digits: the timer's noise is far above that, and the files stay readable. */
function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}

/** One stored row from a table's samples (in the table's unit). */
export function resultRow(table: string, name: string, unit: string, better: Better, values: number[], error?: string): ResultRow {
  const samples = values.map(round);
  const has = samples.length > 0;
  return {
    table, name, unit, better, samples,
    median: has ? round(median(samples)) : null,
    spread: has ? [quantile(samples, 0.1), quantile(samples, 0.9)] : null,
    ...(error === undefined ? {} : { error }),
  };
}

/** The rows of a `measure.ts` table (ns per op, lower is better). */
export function sampleRows(table: string, unit: string, samples: Sample[]): ResultRow[] {
  return samples.map((s) => resultRow(table, s.name, unit, 'lower', s.nsPerOp));
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: RESULTS_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function runInfo(settings: Record<string, unknown> = {}): RunInfo {
  const status = git(['status', '--porcelain', '--untracked-files=no', '--', ':/', ':!bench/results']);
  return {
    date: new Date().toISOString(),
    node: process.version,
    arch: process.arch,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? '?',
    commit: git(['rev-parse', 'HEAD']),
    dirty: status === null ? null : status !== '',
    argv: process.argv.slice(2),
    settings,
  };
}

/** Writes bench/results/<bench>.json; returns its path. */
export function writeResults(bench: string, rows: ResultRow[], settings: Record<string, unknown> = {}): string {
  const results: BenchResults = { format: RESULTS_FORMAT, bench, run: runInfo(settings), rows };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = `${RESULTS_DIR}${bench}.json`;
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  console.error(`wrote bench/results/${bench}.json`);
  return path;
}
