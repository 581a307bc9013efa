// The channel bench's command line and round runner, shared by
// bench/channel.bench.ts and bench/peers/run.ts: the options, what each
// kind's ratios are taken against, the interleaved rounds, and the lines
// that say how and where a run ran.
import { cpus } from 'node:os';
import { otherLoad, type Case, type Kind, type Settings } from './case.js';
import { C_ADAPTIVE, C_FUTEX, C_RING_BATCH, C_RING_ONE, C_RING_STREAM, C_SPIN, C_SPIN_SC } from './c-cases.js';
import { UNIX_LATENCY, UNIX_ONE, UNIX_PACKED, UNIX_STREAM } from './node-cases.js';
import { formatBytes, type Row } from './report.js';

export const KINDS: Kind[] = ['latency', 'throughput', 'stream'];

/** What each kind's ratios are taken against, unless a case says otherwise. */
const DEFAULT_SOCKET: Record<Kind, string> = { latency: UNIX_LATENCY, throughput: UNIX_ONE, stream: UNIX_STREAM };
const DEFAULT_LIMIT: Record<Kind, string> = { latency: C_FUTEX, throughput: C_RING_ONE, stream: C_RING_STREAM };
/** Special cases among the defaults: busy-waiting compares with busy-waiting, batches with batches. */
const OVERRIDES: Record<string, Partial<Pick<Case, 'socket' | 'limit'>>> = {
  [`latency:${C_SPIN}`]: { limit: C_SPIN },
  [`latency:${C_SPIN_SC}`]: { limit: C_SPIN },
  [`latency:${C_ADAPTIVE}`]: { limit: C_ADAPTIVE },
  [`throughput:${C_RING_BATCH}`]: { socket: UNIX_PACKED },
  [`throughput:${UNIX_PACKED}`]: { socket: UNIX_PACKED, limit: C_RING_BATCH },
};

export interface Options extends Omit<Settings, 'dir'> {
  rounds: number;
  only?: string;
}

/** Parses `[--quick] [--rounds N] [--repeats N] [--seconds S] [--stream-mib N] [--only TEXT]`. */
export function options(argv: string[]): Options {
  const o: Options = { rounds: 4, repeats: 2, seconds: 0.35, streamBytes: 1 << 30 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const positive = (v: string) => {
      const n = Number(v);
      if (!(n > 0)) throw new Error(`${arg} must be a positive number: ${v}`);
      return n;
    };
    if (arg === '--quick') Object.assign(o, { rounds: 1, repeats: 2, seconds: 0.15, streamBytes: 256 << 20 });
    else if (arg === '--rounds') o.rounds = Math.round(positive(next()));
    else if (arg === '--repeats') o.repeats = Math.round(positive(next()));
    else if (arg === '--seconds') o.seconds = positive(next());
    else if (arg === '--stream-mib') o.streamBytes = Math.round(positive(next()) * (1 << 20));
    else if (arg === '--only') o.only = next();
    else throw new Error(`unknown option ${arg}`);
  }
  return o;
}

/** `cases` filtered by --only and sorted by kind (stable: their order within a kind). */
export function selectCases(cases: Case[], only: string | undefined): Case[] {
  if (only) cases = cases.filter((c) => `${c.kind}: ${c.name}`.toLowerCase().includes(only.toLowerCase()));
  cases = [...cases].sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind));
  if (cases.length === 0) throw new Error('no cases to run');
  return cases;
}

/** Runs every case once per round, interleaved, `rounds` times; a case that fails once is not run again. One row per case, in order. */
export async function runRounds(cases: Case[], rounds: number): Promise<Row[]> {
  const rows = new Map<Case, Row>(cases.map((c) => {
    const key = `${c.kind}:${c.name}`;
    const o = OVERRIDES[key] ?? {};
    return [c, {
      name: c.name, kind: c.kind, family: c.family, nsPerOp: [], goal: c.goal,
      socket: c.socket ?? o.socket ?? DEFAULT_SOCKET[c.kind],
      limit: c.limit ?? o.limit ?? DEFAULT_LIMIT[c.kind],
    }];
  }));
  for (let round = 1; round <= rounds; round++) {
    for (const c of cases) {
      const row = rows.get(c)!;
      if (row.error) continue; // failed once: not again
      const t = performance.now();
      process.stderr.write(`round ${round}/${rounds}: ${c.kind}: ${c.name} … `);
      try {
        const sample = await c.run();
        row.nsPerOp.push(...sample.nsPerOp);
        process.stderr.write(`${((performance.now() - t) / 1000).toFixed(1)} s\n`);
      } catch (error) {
        row.error = (error as Error).message;
        row.nsPerOp = [];
        process.stderr.write(`FAILED: ${row.error}\n`);
      }
    }
  }
  return [...rows.values()];
}

/** The machine, how the run was done, and how busy the rest of the machine kept it. */
export function runLines(o: Options, seconds: number, othersBefore: Map<number, number>, othersAfter: Map<number, number>): { machine: string; how: string; loadLine: string } {
  const machine = `Node ${process.version}, ${process.arch}, ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? '?'})`;
  const how = `${o.rounds} interleaved rounds × ${o.repeats} timed repeats per case (each ≈ ${o.seconds} s; streams: ${formatBytes(o.streamBytes)} per repeat), after a warm-up per round`;
  const load = otherLoad(othersBefore, othersAfter, seconds);
  const loadLine = load.cpus >= 0.1
    ? `**Warning: other processes kept ${load.cpus.toFixed(2)} of ${cpus().length} CPUs busy during the run** (busiest: ${load.top}); spinning cases suffer most.`
    : `Other processes kept ${load.cpus.toFixed(2)} CPUs busy during the run.`;
  return { machine, how, loadLine };
}
