// The physical limits: bench/c/ring.c, compiled by gcc into the run's
// temporary directory, two processes (fork) over a MAP_SHARED mapping.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onCleanup, privateDir, type Case, type CaseModule, type Settings } from './case.js';

const SOURCE = fileURLToPath(new URL('../c/ring.c', import.meta.url));

export const C_SPIN = 'C shared memory, busy-wait';
export const C_SPIN_SC = 'C shared memory, busy-wait as JS can write it';
export const C_FUTEX = 'C shared memory, futex wait/wake';
export const C_ADAPTIVE = 'C shared memory, spin 2000 then futex (waiter count)';
export const C_RING_ONE = 'C SPSC ring, one message at a time';
export const C_RING_BATCH = 'C SPSC ring, batched';
export const C_RING_STREAM = 'C SPSC ring';

/** Ring capacity of the message cases, and of the stream case, and its record size. */
export const C_MESSAGE_RING = 256 << 10;
export const C_BATCH = 256;
export const C_STREAM_RING = 1 << 20;
export const C_STREAM_CHUNK = 64 << 10;

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      kill();
      if (error) reject(new Error(`${file} ${args.join(' ')}: ${error.message}${stderr}`));
      else resolve(stdout);
    });
    const kill = onCleanup(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
  });
}

let compiled: Promise<string | undefined> | undefined;
/** Compiles ring.c once per run; undefined (and a note on stderr) without a working gcc. */
export function compileRing(): Promise<string | undefined> {
  compiled ??= (async () => {
    const binary = join(privateDir(), 'ring');
    try {
      await run('gcc', ['-O2', '-o', binary, SOURCE]);
      return binary;
    } catch (error) {
      console.error(`(C rows skipped: ${(error as Error).message.split('\n')[0]})`);
      return undefined;
    }
  })();
  return compiled;
}

async function ring(binary: string, args: string[]): Promise<number[]> {
  const out = JSON.parse(await run(binary, args)) as { nsPerOp: number[] };
  return out.nsPerOp;
}

export const cCases: CaseModule = {
  peers: {},
  async cases(settings: Settings): Promise<Case[]> {
    const binary = await compileRing();
    if (!binary) return [];
    const { seconds, repeats } = settings;
    const make = (name: string, kind: Case['kind'], note: string, args: string[]): Case => ({
      name, kind, family: 'c', note,
      run: async () => ({ name, nsPerOp: await ring(binary, args) }),
    });
    return [
      make(C_SPIN, 'latency', 'fork()ed pair; 64 bytes copied into a slot, a sequence word bumped, the other side spinning on it (pause)', ['pingpong', 'spin', String(seconds), String(repeats)]),
      make(C_SPIN_SC, 'latency', 'as above without pause and with sequentially consistent stores: the only spin and store JS and Wasm atomics can express', ['pingpong', 'spin-sc', String(seconds), String(repeats)]),
      make(C_FUTEX, 'latency', 'as above, but each side sleeps in FUTEX_WAIT and each bump is followed by FUTEX_WAKE', ['pingpong', 'futex', String(seconds), String(repeats)]),
      make(C_ADAPTIVE, 'latency', 'as above, but a waiter spins 2000 times before it sleeps and announces its sleep in a count; a bump calls FUTEX_WAKE only when someone sleeps', ['pingpong', 'adaptive', String(seconds), String(repeats)]),
      make(C_RING_ONE, 'throughput', `SPSC byte ring (${C_MESSAGE_RING >> 10} KiB, 8-byte record header), tail published and head released per message; both sides spin`, ['msgs', 'one', String(seconds), String(repeats), String(C_MESSAGE_RING), '1']),
      make(C_RING_BATCH, 'throughput', `same ring, tail published and head released once per ${C_BATCH} messages`, ['msgs', 'batch', String(seconds), String(repeats), String(C_MESSAGE_RING), String(C_BATCH)]),
      make(C_RING_STREAM, 'stream', `same ring (${C_STREAM_RING >> 20} MiB), ${C_STREAM_CHUNK >> 10} KiB records copied in from a source and out to a destination buffer`, ['stream', String(settings.streamBytes), String(repeats), String(C_STREAM_RING), String(C_STREAM_CHUNK)]),
    ];
  },
};
