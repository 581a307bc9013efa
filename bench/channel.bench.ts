// Moving 64-byte messages between two processes, side by side in one run:
// everything a Node user would pick today (unix socket, pipes,
// child_process IPC; in-process worker_threads postMessage and a
// SharedArrayBuffer with Atomics.wait), shmkit's SPSC ring and MPMC queue,
// and C over shared memory built by gcc during the run (the physical
// limit); and a work queue, one producer to two consumer processes, as a
// Node user would deal it out and over shmkit's MPMC queue.
//
//   round trip of a 64-byte message        (latency)
//   64-byte messages one way, messages/s   (throughput; one call per message and batched)
//   streaming 1 GiB, GB/s                  (stream)
//
// Run: node --import tsx bench/channel.bench.ts [--quick] [--rounds N]
//        [--repeats N] [--seconds S] [--stream-mib N] [--only TEXT]
//
// Every case is a `Case` (bench/channel/case.ts) from a module of cases:
// bench/channel/node-cases.ts, c-cases.ts, shmkit-cases.ts and
// mpmc-cases.ts. One run of a case starts fresh peers, warms up
// (calibrating its count so one repeat takes about --seconds; a stream
// moves --stream-mib per repeat), then times
// --repeats repeats. The cases run interleaved in --rounds rounds, so noise
// from the rest of the machine is shared out among them; the tables give the
// median and min–max of every repeat of every round, and speed ratios (from
// medians) against the unix socket and the C limit. The tables are printed
// and written to bench/results/channel.md; a bar chart to channel.svg.
//
// The same file is the second process: `channel.bench.ts --peer <mode> ...`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { cleanUp, installCleanup, othersCpuSeconds, otherLoad, privateDir, type Case, type CaseModule, type Kind, type Settings } from './channel/case.js';
import { runMain } from './measure.js';
import { cCases, C_ADAPTIVE, C_FUTEX, C_RING_BATCH, C_RING_ONE, C_RING_STREAM, C_SPIN, C_SPIN_SC } from './channel/c-cases.js';
import { nodeCases, UNIX_LATENCY, UNIX_ONE, UNIX_PACKED, UNIX_STREAM } from './channel/node-cases.js';
import { formatBytes, goals, markdown, svg, type Row } from './channel/report.js';
import { mpmcCases } from './channel/mpmc-cases.js';
import { shmkitCases } from './channel/shmkit-cases.js';

/** Every module of cases, in table order within each kind: C limits first, then Node, then shmkit, then work queues (MPMC). */
const MODULES: CaseModule[] = [cCases, nodeCases, shmkitCases, mpmcCases];
const KINDS: Kind[] = ['latency', 'throughput', 'stream'];

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

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

interface Options extends Omit<Settings, 'dir'> {
  rounds: number;
  only?: string;
}

function options(argv: string[]): Options {
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

async function main(): Promise<void> {
  installCleanup();
  const started = performance.now();
  const o = options(process.argv.slice(2));
  const settings: Settings = { seconds: o.seconds, repeats: o.repeats, streamBytes: o.streamBytes, dir: privateDir() };

  const othersBefore = othersCpuSeconds();
  let cases: Case[] = [];
  for (const m of MODULES) cases.push(...(await m.cases(settings)));
  if (o.only) cases = cases.filter((c) => `${c.kind}: ${c.name}`.toLowerCase().includes(o.only!.toLowerCase()));
  cases.sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind)); // stable: module order within a kind
  if (cases.length === 0) throw new Error('no cases to run');

  const rows = new Map<Case, Row>(cases.map((c) => {
    const key = `${c.kind}:${c.name}`;
    const o = OVERRIDES[key] ?? {};
    return [c, {
      name: c.name, kind: c.kind, family: c.family, nsPerOp: [], goal: c.goal,
      socket: c.socket ?? o.socket ?? DEFAULT_SOCKET[c.kind],
      limit: c.limit ?? o.limit ?? DEFAULT_LIMIT[c.kind],
    }];
  }));
  for (let round = 1; round <= o.rounds; round++) {
    for (const c of cases) {
      const row = rows.get(c)!;
      if (row.error) continue; // failed once: not again
      const t = performance.now();
      process.stderr.write(`round ${round}/${o.rounds}: ${c.kind}: ${c.name} … `);
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

  const all = [...rows.values()];
  const seconds = (performance.now() - started) / 1000;
  const machine = `Node ${process.version}, ${process.arch}, ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? '?'})`;
  const how = `${o.rounds} interleaved rounds × ${o.repeats} timed repeats per case (each ≈ ${o.seconds} s; streams: ${formatBytes(o.streamBytes)} per repeat), after a warm-up per round`;
  const load = otherLoad(othersBefore, othersCpuSeconds(), seconds);
  const loadLine = load.cpus >= 0.1
    ? `**Warning: other processes kept ${load.cpus.toFixed(2)} of ${cpus().length} CPUs busy during the run** (busiest: ${load.top}); spinning cases suffer most.`
    : `Other processes kept ${load.cpus.toFixed(2)} CPUs busy during the run.`;
  const notes = cases.filter((c) => c.note).map((c) => `- ${c.kind} / ${c.name}: ${c.note}`);
  const goalLines = goals(all);
  const text = [
    `## Channels between processes, 64-byte messages`,
    '',
    `${machine}; ${new Date().toISOString().slice(0, 10)}; whole run ${seconds.toFixed(0)} s.`,
    `${how}. Medians and min–max over every repeat. "speed × unix socket" and "speed × C limit" divide medians: above 1 is faster.`,
    loadLine,
    `The C limit for blocking round trips is the futex ping-pong (always sleeps), for busy-wait ones the busy-wait ping-pong (the spin-then-futex row shows what a spin phase buys; the "as JS can write it" row drops pause and release stores, which neither JS nor Wasm has); batched message cases compare with the batched C ring and the packed socket; work queues (one producer, two consumer processes) with unix sockets dealt round-robin.`,
    '',
    markdown(all, KINDS, o.streamBytes),
    ...(goalLines.length ? ['### Goals (issue 5)', '', ...goalLines, ''] : []),
    '<details><summary>What each case does</summary>',
    '',
    ...notes,
    '',
    '</details>',
    '',
  ].join('\n');
  console.log(text);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}channel.md`, text);
  writeFileSync(`${RESULTS}channel.svg`, svg(all, KINDS, `${machine}; ${how}`, o.streamBytes));
  console.error(`wrote bench/results/channel.md and bench/results/channel.svg (${seconds.toFixed(0)} s)`);
}

async function peer(mode: string, args: string[]): Promise<void> {
  for (const m of MODULES) {
    const run = m.peers[mode];
    if (run) return run(args);
  }
  throw new Error(`no peer mode '${mode}'`);
}

if (process.argv[2] === '--peer') {
  peer(process.argv[3]!, process.argv.slice(4)).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  runMain(main, cleanUp);
}
