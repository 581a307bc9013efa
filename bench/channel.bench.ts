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
// and written to bench/results/channel.md, every sample to channel.json
// (bench/results.ts); a bar chart to channel.svg.
//
// The same file is the second process: `channel.bench.ts --peer <mode> ...`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cleanUp, installCleanup, othersCpuSeconds, privateDir, type Case, type CaseModule, type Settings } from './channel/case.js';
import { runMain } from './measure.js';
import { writeResults } from './results.js';
import { C_RING_STREAM, C_SPIN_SC, cCases } from './channel/c-cases.js';
import { UNIX_LATENCY, nodeCases } from './channel/node-cases.js';
import { goals, markdown, ratioGoals, resultRows, svg, type RatioGoal } from './channel/report.js';
import { mpmcCases } from './channel/mpmc-cases.js';
import { KINDS, options, runLines, runRounds, selectCases } from './channel/run-cases.js';
import { SHMKIT_BLOCK, SHMKIT_SPIN, SHMKIT_STREAM, shmkitCases } from './channel/shmkit-cases.js';

/** Every module of cases, in table order within each kind: C limits first, then Node, then shmkit, then work queues (MPMC). */
const MODULES: CaseModule[] = [cCases, nodeCases, shmkitCases, mpmcCases];

/** Issue 13's goals: the blocking calls as fast as spinning, far ahead of a socket; spinning at what JS can do; streams near memory speed. */
const RATIO_GOALS: RatioGoal[] = [
  { what: 'blocking round trip ≤ 2× shmkit\'s own busy-wait', kind: 'latency', of: SHMKIT_BLOCK, to: SHMKIT_SPIN, most: 2 },
  { what: 'blocking round trip ≥ 100× faster than a unix socket', kind: 'latency', of: UNIX_LATENCY, to: SHMKIT_BLOCK, least: 100 },
  { what: 'busy-wait round trip ≤ 1.1× C as JS can write it', kind: 'latency', of: SHMKIT_SPIN, to: C_SPIN_SC, most: 1.1 },
  { what: 'stream ≥ 0.7× the C ring', kind: 'stream', of: SHMKIT_STREAM, to: C_RING_STREAM, least: 0.7 },
];

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

async function main(): Promise<void> {
  installCleanup();
  const started = performance.now();
  const o = options(process.argv.slice(2));
  const settings: Settings = { seconds: o.seconds, repeats: o.repeats, streamBytes: o.streamBytes, dir: privateDir() };

  const othersBefore = othersCpuSeconds();
  const found: Case[] = [];
  for (const m of MODULES) found.push(...(await m.cases(settings)));
  const cases = selectCases(found, o.only);
  const all = await runRounds(cases, o.rounds);

  const seconds = (performance.now() - started) / 1000;
  const { machine, how, loadLine } = runLines(o, seconds, othersBefore, othersCpuSeconds());
  const notes = cases.filter((c) => c.note).map((c) => `- ${c.kind} / ${c.name}: ${c.note}`);
  const goalLines = goals(all);
  const ratioLines = ratioGoals(all, RATIO_GOALS);
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
    '### Goals (issue 13), as ratios in this run', '', ...ratioLines, '',
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
  writeResults('channel', resultRows(all), { ...o });
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
