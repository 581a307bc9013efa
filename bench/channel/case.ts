// What every case of bench/channel.bench.ts is, and the plumbing they share:
// settings, cleanup (also on errors and Ctrl-C), peer processes started from
// bench/channel.bench.ts itself, and a calibrating timer.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sample } from '../measure.js';
import { onCleanup } from '../cleanup.js';

export type { Sample };

/**
 * latency: ns per round trip of one 64-byte message (lower is better).
 * throughput: ns per 64-byte message, shown as messages/s.
 * stream: ns per byte, shown as GB/s.
 */
export type Kind = 'latency' | 'throughput' | 'stream';

/** Who implements the case: shown apart in the table and the chart. */
export type Family = 'node' | 'c' | 'shmkit';

export interface Case {
  name: string;
  kind: Kind;
  family: Family;
  /** Name of the case this one's "× unix socket" ratio is taken against (defaults per kind, see channel.bench.ts). */
  socket?: string;
  /** Name of the C case this one's "× C limit" ratio is taken against (defaults per kind). */
  limit?: string;
  /** One short line on what exactly is measured (printed under the tables). */
  note?: string;
  /** A target in display units (µs round trip: at most; M msgs/s or GB/s: at least), checked in the summary. */
  goal?: number;
  /** One run (a fresh peer, a warm-up, then `settings.repeats` timed repeats): one value per repeat. */
  run(): Promise<Sample>;
}

/** A module of cases: bench/channel.bench.ts asks each for its cases and runs its peers. */
export interface CaseModule {
  cases(settings: Settings): Promise<Case[]> | Case[];
  /** The second process's entry points, by mode (`channel.bench.ts --peer <mode> ...args`). */
  peers: Record<string, (args: string[]) => Promise<void> | void>;
}

export interface Settings {
  /** Target duration of one timed repeat (latency and throughput cases), in seconds. */
  seconds: number;
  /** Timed repeats per run. */
  repeats: number;
  /** Bytes per repeat of a stream case. */
  streamBytes: number;
  /** A private temporary directory (removed at exit). */
  dir: string;
}

// The cleanup every case registers with (bench/cleanup.ts).
export { cleanUp, installCleanup, onCleanup } from '../cleanup.js';

let tempDir: string | undefined;
/** The run's private temporary directory (socket files, the C binary); removed at exit. */
export function privateDir(): string {
  if (!tempDir) {
    const dir = mkdtempSync(join(tmpdir(), 'shmkit-bench-channel-'));
    tempDir = dir;
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  }
  return tempDir;
}

// ─── peers ───────────────────────────────────────────────────────────────

export const BENCH_FILE = fileURLToPath(new URL('../channel.bench.ts', import.meta.url));

/**
 * Starts `channel.bench.ts --peer <mode> ...args` as a second Node process,
 * in its own process group (a Ctrl-C meant for us does not kill it under our
 * feet; we kill it in cleanup, and it dies with us: see `dieWithParent`).
 */
export function spawnPeer(mode: string, args: string[], stdio: StdioOptions = ['ignore', 'inherit', 'inherit']): { child: ChildProcess; exited: Promise<void>; kill: () => void } {
  const child = spawn(process.execPath, ['--import', 'tsx', BENCH_FILE, '--peer', mode, ...args], { stdio, detached: true });
  const kill = onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`peer '${mode}' exited with code ${code}, signal ${signal}`))));
  });
  exited.catch(() => {}); // awaited by the case; keep an early failure from going unhandled
  return { child, exited, kill };
}

/** In a peer: get SIGKILL when the benchmark process dies, however it dies. */
export async function dieWithParent(): Promise<void> {
  const { default: koffi } = await import('koffi');
  const prctl = koffi.load('libc.so.6').func('int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)');
  prctl(1 /* PR_SET_PDEATHSIG */, 9 /* SIGKILL */, 0, 0, 0);
  if (process.ppid === 1) process.exit(1); // the parent is already gone
}

/**
 * Whether process `pid` still runs, asked of the kernel: usable inside a
 * synchronous loop, where a ChildProcess's exitCode never changes (the event
 * loop reaps it) and kill(pid, 0) still succeeds on the zombie.
 */
export function processAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat[stat.lastIndexOf(')') + 2];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Rejects if `exited` settles first (the peer died), else resolves with `work`. */
export function unlessDead<T>(work: Promise<T>, exited: Promise<void>, what: string): Promise<T> {
  return Promise.race([work, exited.then(() => { throw new Error(`peer exited during ${what}`); })]);
}

/** Resolves once `condition()` holds; polls, and gives up after 20 s. */
export async function until(condition: () => boolean, what: string, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (!alive()) throw new Error(`peer exited before ${what}`);
    if (Date.now() > deadline) throw new Error(`peer never got to ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

// ─── timing ──────────────────────────────────────────────────────────────

const now = () => process.hrtime.bigint();

/**
 * Warms up while growing the count until a batch takes ≥ 50 ms, scales it so
 * one repeat takes about `settings.seconds`, then times `settings.repeats`
 * repeats of `body(n)` (which performs n operations). ns per operation.
 */
export async function calibrated(settings: Settings, body: (n: number) => Promise<void> | void, start = 16): Promise<number[]> {
  let n = start;
  for (;;) {
    const t = now();
    await body(n);
    const took = Number(now() - t);
    if (took >= 5e7) {
      n = Math.max(1, Math.ceil((n * settings.seconds * 1e9) / took));
      break;
    }
    n *= 4;
  }
  const nsPerOp: number[] = [];
  for (let r = 0; r < settings.repeats; r++) {
    const t = now();
    await body(n);
    nsPerOp.push(Number(now() - t) / n);
  }
  return nsPerOp;
}

/** Times `settings.repeats` repeats of `body()` moving `bytes` bytes, after one warm-up of `warm`; ns per byte. */
export async function fixed(settings: Settings, bytes: number, warm: () => Promise<void>, body: () => Promise<void>): Promise<number[]> {
  await warm();
  const nsPerByte: number[] = [];
  for (let r = 0; r < settings.repeats; r++) {
    const t = now();
    await body();
    nsPerByte.push(Number(now() - t) / bytes);
  }
  return nsPerByte;
}

// ─── other load on the machine ───────────────────────────────────────────

/** CPU seconds used so far by every process that is not this run (this process, its peers, the C binary). */
export function othersCpuSeconds(): Map<number, number> {
  const ticks = 100; // USER_HZ on Linux
  const out = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return out;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (cmdline.includes(BENCH_FILE) || (tempDir !== undefined && cmdline.includes(tempDir))) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, (Number(fields[11]) + Number(fields[12])) / ticks); // utime, stime
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Average number of CPUs other processes kept busy between two snapshots `seconds` apart, and the busiest of them. */
export function otherLoad(before: Map<number, number>, after: Map<number, number>, seconds: number): { cpus: number; top: string } {
  let total = 0;
  let top = '';
  let topUse = 0;
  for (const [pid, used] of after) {
    const delta = used - (before.get(pid) ?? 0);
    total += delta;
    if (delta > topUse) {
      topUse = delta;
      let what = `pid ${pid}`;
      try {
        what = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').trim().slice(0, 80) || what;
      } catch {
        // gone
      }
      top = `${what} (${(delta / seconds).toFixed(2)} CPUs)`;
    }
  }
  return { cpus: total / seconds, top };
}
