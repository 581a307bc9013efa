// Locks, side by side: shmkit's Mutex (uncontended, and handed between two
// processes), the core's exports without the wrapper, a process-shared
// pthread_mutex in C (the physical limit), and Atomics on a plain
// SharedArrayBuffer (the in-process reference).
// Run: node --import tsx bench/sync.bench.ts
//
// The two-process handoffs use three mutexes handed round: each side holds
// two, unlocks its older one, then locks the one the other side holds. So
// every lock() waits for the other process's unlock(): strict alternation,
// and (unless a spinning lock catches the unlock first) each handoff is one
// futex sleep in one process ended by a FUTEX_WAKE from the other.
// bench/c/pthread_handoff.c runs the very same scheme with
// PTHREAD_PROCESS_SHARED mutexes. A "round trip" is two handoffs: one step
// of this side (its unlock hands a mutex over, its lock waits for the one
// handed back), as in the C program. Context
// switches of both sides (voluntary + involuntary, from getrusage) are
// counted, to show whether each handoff really went through the scheduler.
// The cases run interleaved, in ROUNDS rounds, so that noise from the rest
// of the machine is shared out among them.
//
// The same file is the second process: `sync.bench.ts --peer <mode> <name>`.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import koffi from 'koffi';
import { openOrCreate, Posix, type LockResult, type ManagedSegment, type Mutex, type Segment } from '../host/index.js';
import { futexWait, futexWake } from '../host/linux/futex.js';
import { latencyTable, measure, median, runMain, table, type Latencies, type Sample } from './measure.js';
import { sampleRows, writeResults } from './results.js';
import { cleanUp, installCleanup, onCleanup } from './cleanup.js';

const SELF = fileURLToPath(import.meta.url);
const C_SOURCE = fileURLToPath(new URL('./c/pthread_handoff.c', import.meta.url));
const SEGMENT_SIZE = 1 << 16;

const UNCONTENDED_OPS = 2_000_000; // lock+unlock pairs per run
const UNCONTENDED_REPEATS = 15;
const ROUND_TRIPS = 2_000; // per run
const ROUNDS = 4; // each handoff case runs once per round...
const HANDOFF_REPEATS = 5; // ...timing this many runs
const WARM_ROUND_TRIPS = 300;

// Control words in the segment's 'ctl' object.
const READY = 0;
const STOP = 1;
const TURN = 2; // the raw futex ping-pong's word
const SWITCHES = 3; // the peer's context switches, written as it exits

type PeerMode = 'mutex' | 'mutex-nospin' | 'event' | 'futex';

function contextSwitches(): number {
  const usage = process.resourceUsage();
  return usage.voluntaryContextSwitches + usage.involuntaryContextSwitches;
}

function must(result: LockResult): void {
  if (result !== 'acquired') throw new Error(`lock() returned '${result}': the other process died?`);
}

function controlWords(managed: ManagedSegment<Segment>): { words: Int32Array; address: (index: number) => number } {
  const bytes = managed.findOrCreate('ctl', { bytes: 64 });
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, 16);
  const base = managed.segment.arena.baseAddress + bytes.byteOffset;
  return { words, address: (index) => base + 4 * index };
}

function mutexes(managed: ManagedSegment): Mutex[] {
  return [managed.mutex('m0'), managed.mutex('m1'), managed.mutex('m2')];
}

function lockOptions(mode: PeerMode) {
  return mode === 'mutex-nospin' ? { spin: 0 } : undefined;
}

// ─── the second process ──────────────────────────────────────────────────

function peer(mode: PeerMode, name: string): void {
  // The first process starts us in our own process group (so a Ctrl-C meant
  // for it does not leave it blocked on a dead peer); die with it instead.
  const prctl = koffi.load('libc.so.6').func('int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)');
  prctl(1 /* PR_SET_PDEATHSIG */, 9 /* SIGKILL */, 0, 0, 0);
  if (process.ppid === 1) process.exit(1); // the parent is already gone
  const managed = openOrCreate({ kind: 'posix', name, size: SEGMENT_SIZE });
  try {
    const { words, address } = controlWords(managed);
    if (mode === 'mutex' || mode === 'mutex-nospin') {
      const m = mutexes(managed);
      const options = lockOptions(mode);
      must(m[2]!.lockSync());
      const before = contextSwitches();
      Atomics.store(words, READY, 1);
      must(m[0]!.lockSync(options)); // sleeps until the first process starts
      for (let k = 2; ; k++) { // holds m[k % 3] and m[(k + 1) % 3]
        m[k % 3]!.unlock();
        must(m[(k + 2) % 3]!.lockSync(options));
        if (Atomics.load(words, STOP)) {
          m[(k + 1) % 3]!.unlock();
          m[(k + 2) % 3]!.unlock();
          Atomics.store(words, SWITCHES, contextSwitches() - before);
          break;
        }
      }
    } else if (mode === 'event') {
      const ping = managed.event('ping', { autoReset: true });
      const pong = managed.event('pong', { autoReset: true });
      const before = contextSwitches();
      Atomics.store(words, READY, 1);
      for (;;) {
        ping.waitSync();
        if (Atomics.load(words, STOP)) {
          Atomics.store(words, SWITCHES, contextSwitches() - before);
          break;
        }
        pong.set();
      }
    } else {
      const turn = address(TURN);
      const before = contextSwitches();
      Atomics.store(words, READY, 1);
      for (;;) {
        while (Atomics.load(words, TURN) !== 1) futexWait(turn, 0);
        if (Atomics.load(words, STOP)) {
          Atomics.store(words, SWITCHES, contextSwitches() - before);
          break;
        }
        Atomics.store(words, TURN, 0);
        futexWake(turn, 1);
      }
    }
  } finally {
    managed.close();
  }
}


// ─── timing helpers ──────────────────────────────────────────────────────

interface HandoffResult {
  sample: Sample;
  latencies: Latencies;
  /** Context switches of both sides over `handoffs` handoffs (warm-up included). */
  switches: number;
  handoffs: number;
}

/** Runs `roundTrip` (two handoffs) in timed batches, recording every round trip's latency. */
function timeHandoffs(name: string, roundTrip: () => void): HandoffResult {
  const before = contextSwitches();
  for (let i = 0; i < WARM_ROUND_TRIPS; i++) roundTrip();
  const ns = new Float64Array(ROUND_TRIPS * HANDOFF_REPEATS);
  const nsPerOp: number[] = [];
  for (let r = 0; r < HANDOFF_REPEATS; r++) {
    const start = performance.now();
    let previous = start;
    for (let i = 0; i < ROUND_TRIPS; i++) {
      roundTrip();
      const now = performance.now();
      ns[r * ROUND_TRIPS + i] = (now - previous) * 1e6;
      previous = now;
    }
    nsPerOp.push(((previous - start) * 1e6) / (2 * ROUND_TRIPS));
  }
  const switches = contextSwitches() - before;
  return { sample: { name, nsPerOp }, latencies: { name, ns }, switches, handoffs: 2 * (WARM_ROUND_TRIPS + ROUND_TRIPS * HANDOFF_REPEATS) };
}

/** One case's results from every round, pooled. */
function pool(results: HandoffResult[]): HandoffResult {
  const ns = new Float64Array(results.reduce((n, r) => n + r.latencies.ns.length, 0));
  let at = 0;
  for (const r of results) {
    ns.set(Array.from(r.latencies.ns), at);
    at += r.latencies.ns.length;
  }
  const name = results[0]!.sample.name;
  const switches = results.reduce((n, r) => n + r.switches, 0);
  const handoffs = results.reduce((n, r) => n + r.handoffs, 0);
  return {
    sample: { name, nsPerOp: results.flatMap((r) => r.sample.nsPerOp) },
    latencies: { name, ns, extra: (switches / handoffs).toFixed(2) },
    switches, handoffs,
  };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return child.exitCode === 0 ? resolve() : reject(new Error(`peer exited with ${child.exitCode}`));
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`peer exited with code ${code}, signal ${signal}`))));
  });
}

async function until(condition: () => boolean, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`peer exited before ${what}`);
    if (Date.now() > deadline) throw new Error(`peer never got to ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

// ─── two Node processes over a shmkit segment ────────────────────────────

let segments = 0;
async function twoProcesses(label: string, mode: PeerMode): Promise<HandoffResult> {
  const name = `/shmkit-bench-sync-${process.pid}-${segments++}`;
  const managed = openOrCreate({ kind: 'posix', name, size: SEGMENT_SIZE });
  const unlink = onCleanup(() => Posix.remove(name)); // runs once: now, or at exit
  onCleanup(() => managed.close());
  const { words, address } = controlWords(managed);
  const m = mutexes(managed);
  const ping = managed.event('ping', { autoReset: true });
  const pong = managed.event('pong', { autoReset: true });
  const options = lockOptions(mode);
  if (mode === 'mutex' || mode === 'mutex-nospin') {
    must(m[0]!.lockSync());
    must(m[1]!.lockSync());
  }

  // Own process group: Ctrl-C reaches only us; we finish the case, then clean up (and kill it).
  const child = spawn(process.execPath, ['--import', 'tsx', SELF, '--peer', mode, name], { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  onCleanup(kill);
  const done = exited(child);
  done.catch(() => {}); // awaited below; keep an early failure from going unhandled
  await until(() => Atomics.load(words, READY) === 1, child, 'ready');
  unlink(); // both have it mapped: nothing is left behind even on SIGKILL from here on
  await new Promise((resolve) => setTimeout(resolve, 20)); // let the peer go to sleep

  let result: HandoffResult;
  if (mode === 'mutex' || mode === 'mutex-nospin') {
    let k = 0; // this side holds m[k % 3] and m[(k + 1) % 3]
    const step = () => {
      m[k % 3]!.unlock();
      must(m[(k + 2) % 3]!.lockSync(options));
      k++;
    };
    result = timeHandoffs(label, step); // one step is two handoffs: ours to the peer, and the peer's back
    Atomics.store(words, STOP, 1);
    m[k % 3]!.unlock();
    m[(k + 1) % 3]!.unlock();
  } else if (mode === 'event') {
    result = timeHandoffs(label, () => {
      ping.set();
      pong.waitSync();
    });
    Atomics.store(words, STOP, 1);
    ping.set();
  } else {
    const turn = address(TURN);
    result = timeHandoffs(label, () => {
      Atomics.store(words, TURN, 1);
      futexWake(turn, 1);
      while (Atomics.load(words, TURN) === 1) futexWait(turn, 1);
    });
    Atomics.store(words, STOP, 1);
    Atomics.store(words, TURN, 1);
    futexWake(turn, 1);
  }
  await done;
  result.switches += Atomics.load(words, SWITCHES);
  managed.close();
  return result;
}

// ─── two threads, Atomics on a plain SharedArrayBuffer ───────────────────

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const w = new Int32Array(workerData);
Atomics.store(w, ${READY}, 1);
for (;;) {
  while (Atomics.load(w, ${TURN}) !== 1) Atomics.wait(w, ${TURN}, 0);
  if (Atomics.load(w, ${STOP})) break;
  Atomics.store(w, ${TURN}, 0);
  Atomics.notify(w, ${TURN}, 1);
}`;

async function twoThreads(label: string): Promise<HandoffResult> {
  const w = new Int32Array(new SharedArrayBuffer(64));
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: w.buffer });
  onCleanup(() => void worker.terminate());
  const done = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', () => resolve());
  });
  done.catch(() => {});
  const deadline = Date.now() + 15_000;
  while (Atomics.load(w, READY) !== 1) {
    if (Date.now() > deadline) throw new Error('worker never got ready');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const result = timeHandoffs(label, () => { // its context switches count both threads
    Atomics.store(w, TURN, 1);
    Atomics.notify(w, TURN, 1);
    while (Atomics.load(w, TURN) === 1) Atomics.wait(w, TURN, 1);
  });
  Atomics.store(w, STOP, 1);
  Atomics.store(w, TURN, 1);
  Atomics.notify(w, TURN, 1);
  await done;
  return result;
}

// ─── C: process-shared pthread mutexes ───────────────────────────────────

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { maxBuffer: 64 << 20 }, (error, stdout, stderr) => (error ? reject(new Error(`${file} ${args.join(' ')}: ${error.message}${stderr}`)) : resolve(stdout)));
    onCleanup(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
  });
}

/** Compiles bench/c/pthread_handoff.c into a temporary directory; undefined without gcc. */
async function compileC(): Promise<string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'shmkit-bench-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const binary = join(dir, 'pthread_handoff');
  try {
    await run('gcc', ['-O2', '-pthread', '-o', binary, C_SOURCE]);
    return binary;
  } catch (error) {
    console.error(`(C rows skipped: ${(error as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

type PthreadKind = 'plain' | 'robust' | 'adaptive';

async function cUncontended(binary: string, kind: PthreadKind, name: string): Promise<Sample> {
  const out = JSON.parse(await run(binary, ['uncontended', kind, String(UNCONTENDED_OPS * 5), String(UNCONTENDED_REPEATS)]));
  return { name, nsPerOp: out.nsPerOp };
}

async function cHandoff(binary: string, kind: PthreadKind, name: string): Promise<HandoffResult> {
  const out = JSON.parse(await run(binary, ['handoff', kind, String(ROUND_TRIPS), String(HANDOFF_REPEATS)]));
  return { sample: { name, nsPerOp: out.nsPerOp }, latencies: { name, ns: out.roundTripNs }, switches: out.switches, handoffs: out.handoffs };
}

// ─── the run ─────────────────────────────────────────────────────────────

const JS_MUTEX = 'shmkit Mutex lock()+unlock() from JS';
const JS_CORE = 'core exports called from JS (no wrapper)';
const JS_ATOMICS = 'JS Atomics CAS lock / store unlock, plain SAB';
const C_PLAIN = 'C pthread_mutex, process-shared';
const C_ROBUST = 'C pthread_mutex, process-shared + robust';
const C_ADAPTIVE = 'C pthread_mutex, process-shared + adaptive (spins)';
const H_MUTEX = 'shmkit Mutex, 2 Node processes (adaptive spin, default)';
const H_NOSPIN = 'shmkit Mutex, 2 Node processes (spin 0)';
const H_EVENT = 'shmkit auto-reset Event pair, 2 Node processes';
const H_FUTEX = 'raw futex via koffi (host/linux/futex.ts), 2 Node processes';
const H_C = 'C pthread_mutex, 2 processes';
const H_C_ROBUST = 'C pthread_mutex robust, 2 processes';
const H_C_ADAPTIVE = 'C pthread_mutex adaptive (spins), 2 processes';
const H_ATOMICS = 'Atomics.wait/notify, 2 worker_threads (in-process)';

async function main(): Promise<void> {
  installCleanup();
  const started = performance.now();
  const binary = await compileC();

  // 1, 2, 5a: uncontended, in this process.
  const uncontended: Sample[] = [];
  {
    const name = `/shmkit-bench-sync-${process.pid}-u`;
    const managed = openOrCreate({ kind: 'posix', name, size: SEGMENT_SIZE });
    Posix.remove(name); // mapped here; nobody else needs the name
    onCleanup(() => managed.close());
    const mutex = managed.mutex('m');
    const core = managed.segment.arena.core;
    const at = mutex.place.offset;
    const id = mutex.place.host.id;
    const sab = new Int32Array(new SharedArrayBuffer(64));
    let failures = 0;
    uncontended.push(measure(JS_MUTEX, UNCONTENDED_OPS, UNCONTENDED_REPEATS, () => {
      for (let i = 0; i < UNCONTENDED_OPS; i++) {
        mutex.lockSync();
        mutex.unlock();
      }
    }));
    uncontended.push(measure(JS_CORE, UNCONTENDED_OPS, UNCONTENDED_REPEATS, () => {
      for (let i = 0; i < UNCONTENDED_OPS; i++) {
        failures += core.mutexTryLock(at, id, 0);
        failures += core.mutexUnlock(at, id);
      }
    }));
    uncontended.push(measure(JS_ATOMICS, UNCONTENDED_OPS, UNCONTENDED_REPEATS, () => {
      for (let i = 0; i < UNCONTENDED_OPS; i++) {
        failures += Atomics.compareExchange(sab, 0, 0, id);
        Atomics.store(sab, 0, 0);
      }
    }));
    if (failures !== 0) throw new Error(`an uncontended lock failed (${failures})`);
    managed.close();
  }
  if (binary) {
    uncontended.push(await cUncontended(binary, 'plain', C_PLAIN));
    uncontended.push(await cUncontended(binary, 'robust', C_ROBUST));
    uncontended.push(await cUncontended(binary, 'adaptive', C_ADAPTIVE));
  }

  // 3, 4, 5b: handoffs.
  const cases: Array<[string, () => Promise<HandoffResult>]> = [
    ...(binary ? [
      [H_C, () => cHandoff(binary, 'plain', H_C)],
      [H_C_ROBUST, () => cHandoff(binary, 'robust', H_C_ROBUST)],
      [H_C_ADAPTIVE, () => cHandoff(binary, 'adaptive', H_C_ADAPTIVE)],
    ] as Array<[string, () => Promise<HandoffResult>]> : []),
    [H_MUTEX, () => twoProcesses(H_MUTEX, 'mutex')],
    [H_NOSPIN, () => twoProcesses(H_NOSPIN, 'mutex-nospin')],
    [H_EVENT, () => twoProcesses(H_EVENT, 'event')],
    [H_FUTEX, () => twoProcesses(H_FUTEX, 'futex')],
    [H_ATOMICS, () => twoThreads(H_ATOMICS)],
  ];
  const rounds = new Map<string, HandoffResult[]>(cases.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of cases) rounds.get(name)!.push(await run());
  }
  const handoffs = [...rounds.values()].map(pool);

  const seconds = (performance.now() - started) / 1000;
  console.log(`# Locks (Node ${process.version}, ${process.arch}, ${(await import('node:os')).cpus().length} CPUs; ${seconds.toFixed(1)} s)\n`);
  console.log(`Medians and p10–p90 over the runs: ${UNCONTENDED_REPEATS} runs of ${UNCONTENDED_OPS} pairs (C: ${UNCONTENDED_OPS * 5}); ` +
    `handoffs: ${ROUNDS} interleaved rounds × ${HANDOFF_REPEATS} runs of ${ROUND_TRIPS} round trips (2 handoffs each), after ${WARM_ROUND_TRIPS} warm-up round trips per round.\n`);
  const uBase = binary ? C_PLAIN : JS_ATOMICS;
  console.log(table('Uncontended lock + unlock (ns per pair)', uncontended, uBase));
  const hBase = binary ? H_C : H_ATOMICS;
  console.log(table('Handoff, strict alternation (ns per handoff; blocking calls — switches / handoff below tells how often a side really slept)', handoffs.map((h) => h.sample), hBase));
  console.log(latencyTable('Round-trip latency (two handoffs), every round trip of every run; context switches (both sides) per handoff',
    handoffs.map((h) => h.latencies), undefined, 'switches / handoff'));

  const js = median(uncontended.find((s) => s.name === JS_MUTEX)!.nsPerOp);
  const lines = [`- uncontended lock+unlock from JS: ${js.toFixed(1)} ns (goal ≤ 25 ns): ${js <= 25 ? 'met' : 'NOT met'}`];
  if (binary) {
    const of = (name: string) => median(handoffs.find((s) => s.sample.name === name)!.sample.nsPerOp);
    const p50 = (name: string) => {
      const sorted = Float64Array.from(handoffs.find((s) => s.sample.name === name)!.latencies.ns).sort();
      return sorted[sorted.length >> 1]! / 2;
    };
    const compare = (what: string, mine: string, base: string, most: number) => {
      const [h, c] = [of(mine), of(base)];
      const [hp, cp] = [p50(mine), p50(base)];
      lines.push(`- ${what}: ${mine} / ${base}: median ${(h / 1000).toFixed(2)} / ${(c / 1000).toFixed(2)} µs per handoff = ${(h / c).toFixed(2)}× ` +
        `(p50 round trip ÷ 2: ${(hp / 1000).toFixed(2)} / ${(cp / 1000).toFixed(2)} µs = ${(hp / cp).toFixed(2)}×) (goal ≤ ${most}×): ${h / c <= most ? 'met' : 'NOT met'}`);
    };
    compare('like for like, neither spins (issue 13: ≤ 1.1×)', H_NOSPIN, H_C, 1.1);
    compare('as shipped (adaptive spin) vs C\'s adaptive mutex (issue 13: at or better)', H_MUTEX, H_C_ADAPTIVE, 1);
    compare('as shipped vs the pthread default', H_MUTEX, H_C, 1);
    const nospin = handoffs.find((s) => s.sample.name === H_NOSPIN)!;
    const perHandoff = nospin.switches / nospin.handoffs;
    lines.push(`- one sleep and one wake-up per handoff when neither spins: ${perHandoff.toFixed(2)} context switches per handoff (goal ≤ 1.05): ${perHandoff <= 1.05 ? 'met' : 'NOT met'}`);
  }
  console.log(['### Goals', '', ...lines, ''].join('\n'));
  writeResults('sync', [
    ...sampleRows('Uncontended lock + unlock', 'ns per pair', uncontended),
    ...sampleRows('Handoff, strict alternation', 'ns per handoff', handoffs.map((h) => h.sample)),
  ], { uncontendedOps: UNCONTENDED_OPS, uncontendedRepeats: UNCONTENDED_REPEATS, roundTrips: ROUND_TRIPS, rounds: ROUNDS, handoffRepeats: HANDOFF_REPEATS, c: binary !== undefined });
}

if (process.argv[2] === '--peer') {
  peer(process.argv[3] as PeerMode, process.argv[4]!);
} else {
  runMain(main, cleanUp);
}
