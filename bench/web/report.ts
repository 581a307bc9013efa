// The web bench's results as JSON and as Markdown tables: medians over the
// rounds, min–max, and each row's speed against its group's postMessage
// baseline, with the goals of issue 11 checked.
import { median } from '../measure.js';

export interface CaseResult {
  group: 'roundtrip' | 'throughput';
  path: string;
  name: string;
  shmkit: boolean;
  /** The row others in its group and path are compared with. */
  baseline: boolean;
  unit: 'µs' | 'msgs/s';
  values: number[];
}

export interface BenchResults {
  env: { userAgent: string; hardwareConcurrency: number; crossOriginIsolated: boolean; rounds: number; scale: number };
  cases: CaseResult[];
}

/** Goals of issue 11: messages/s at least 20× postMessage's, a round trip at most a tenth of postMessage's. */
const GOAL = { throughput: 20, roundtrip: 10 };

const NOTES = [
  '<details><summary>What the cases do, and where the time goes</summary>',
  '',
  '- Every message is 64 bytes with its sequence number in its first four; every receiver checks it. postMessage rows send a Uint8Array (cloned, or its buffer transferred: a new one per message); MessageChannel rows do the same over a port. Round trips wait for each answer; messages/s rows send one way until the receiver has counted them all.',
  '- shmkit rows use SPSC rings of 64 KiB in a formatted region of one PlainArena, joined by the workers from `arena.share()`. A page may not block, so it spins on `tryPeek` or awaits `receiveAsync` (Atomics.waitAsync); workers call `receiveSync` (spin, then Atomics.wait) or spin on `tryPeek` (busy-wait rows).',
  "- Where a side sleeps, the round trip is bounded by Chromium's wake-ups: a worker sleeping in `Atomics.wait` is woken by `Atomics.notify`, and a settled `Atomics.waitAsync` reaches the page's code through its event loop; on this machine two such wake-ups per round trip cost 25–40 µs, about what postMessage costs. receiveSync's default spin (256 attempts, ~1 µs) is shorter than the other side's answer, so it sleeps every time; with a spin as long as the answer takes (the `spin: 20000` row) it rarely does. On a 2-CPU machine shared with other work, spinning rows lose their core whenever something else runs: compare ratios within one run, and look at the min–max.",
  '',
  '</details>',
];

/** Three significant digits, no exponent. */
function fmt(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  return x.toFixed(Math.min(digits, 6));
}

/** Display value: µs, or M msgs/s. */
const shown = (c: CaseResult, v: number) => (c.unit === 'µs' ? v : v / 1e6);

function baselineOf(all: CaseResult[], c: CaseResult): CaseResult | undefined {
  return all.find((b) => b.baseline && b.group === c.group && b.path === c.path);
}

/** How many times better than the baseline (round trips: baseline / value; rates: value / baseline). */
export function speedup(all: CaseResult[], c: CaseResult): number {
  const base = baselineOf(all, c);
  if (!base || base.values.length === 0 || c.values.length === 0) return NaN;
  const [m, b] = [median(c.values), median(base.values)];
  return c.group === 'roundtrip' ? b / m : m / b;
}

export interface Summary {
  generated: string;
  env: BenchResults['env'] & { node: string; machine: string; load?: { before: number; after: number } };
  cases: (CaseResult & { median: number; min: number; max: number; speedup: number })[];
  goals: { case: string; speedup: number; goal: number; met: boolean }[];
}

export function summarise(results: BenchResults, machine: string): Summary {
  const cases = results.cases.map((c) => ({ ...c, median: median(c.values), min: Math.min(...c.values), max: Math.max(...c.values), speedup: speedup(results.cases, c) }));
  const goals = cases.filter((c) => c.shmkit).map((c) => {
    const goal = GOAL[c.group];
    return { case: `${c.path}, ${c.name}`, speedup: c.speedup, goal, met: c.speedup >= goal };
  });
  return { generated: new Date().toISOString(), env: { ...results.env, node: process.version, machine }, cases, goals };
}

export function markdown(summary: Summary, seconds: number): string {
  const { env } = summary;
  const browser = /(Chrom(e|ium)\/[\d.]+)/.exec(env.userAgent)?.[1] ?? env.userAgent;
  const out = [
    '## shmkit in the browser: 64-byte messages between a page and workers', '',
    `${browser} headless (Debian's /usr/bin/chromium via playwright-core), crossOriginIsolated ${env.crossOriginIsolated}; ${env.machine}, ${env.hardwareConcurrency} CPUs as the browser sees them; ${summary.generated.slice(0, 10)}; whole run ${seconds.toFixed(0)} s.`,
    env.load ? `The machine's 1-minute load average was ${env.load.before.toFixed(1)} when the run began and ${env.load.after.toFixed(1)} when it ended (on ${env.hardwareConcurrency} CPUs: above that, every thread shares its core).` : '',
    `${env.rounds} rounds after a warm-up round, every case once per round, interleaved${env.scale === 1 ? '' : `, message counts × ${env.scale}`}. Medians and min–max over the rounds. "× postMessage" divides medians against the first row of its table: above 1 is better.`,
    '',
  ];
  for (const group of ['roundtrip', 'throughput'] as const) {
    for (const path of [...new Set(summary.cases.filter((c) => c.group === group).map((c) => c.path))]) {
      const rows = summary.cases.filter((c) => c.group === group && c.path === path);
      out.push(group === 'roundtrip' ? `### Round trip, ${path} (µs, lower is better)` : `### Messages/s, ${path} (M msgs/s, higher is better)`, '');
      out.push(`| case | median ${group === 'roundtrip' ? 'µs' : 'M msgs/s'} | min–max | runs | × postMessage |`, '| --- | ---: | ---: | ---: | ---: |');
      for (const c of rows) {
        out.push(`| ${c.name}${c.shmkit ? ' **(shmkit)**' : ''} | ${fmt(shown(c, c.median))} | ${fmt(shown(c, c.min))}–${fmt(shown(c, c.max))} | ${c.values.length} | ${c.baseline ? '1×' : `${fmt(c.speedup)}×`} |`);
      }
      out.push('');
    }
  }
  out.push('### Goals (issue 11): messages/s ≥ 20× postMessage, round trip ≤ 1/10 of postMessage', '');
  for (const g of summary.goals) out.push(`- ${g.case}: ${fmt(g.speedup)}× (goal ≥ ${g.goal}×): ${g.met ? 'met' : '**NOT met**'}`);
  out.push('', ...NOTES, '');
  return out.join('\n');
}
