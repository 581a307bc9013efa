// What waiting costs while nothing happens, and what it does to the event
// loop: shmkit's waits (SPSC ring receiveSync / receiveAsync, Mutex
// lockSync, Semaphore waitSync) beside a Node process waiting on a unix
// socket, the baseline a Node user has today.
//
//   (a) CPU of idle waiters: every waiter blocked for IDLE_MS of silence, the
//       CPU its process used (all its threads), per second and in total;
//       then the consumer's CPU (cores busy, i.e. CPU s per s) when its
//       producer sends one 64-byte message every 1 s, 100 ms, 10 ms, 1 ms,
//       and in the second after a fast burst stops (the spin budget a quiet
//       partner costs: at most SPIN_MAX_NS per wait, the core's number).
//   (b) Event-loop lag: one Node process with 4 pending receiveAsync() (4
//       rings, each fed by its own producer process) or 4 pending unix-socket
//       reads, timing a setTimeout(1 ms) chain and monitorEventLoopDelay
//       (resolution 1 ms, in the same windows) while the producers are
//       silent, then while each sends one message every 100 µs–1 ms.
//
// CPU is read by this process from /proc/PID/task/*/schedstat (time on CPU
// in ns, every live thread of the child) at each window's ends; /proc/PID/stat
// utime+stime (clock ticks, threads that exited included) checks the idle
// totals. The socket consumers read from a socketpair whose other end the
// producer process holds (passed as its fd 3): no relay in between. Producers
// pace themselves with timed futex sleeps on their control word, which this
// process bumps to change their rate, so they cost the consumers nothing but
// the messages.
//
// Run: node --import tsx bench/wait.bench.ts   (npm run bench:wait)
// Writes bench/results/wait.md and wait.json. The same file is every child
// process: `wait.bench.ts --child <role> <segment> <slot> ...`.
import { execFileSync, spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readdirSync, readFileSync, readSync, writeFileSync, writeSync, mkdirSync } from 'node:fs';
import { Socket } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';
import { openOrCreate, Posix, type ManagedSegment, type Segment } from '../host/index.js';
import { coreConstants } from '../host/core/core.js';
import { futexWait, futexWake } from '../host/linux/futex.js';
import { median, quantile, runMain } from './measure.js';
import { cleanUp, installCleanup, onCleanup } from './cleanup.js';

const SELF = fileURLToPath(import.meta.url);
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const SEGMENT_SIZE = 1 << 20;
const RING_BYTES = 1 << 16;
const MESSAGE_BYTES = 64;
const LAG_RINGS = 4;

const IDLE_MS = 10_000; // (a) silence every waiter sits through
const IDLE_WINDOW_MS = 1_000;
const SLOW_RATES_MS = [1000, 100]; // all four consumers at once: a message a second costs nobody anything
const FAST_RATES_MS = [10, 1]; // one consumer at a time
const SLOW_WINDOWS: Record<number, number> = { 1000: 8, 100: 4 }; // windows of 1 s
const FAST_WINDOWS = 5; // windows of FAST_WINDOW_MS
const FAST_WINDOW_MS = 500;
const SETTLE_MS = 300; // after a rate change, before measuring
const BURST_INTERVAL_US = 50;
const BURST_MS = 300;
const QUIET_WINDOW_MS = 700;
const BURST_REPEATS = 2;
const LAG_WINDOWS = 3; // (b) windows per condition...
const LAG_WINDOW_MS = 1_500; // ...of this long
const LAG_INTERVAL_US: [number, number] = [100, 1000];

// ─── control block: one cache line of words per slot ─────────────────────
//
//   CONTROL ('ctl', SLOT_COUNT × SLOT_BYTES)
//   ┌──────────────────────────────────────────────────────────────┐ slot × 64
//   │ READY     i32  the child is set up and about to wait          │ +0
//   │ RECEIVED  i32  messages a consumer has received               │ +4
//   │ SEQ       i32  bumped (and woken) on every change below       │ +8
//   │ MODE      i32  a producer's outputs: MODE_RING | MODE_SOCKET  │ +12
//   │ MIN_US    i32  shortest interval between two sends, µs        │ +16
//   │ MAX_US    i32  longest (each interval is uniform in between)  │ +20
//   │ SENT      i32  messages a producer has sent                   │ +24
//   │ DROPPED   i32  sends refused (ring full, socket EAGAIN)       │ +28
//   └──────────────────────────────────────────────────────────────┘ +64
const SLOT_BYTES = 64;
const SLOT_WORDS = SLOT_BYTES / 4;
const READY = 0;
const RECEIVED = 1;
const SEQ = 2;
const MODE = 3;
const MIN_US = 4;
const MAX_US = 5;
const SENT = 6;
const DROPPED = 7;
const MODE_SILENT = 0;
const MODE_RING = 1;
const MODE_SOCKET = 2;
const MODE_STOP = -1;

// Slots: (a) consumers, (a) waiters, (a) producers, (b) producers, (b) lag processes.
const CONSUMER_KINDS = ['socket-sync', 'socket-async', 'ring-sync', 'ring-async'] as const;
type ConsumerKind = (typeof CONSUMER_KINDS)[number];
const SLOT_CONSUMER = (kind: ConsumerKind) => CONSUMER_KINDS.indexOf(kind);
const SLOT_MUTEX = 4;
const SLOT_SEMAPHORE = 5;
const SLOT_PRODUCER_SYNC = 6; // feeds ring-sync and socket-sync
const SLOT_PRODUCER_ASYNC = 7; // feeds ring-async and socket-async
const SLOT_LAG_PRODUCER = (i: number) => 8 + i;
const SLOT_LAG_RING = 12;
const SLOT_LAG_SOCKET = 13;
const SLOT_COUNT = 14;
const LAG_SOCKET_FD = 4; // the lag process's first socket (fd 3 is its IPC channel)

const RING_OF: Record<ConsumerKind, string> = { 'ring-sync': 'a-sync', 'ring-async': 'a-async', 'socket-sync': '', 'socket-async': '' };
const lagRing = (i: number) => `b-${i}`;
const MUTEX_NAME = 'idle-mutex';
const SEMAPHORE_NAME = 'idle-semaphore';

interface Control {
  words: Int32Array;
  word: (slot: number, field: number) => number;
  address: (slot: number, field: number) => number;
}

function control(managed: ManagedSegment<Segment>): Control {
  const bytes = managed.findOrCreate('ctl', { bytes: SLOT_COUNT * SLOT_BYTES });
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, SLOT_COUNT * SLOT_WORDS);
  const base = managed.segment.arena.baseAddress + bytes.byteOffset;
  return { words, word: (slot, field) => slot * SLOT_WORDS + field, address: (slot, field) => base + 4 * (slot * SLOT_WORDS + field) };
}

function openSegment(name: string): ManagedSegment<Segment> {
  return openOrCreate({ kind: 'posix', name, size: SEGMENT_SIZE });
}

// ─── the child processes ─────────────────────────────────────────────────

function dieWithParent(): void {
  // Started in our own process group (a Ctrl-C meant for the bench reaches
  // only the bench, which then kills us); die with it however it ends.
  const prctl = koffi.load('libc.so.6').func('int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)');
  prctl(1 /* PR_SET_PDEATHSIG */, 9 /* SIGKILL */, 0, 0, 0);
  if (process.ppid === 1) process.exit(1);
}

/** Clears O_NONBLOCK on `fd`, so that a read sleeps in the kernel as a blocking socket read does. */
function blocking(fd: number): void {
  const fcntl = koffi.load('libc.so.6').func('int fcntl(int fd, int cmd, ...)');
  const F_GETFL = 3;
  const F_SETFL = 4;
  const O_NONBLOCK = 0o4000;
  const flags = fcntl(fd, F_GETFL) as number;
  if (flags < 0 || (fcntl(fd, F_SETFL, 'int', flags & ~O_NONBLOCK) as number) < 0) throw new Error(`fcntl(${fd}) failed`);
}

async function consumer(kind: ConsumerKind, name: string): Promise<void> {
  const managed = openSegment(name);
  const { words, word } = control(managed);
  const slot = SLOT_CONSUMER(kind);
  const received = word(slot, RECEIVED);
  const ready = () => Atomics.store(words, word(slot, READY), 1);
  if (kind === 'socket-sync') {
    blocking(0); // its end of the socketpair comes non-blocking
    const buffer = Buffer.alloc(1 << 16);
    let bytes = 0;
    ready();
    for (;;) {
      const n = readSync(0, buffer, 0, buffer.length, null); // fd 0: its blocking end of the socketpair
      if (n === 0) return;
      bytes += n;
      Atomics.store(words, received, Math.floor(bytes / MESSAGE_BYTES));
    }
  } else if (kind === 'socket-async') {
    let bytes = 0;
    process.stdin.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      Atomics.store(words, received, Math.floor(bytes / MESSAGE_BYTES));
    });
    ready();
  } else {
    const rx = managed.ring(RING_OF[kind], RING_BYTES).acquireConsumer();
    ready();
    if (kind === 'ring-sync') {
      while (rx.receiveSync() !== null) Atomics.add(words, received, 1);
    } else {
      while ((await rx.receiveAsync()) !== null) Atomics.add(words, received, 1);
    }
  }
}

function waiter(what: 'mutex' | 'semaphore', name: string): void {
  const managed = openSegment(name);
  const { words, word } = control(managed);
  if (what === 'mutex') {
    const mutex = managed.mutex(MUTEX_NAME);
    Atomics.store(words, word(SLOT_MUTEX, READY), 1);
    mutex.lockSync(); // the bench holds it for good
  } else {
    const semaphore = managed.semaphore(SEMAPHORE_NAME, 0);
    Atomics.store(words, word(SLOT_SEMAPHORE, READY), 1);
    semaphore.waitSync(); // nobody posts
  }
}

/** Sends to its ring and/or its socket (fd 3) at the rate its slot says, until MODE_STOP. */
function producer(name: string, slot: number, ring: string): void {
  const managed = openSegment(name);
  const { words, word, address } = control(managed);
  const tx = managed.ring(ring, RING_BYTES).acquireProducer();
  const message = new Uint8Array(MESSAGE_BYTES).fill(7);
  const seqWord = word(slot, SEQ);
  const seqAddress = address(slot, SEQ);
  Atomics.store(words, word(slot, READY), 1);
  let next = performance.now();
  for (;;) {
    const seq = Atomics.load(words, seqWord);
    const mode = Atomics.load(words, word(slot, MODE));
    if (mode === MODE_STOP) break;
    if (mode === MODE_SILENT) {
      futexWait(seqAddress, seq, 1000);
      next = performance.now();
      continue;
    }
    const min = Atomics.load(words, word(slot, MIN_US));
    const max = Atomics.load(words, word(slot, MAX_US));
    next += (min + Math.random() * (max - min)) / 1000;
    const now = performance.now();
    if (next < now - max / 1000) next = now; // fell behind (descheduled): no catch-up burst
    if (next > now && futexWait(seqAddress, seq, next - now) !== 'timed-out') continue; // the rate changed
    let dropped = 0;
    if (mode & MODE_RING && !tx.trySend(message)) dropped++;
    if (mode & MODE_SOCKET) {
      try {
        writeSync(3, message);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        dropped++;
      }
    }
    Atomics.add(words, word(slot, SENT), 1);
    if (dropped) Atomics.add(words, word(slot, DROPPED), dropped);
  }
  tx.close();
  managed.close();
}

interface LagWindow {
  /** Lateness of each setTimeout(1) in the chain, ms. */
  lateness: number[];
  /** monitorEventLoopDelay over the same window, ms. */
  eld: { p50: number; p99: number; max: number; mean: number };
  cpuCores: number;
  received: number;
  seconds: number;
  rss: number;
}

/** One process with LAG_RINGS pending waits (rings or sockets) that times its event loop when asked. */
async function lagProcess(kind: 'ring' | 'socket', name: string): Promise<void> {
  const managed = openSegment(name);
  const { words, word } = control(managed);
  let received = 0;
  for (let i = 0; i < LAG_RINGS; i++) {
    if (kind === 'ring') {
      const rx = managed.ring(lagRing(i), RING_BYTES).acquireConsumer();
      void (async () => {
        while ((await rx.receiveAsync()) !== null) received++;
      })();
    } else {
      let bytes = 0;
      new Socket({ fd: LAG_SOCKET_FD + i, readable: true, writable: false }).on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        received += chunk.length / MESSAGE_BYTES;
      });
    }
  }
  process.on('message', (request: { ms: number }) => {
    void timeLoop(request.ms, () => received).then((result) => process.send!(result));
  });
  Atomics.store(words, word(kind === 'ring' ? SLOT_LAG_RING : SLOT_LAG_SOCKET, READY), 1);
}

async function timeLoop(ms: number, received: () => number): Promise<LagWindow> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const lateness: number[] = [];
  const cpu = process.cpuUsage();
  const count = received();
  const start = performance.now();
  histogram.enable();
  await new Promise<void>((resolve) => {
    let due = performance.now() + 1;
    const tick = () => {
      const now = performance.now();
      lateness.push(now - due);
      if (now - start >= ms) return resolve();
      due = now + 1;
      setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
  });
  histogram.disable();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const toMs = (ns: number) => ns / 1e6;
  return {
    lateness,
    eld: { p50: toMs(histogram.percentile(50)), p99: toMs(histogram.percentile(99)), max: toMs(histogram.max), mean: toMs(histogram.mean) },
    cpuCores: (used.user + used.system) / 1e6 / seconds,
    received: received() - count,
    seconds,
    rss: process.memoryUsage().rss,
  };
}

async function child(args: string[]): Promise<void> {
  dieWithParent();
  const [role, name, ...rest] = args as [string, string, ...string[]];
  if (role === 'consumer') await consumer(rest[0] as ConsumerKind, name);
  else if (role === 'waiter') waiter(rest[0] as 'mutex' | 'semaphore', name);
  else if (role === 'producer') producer(name, Number(rest[0]), rest[1]!);
  else if (role === 'lag') await lagProcess(rest[0] as 'ring' | 'socket', name);
  else throw new Error(`unknown child role: ${role}`);
}


const children: ChildProcess[] = [];
function start(args: string[], stdio: StdioOptions): ChildProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', SELF, '--child', ...args], { stdio, detached: true });
  children.push(proc);
  onCleanup(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  proc.once('exit', (code, signal) => {
    if (!finished) failure ??= new Error(`child ${args.join(' ')} exited early (code ${code}, signal ${signal})`);
  });
  return proc;
}
let finished = false;
let failure: Error | undefined;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function check(): void {
  if (failure) throw failure;
}

// ─── CPU of another process ──────────────────────────────────────────────

/** Nanoseconds on CPU of every live thread of `pid`. */
function cpuNs(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return total;
}

const TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'latin1' }).trim()) || 100;
/** utime + stime of `pid` in seconds (every thread, exited ones too; clock-tick resolution). */
function cpuTicksSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S; // fields 14 and 15 of stat(5)
}

/** Cores busy (CPU s per s) of each pid, in `windows` consecutive windows of `windowMs`. */
async function sampleCores(pids: number[], windows: number, windowMs: number): Promise<number[][]> {
  const out = pids.map(() => [] as number[]);
  let before = pids.map(cpuNs);
  let at = performance.now();
  for (let w = 0; w < windows; w++) {
    await sleep(windowMs);
    check();
    const now = performance.now();
    const after = pids.map(cpuNs);
    pids.forEach((_, i) => out[i]!.push((after[i]! - before[i]!) / 1e9 / ((now - at) / 1000)));
    before = after;
    at = now;
  }
  return out;
}

/** CPU seconds other processes (not us, not our children) used, system-wide, over a period: the noise. */
function systemCpuSeconds(): number {
  const line = readFileSync('/proc/stat', 'latin1').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  return (line[0]! + line[1]! + line[2]! + line[5]! + line[6]! + line[7]!) / TICKS_PER_S; // user nice system irq softirq steal
}

// ─── results ─────────────────────────────────────────────────────────────

interface Row {
  table: string;
  name: string;
  unit: string;
  better: 'lower';
  samples: number[];
  median: number;
  /** Against which baseline row, and the ratio of medians (null when the baseline is 0). */
  baseline?: string;
  ratio?: number | null;
  [extra: string]: unknown;
}
const rows: Row[] = [];
function row(table: string, name: string, unit: string, samples: number[], extra: Record<string, unknown> = {}): Row {
  const r: Row = { table, name, unit, better: 'lower', samples, median: median(samples), ...extra };
  rows.push(r);
  return r;
}
function versus(r: Row, base: Row): void {
  r.baseline = base.name;
  r.ratio = base.median > 0 ? r.median / base.median : null;
}

const fmt = (x: number, digits = 3) => (x === 0 ? '0' : Math.abs(x) >= 1000 ? x.toFixed(0) : x.toPrecision(digits));
const ratio = (r: Row) => (r.ratio === undefined ? '' : r.ratio === null ? (r.median === 0 ? '1× (both 0)' : '– (baseline ≤ 0)') : `${fmt(r.ratio)}×`);

// ─── the run ─────────────────────────────────────────────────────────────

const NAME: Record<ConsumerKind, string> = {
  'socket-sync': 'unix socket, blocking read (fs.readSync)',
  'socket-async': 'unix socket, event loop (net.Socket data)',
  'ring-sync': 'shmkit SPSC ring, receiveSync',
  'ring-async': 'shmkit SPSC ring, receiveAsync',
};
const BASE_OF: Record<ConsumerKind, ConsumerKind> = { 'socket-sync': 'socket-sync', 'socket-async': 'socket-async', 'ring-sync': 'socket-sync', 'ring-async': 'socket-async' };

async function main(): Promise<void> {
  installCleanup();
  const started = performance.now();
  const name = `/shmkit-bench-wait-${process.pid}`;
  const managed = openSegment(name);
  const unlink = onCleanup(() => Posix.remove(name)); // runs once: now, or at exit
  onCleanup(() => managed.close());
  const { words, word, address } = control(managed);
  const core = coreConstants(managed.segment.arena.core);
  const spin = { SPIN_START_NS: core.SPIN_START_NS, SPIN_MIN_NS: core.SPIN_MIN_NS, SPIN_MAX_NS: core.SPIN_MAX_NS, SPIN_ASYNC_MAX_NS: core.SPIN_ASYNC_MAX_NS, LIVENESS_SLICE_FIRST_MS: core.LIVENESS_SLICE_FIRST_MS, LIVENESS_SLICE_MAX_MS: core.LIVENESS_SLICE_MAX_MS };
  // Rings and the idle waiters' primitives exist before anyone opens them; the mutex is ours for good.
  for (const kind of CONSUMER_KINDS) if (RING_OF[kind]) managed.ring(RING_OF[kind], RING_BYTES);
  for (let i = 0; i < LAG_RINGS; i++) managed.ring(lagRing(i), RING_BYTES);
  managed.semaphore(SEMAPHORE_NAME, 0);
  if (managed.mutex(MUTEX_NAME).lockSync() !== 'acquired') throw new Error('could not take the idle mutex');

  // Every child starts now, and waits; the consumers first (a producer's fd 3 is its consumer's socket).
  const consumers = new Map<ConsumerKind, ChildProcess>();
  for (const kind of CONSUMER_KINDS) consumers.set(kind, start(['consumer', name, kind], [kind === 'socket-sync' || kind === 'socket-async' ? 'pipe' : 'ignore', 'inherit', 'inherit']));
  const mutexWaiter = start(['waiter', name, 'mutex'], ['ignore', 'inherit', 'inherit']);
  const semaphoreWaiter = start(['waiter', name, 'semaphore'], ['ignore', 'inherit', 'inherit']);
  start(['producer', name, String(SLOT_PRODUCER_SYNC), RING_OF['ring-sync']], ['ignore', 'inherit', 'inherit', consumers.get('socket-sync')!.stdin!]);
  start(['producer', name, String(SLOT_PRODUCER_ASYNC), RING_OF['ring-async']], ['ignore', 'inherit', 'inherit', consumers.get('socket-async')!.stdin!]);
  const lagSockets: StdioOptions = ['ignore', 'inherit', 'inherit', 'ipc', ...Array.from({ length: LAG_RINGS }, () => 'pipe' as const)];
  const lag = { ring: start(['lag', name, 'ring'], ['ignore', 'inherit', 'inherit', 'ipc']), socket: start(['lag', name, 'socket'], lagSockets) };
  for (let i = 0; i < LAG_RINGS; i++) {
    start(['producer', name, String(SLOT_LAG_PRODUCER(i)), lagRing(i)], ['ignore', 'inherit', 'inherit', lag.socket.stdio[LAG_SOCKET_FD + i] as Socket]);
  }
  const deadline = Date.now() + 60_000;
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    while (Atomics.load(words, word(slot, READY)) !== 1) {
      check();
      if (Date.now() > deadline) throw new Error(`child in slot ${slot} never got ready`);
      await sleep(20);
    }
  }
  unlink(); // all have it mapped: nothing is left behind even on SIGKILL from here on
  const startupSeconds = (performance.now() - started) / 1000;
  console.error(`(children ready after ${startupSeconds.toFixed(1)} s)`);

  const setRate = (slot: number, mode: number, minUs = 0, maxUs = minUs) => {
    Atomics.store(words, word(slot, MIN_US), minUs);
    Atomics.store(words, word(slot, MAX_US), maxUs);
    Atomics.store(words, word(slot, MODE), mode);
    Atomics.add(words, word(slot, SEQ), 1);
    futexWake(address(slot, SEQ), 1);
  };
  const producerOf = (kind: ConsumerKind) => (kind === 'ring-sync' || kind === 'socket-sync' ? SLOT_PRODUCER_SYNC : SLOT_PRODUCER_ASYNC);
  const modeOf = (kind: ConsumerKind) => (kind.startsWith('ring') ? MODE_RING : MODE_SOCKET);
  const received = (kind: ConsumerKind) => Atomics.load(words, word(SLOT_CONSUMER(kind), RECEIVED));
  await sleep(1000); // the last children's start-up (JIT, GC) is over before the quiet begins

  // (a) idle: everyone waits through IDLE_MS of silence.
  const idle: Array<[string, ChildProcess, string]> = [
    ...CONSUMER_KINDS.map((kind) => [NAME[kind], consumers.get(kind)!, NAME[BASE_OF[kind]]] as [string, ChildProcess, string]),
    ['shmkit Mutex, lockSync (held by another process)', mutexWaiter, NAME['socket-sync']],
    ['shmkit Semaphore, waitSync (value 0)', semaphoreWaiter, NAME['socket-sync']],
    [`one process, ${LAG_RINGS} unix sockets, event loop`, lag.socket, `one process, ${LAG_RINGS} unix sockets, event loop`],
    [`one process, ${LAG_RINGS} rings, receiveAsync pending on each`, lag.ring, `one process, ${LAG_RINGS} unix sockets, event loop`],
  ];
  console.error(`(a) ${IDLE_MS / 1000} s of silence…`);
  const ticksBefore = idle.map(([, proc]) => cpuTicksSeconds(proc.pid!));
  const nsBefore = idle.map(([, proc]) => cpuNs(proc.pid!));
  const systemBefore = systemCpuSeconds();
  const idleStart = performance.now();
  const idleCores = await sampleCores(idle.map(([, proc]) => proc.pid!), IDLE_MS / IDLE_WINDOW_MS, IDLE_WINDOW_MS);
  const idleSeconds = (performance.now() - idleStart) / 1000;
  const systemIdle = systemCpuSeconds() - systemBefore;
  const idleTable = `CPU of a waiter through ${IDLE_MS / 1000} s of silence`;
  const idleRows = idle.map(([label, proc], i) => row(idleTable, label, 'CPU s/s', idleCores[i]!, {
    totalCpuMs: (cpuNs(proc.pid!) - nsBefore[i]!) / 1e6 * (IDLE_MS / 1000) / idleSeconds,
    totalCpuMsTicks: (cpuTicksSeconds(proc.pid!) - ticksBefore[i]!) * 1000,
  }));
  idle.forEach(([, , base], i) => versus(idleRows[i]!, idleRows.find((r) => r.name === base)!));

  // (a) rates: cores busy of each consumer.
  const rateTable = 'CPU of a consumer whose producer sends one 64-byte message every interval';
  const rateRows: Row[] = [];
  const rateRow = (kind: ConsumerKind, ms: number, samples: number[], messages: number, seconds: number) => {
    const cpu = samples.reduce((a, b) => a + b, 0) / samples.length * seconds; // CPU s over the windows
    rateRows.push(row(rateTable, `${NAME[kind]}, every ${ms >= 1 ? `${ms} ms` : `${ms * 1000} µs`}`, 'CPU s/s', samples, {
      kind, intervalMs: ms, messages, cpuUsPerMessage: messages ? (cpu * 1e6) / messages : null,
    }));
  };
  for (const ms of SLOW_RATES_MS) {
    console.error(`(a) every ${ms} ms, all four consumers at once…`);
    setRate(SLOT_PRODUCER_SYNC, MODE_RING | MODE_SOCKET, ms * 1000);
    setRate(SLOT_PRODUCER_ASYNC, MODE_RING | MODE_SOCKET, ms * 1000);
    await sleep(Math.min(ms, 200) + 50);
    const counts = CONSUMER_KINDS.map(received);
    const t0 = performance.now();
    const cores = await sampleCores(CONSUMER_KINDS.map((kind) => consumers.get(kind)!.pid!), SLOW_WINDOWS[ms]!, 1000);
    const seconds = (performance.now() - t0) / 1000;
    CONSUMER_KINDS.forEach((kind, i) => rateRow(kind, ms, cores[i]!, received(kind) - counts[i]!, seconds));
    setRate(SLOT_PRODUCER_SYNC, MODE_SILENT);
    setRate(SLOT_PRODUCER_ASYNC, MODE_SILENT);
  }
  for (const ms of FAST_RATES_MS) {
    for (const kind of CONSUMER_KINDS) {
      console.error(`(a) every ${ms} ms, ${NAME[kind]}…`);
      setRate(producerOf(kind), modeOf(kind), ms * 1000);
      await sleep(SETTLE_MS);
      const count = received(kind);
      const t0 = performance.now();
      const [cores] = await sampleCores([consumers.get(kind)!.pid!], FAST_WINDOWS, FAST_WINDOW_MS);
      const seconds = (performance.now() - t0) / 1000;
      rateRow(kind, ms, cores!, received(kind) - count, seconds);
      setRate(producerOf(kind), MODE_SILENT);
      await sleep(100);
    }
  }
  for (const r of rateRows) versus(r, rateRows.find((b) => b.kind === BASE_OF[r.kind as ConsumerKind] && b.intervalMs === r.intervalMs)!);

  // (a) a partner that goes quiet: a burst, then the consumer's CPU in the window after it.
  const quietTable = `CPU of a consumer in the ${QUIET_WINDOW_MS} ms after its producer stops a burst (one message every ${BURST_INTERVAL_US} µs for ${BURST_MS} ms)`;
  const quietRows: Row[] = [];
  for (const kind of CONSUMER_KINDS) {
    console.error(`(a) burst, then quiet: ${NAME[kind]}…`);
    const samples: number[] = [];
    const burstMessages: number[] = [];
    for (let r = 0; r < BURST_REPEATS; r++) {
      const count = received(kind);
      setRate(producerOf(kind), modeOf(kind), BURST_INTERVAL_US);
      await sleep(BURST_MS);
      setRate(producerOf(kind), MODE_SILENT);
      burstMessages.push(received(kind) - count);
      const [cores] = await sampleCores([consumers.get(kind)!.pid!], 1, QUIET_WINDOW_MS);
      samples.push(cores![0]! * QUIET_WINDOW_MS * 1000); // µs of CPU in the window
    }
    quietRows.push(row(quietTable, NAME[kind], 'CPU µs', samples, { kind, burstMessages }));
  }
  for (const r of quietRows) versus(r, quietRows.find((b) => b.kind === BASE_OF[r.kind as ConsumerKind])!);

  // (b) event-loop lag, 4 pending waits.
  const lagWindows = new Map<string, LagWindow[]>();
  const conditions: Array<['ring' | 'socket', boolean]> = [['socket', false], ['ring', false], ['socket', true], ['ring', true]];
  for (const [kind, active] of conditions) {
    const label = `${LAG_RINGS} pending ${kind === 'ring' ? 'receiveAsync() (shmkit rings)' : 'unix-socket reads'}, ${active ? `each fed every ${LAG_INTERVAL_US[0]} µs–${LAG_INTERVAL_US[1] / 1000} ms` : 'all silent'}`;
    console.error(`(b) ${label}…`);
    for (let i = 0; i < LAG_RINGS; i++) setRate(SLOT_LAG_PRODUCER(i), active ? (kind === 'ring' ? MODE_RING : MODE_SOCKET) : MODE_SILENT, ...LAG_INTERVAL_US);
    await sleep(SETTLE_MS);
    const windows: LagWindow[] = [];
    for (let w = 0; w < LAG_WINDOWS; w++) {
      const proc = lag[kind];
      const reply = new Promise<LagWindow>((resolve) => proc.once('message', (m) => resolve(m as LagWindow)));
      proc.send({ ms: LAG_WINDOW_MS });
      windows.push(await Promise.race([reply, sleep(LAG_WINDOW_MS * 4).then(() => {
        throw new Error(`the lag process (${kind}) did not answer`);
      })]));
      check();
    }
    for (let i = 0; i < LAG_RINGS; i++) setRate(SLOT_LAG_PRODUCER(i), MODE_SILENT);
    lagWindows.set(label, windows);
  }
  const lagTable = 'Event-loop lag: lateness of a setTimeout(1 ms) chain';
  const eldTable = 'Event-loop lag: monitorEventLoopDelay (resolution 1 ms), same windows';
  const lagRows: Row[] = [];
  for (const [label, windows] of lagWindows) {
    const all = windows.flatMap((w) => w.lateness);
    const extra = {
      timers: all.length,
      p99All: quantile(all, 0.99), maxAll: Math.max(...all),
      messagesPerSecond: windows.reduce((n, w) => n + w.received, 0) / windows.reduce((s, w) => s + w.seconds, 0),
      cpuCores: median(windows.map((w) => w.cpuCores)),
      rssMiB: Math.max(...windows.map((w) => w.rss)) / 2 ** 20,
    };
    lagRows.push(row(lagTable, `${label}: p50`, 'ms', windows.map((w) => quantile(w.lateness, 0.5)), { ...extra, stat: 'p50' }));
    lagRows.push(row(lagTable, `${label}: p99`, 'ms', windows.map((w) => quantile(w.lateness, 0.99)), { ...extra, stat: 'p99' }));
    lagRows.push(row(lagTable, `${label}: max`, 'ms', windows.map((w) => Math.max(...w.lateness)), { ...extra, stat: 'max' }));
    for (const stat of ['p50', 'p99', 'max', 'mean'] as const) {
      lagRows.push(row(eldTable, `${label}: ${stat}`, 'ms', windows.map((w) => w.eld[stat]), { ...extra, stat }));
    }
  }
  for (const r of lagRows) {
    const base = r.name.replace('receiveAsync() (shmkit rings)', 'unix-socket reads');
    versus(r, lagRows.find((b) => b.table === r.table && b.name === base)!);
  }

  // Sanity: what the producers managed, and nothing refused.
  const dropped = [SLOT_PRODUCER_SYNC, SLOT_PRODUCER_ASYNC, ...Array.from({ length: LAG_RINGS }, (_, i) => SLOT_LAG_PRODUCER(i))]
    .reduce((n, slot) => n + Atomics.load(words, word(slot, DROPPED)), 0);

  finished = true;
  for (const slot of [SLOT_PRODUCER_SYNC, SLOT_PRODUCER_ASYNC, ...Array.from({ length: LAG_RINGS }, (_, i) => SLOT_LAG_PRODUCER(i))]) setRate(slot, MODE_STOP);
  const seconds = (performance.now() - started) / 1000;

  // ─── report ────────────────────────────────────────────────────────────
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) }).trim();
    } catch {
      return null;
    }
  };
  const dirtyFiles = (git('status', '--porcelain', '--untracked-files=no') ?? '').split('\n').filter((l) => l && !l.includes('bench/results/')).map((l) => l.slice(3));
  const cpuModel = cpus()[0]?.model ?? 'unknown';
  const machine = `Node ${process.version}, ${process.arch}, ${cpus().length} CPUs (${cpuModel.trim()})`;
  const othersCores = Math.max(0, systemIdle - idleRows.reduce((n, r) => n + (r.totalCpuMsTicks as number) / 1000, 0)) / idleSeconds;
  const out: string[] = [];
  out.push('## What waiting costs: idle CPU and event-loop lag', '');
  out.push(`${machine}; ${new Date().toISOString().slice(0, 10)}; whole run ${seconds.toFixed(0)} s (children's start-up ${startupSeconds.toFixed(1)} s). ` +
    `Commit ${git('rev-parse', '--short', 'HEAD') ?? '?'}${dirtyFiles.length ? ` with uncommitted changes in ${dirtyFiles.length} tracked files (${dirtyFiles.filter((f) => f.startsWith('host/') || f.startsWith('assembly/')).join(', ') || 'none in host/ or assembly/'})` : ''}.`);
  out.push(`The core's spin numbers in this run: SPIN_START_NS ${spin.SPIN_START_NS}, SPIN_MIN_NS ${spin.SPIN_MIN_NS}, SPIN_MAX_NS ${spin.SPIN_MAX_NS}, SPIN_ASYNC_MAX_NS ${spin.SPIN_ASYNC_MAX_NS}; a sleeping waiter asks whether its peer lives after ${spin.LIVENESS_SLICE_FIRST_MS} ms, then after slices that double up to ${spin.LIVENESS_SLICE_MAX_MS} ms (LIVENESS_SLICE_*_MS).`);
  out.push(`CPU: every live thread of the child (/proc/PID/task/*/schedstat), in CPU seconds per second (cores busy); medians over windows. ` +
    `During the idle windows the rest of the machine kept ${othersCores.toFixed(3)} CPUs busy.`, '');

  out.push(`### ${idleTable}`, '');
  out.push(`${IDLE_MS / IDLE_WINDOW_MS} windows of ${IDLE_WINDOW_MS / 1000} s; every waiter below waited at the same time. "ticks" is utime+stime from /proc/PID/stat (exited threads too; ${1000 / TICKS_PER_S} ms resolution).`, '');
  out.push('| waiter | median cores busy | min–max | CPU ms in 10 s | CPU ms (ticks) | × baseline | more than the baseline, CPU ms in 10 s | baseline |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of idleRows) {
    const base = idleRows.find((b) => b.name === r.baseline)!;
    r.excessCpuMs = (r.totalCpuMs as number) - (base.totalCpuMs as number);
    out.push(`| ${r.name} | ${fmt(r.median)} | ${fmt(Math.min(...r.samples))}–${fmt(Math.max(...r.samples))} | ${fmt(r.totalCpuMs as number)} | ${fmt(r.totalCpuMsTicks as number)} | ${ratio(r)} | ${r.baseline === r.name ? '' : fmt(r.excessCpuMs as number)} | ${r.baseline === r.name ? '(baseline)' : r.baseline} |`);
  }
  out.push('');
  out.push(`### ${rateTable}`, '');
  out.push(`Every ${SLOW_RATES_MS.join(' and ')} ms: all four consumers at once, windows of 1 s (${SLOW_RATES_MS.map((ms) => SLOW_WINDOWS[ms]).join(' and ')} of them); ` +
    `every ${FAST_RATES_MS.join(' and ')} ms: one consumer at a time, ${FAST_WINDOWS} windows of ${FAST_WINDOW_MS} ms. "CPU µs / message": the windows' CPU over the messages received in them.`, '');
  out.push('| consumer | median cores busy | min–max | messages | CPU µs / message | × socket |', '| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rateRows) {
    out.push(`| ${r.name} | ${fmt(r.median)} | ${fmt(Math.min(...r.samples))}–${fmt(Math.max(...r.samples))} | ${r.messages} | ${r.cpuUsPerMessage === null ? '–' : fmt(r.cpuUsPerMessage as number)} | ${r.baseline === r.name ? '(baseline)' : ratio(r)} |`);
  }
  out.push('');
  out.push(`### ${quietTable}`, '');
  out.push(`CPU µs the consumer's process used in the window, ${BURST_REPEATS} repeats; the budget a quiet partner may cost per wait is SPIN_MAX_NS = ${spin.SPIN_MAX_NS / 1000} µs (Async forms: ${spin.SPIN_ASYNC_MAX_NS / 1000} µs), plus liveness looks (after ${spin.LIVENESS_SLICE_FIRST_MS} ms, then doubling).`, '');
  out.push('| consumer | median CPU µs | samples | messages in the burst | × socket |', '| --- | ---: | --- | --- | ---: |');
  for (const r of quietRows) out.push(`| ${r.name} | ${fmt(r.median)} | ${r.samples.map((s) => fmt(s)).join(', ')} | ${(r.burstMessages as number[]).join(', ')} | ${r.baseline === r.name ? '(baseline)' : ratio(r)} |`);
  out.push('');
  for (const table of [lagTable, eldTable]) {
    out.push(`### ${table}`, '');
    out.push(`${LAG_WINDOWS} windows of ${LAG_WINDOW_MS / 1000} s per condition; the timer chain and the histogram ran together. Each statistic per window, and its median over the windows (lateness can be slightly negative: libuv's timers count whole milliseconds). ` +
      `"× socket": against the same statistic with ${LAG_RINGS} unix sockets under the same load. The process's own CPU and RSS beside.`, '');
    out.push('| condition | statistic | median ms | per window | × socket | msgs/s received | its CPU, cores | RSS MiB |', '| --- | --- | ---: | --- | ---: | ---: | ---: | ---: |');
    for (const r of lagRows.filter((x) => x.table === table)) {
      const [condition] = r.name.split(': ');
      out.push(`| ${condition} | ${r.stat} | ${fmt(r.median)} | ${r.samples.map((s) => fmt(s)).join(', ')} | ${r.baseline === r.name ? '(baseline)' : ratio(r)} | ${fmt(r.messagesPerSecond as number)} | ${fmt(r.cpuCores as number)} | ${(r.rssMiB as number).toFixed(0)} |`);
    }
    out.push('');
  }
  if (dropped) out.push(`Producers had ${dropped} sends refused (ring full or socket buffer full).`, '');
  const markdown = out.join('\n');
  console.log(markdown);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'wait.md'), markdown);
  writeFileSync(join(RESULTS, 'wait.json'), JSON.stringify({
    bench: 'wait',
    run: {
      date: new Date().toISOString(), node: process.version, arch: process.arch, cpus: cpus().length, cpuModel,
      commit: git('rev-parse', 'HEAD'), dirty: dirtyFiles.length > 0, dirtyFiles, seconds, startupSeconds, othersCores,
      settings: { IDLE_MS, IDLE_WINDOW_MS, SLOW_RATES_MS, FAST_RATES_MS, SLOW_WINDOWS, FAST_WINDOWS, FAST_WINDOW_MS, BURST_INTERVAL_US, BURST_MS, QUIET_WINDOW_MS, BURST_REPEATS, LAG_WINDOWS, LAG_WINDOW_MS, LAG_INTERVAL_US, MESSAGE_BYTES, spin },
    },
    rows,
    droppedSends: dropped,
  }, null, 1) + '\n');
}

if (process.argv[2] === '--child') {
  child(process.argv.slice(3)).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  runMain(main, cleanUp);
}
