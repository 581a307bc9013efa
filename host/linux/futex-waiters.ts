// Async futex waits on threads of our own. koffi's .async runs calls on
// libuv's thread pool (4 threads, shared with fs and dns): a few pending
// lock waits would starve every file read in the process. Instead each
// pending wait gets a waiter thread, kept for reuse, that makes the blocking
// futex call; it and the main thread talk through one shared slot with
// Atomics (no message passing on the hot path).
//
//   WAITER SLOT (Int32Array of SLOT_WORDS, shared with one waiter thread)
//   ┌────────────────────────────────────────────────────────┐ [0]
//   │ request  i32  bumped by the main thread per request    │
//   │ done     i32  bumped by the waiter when it finishes    │ [1]
//   │ expected i32  value to sleep on                        │ [2]
//   │ result   i32  0 woken, 1 not-equal, 2 timed-out, <0 -errno │ [3]
//   │ address  f64  process address of the word    (Float64 at [4..5]) │
//   │ timeout  f64  milliseconds, Infinity for none (Float64 at [6..7]) │
//   └────────────────────────────────────────────────────────┘
import { createRequire } from 'node:module';
import { arch } from 'node:process';
import { Worker } from 'node:worker_threads';
import type { FutexResult } from './futex.js';
import { systemError } from './system-error.js';

const REQUEST = 0;
const DONE = 1;
const EXPECTED = 2;
const RESULT = 3;
const ADDRESS_F64 = 2;
const TIMEOUT_F64 = 3;
const SLOT_WORDS = 8;
const RESULTS: FutexResult[] = ['woken', 'not-equal', 'timed-out'];

// The waiter thread's program: self-contained, so it needs no module files.
const WAITER_SOURCE = `
const { workerData } = require('node:worker_threads');
const koffi = require(workerData.koffi);
const futex = koffi.load('libc.so.6').func('long syscall(long nr, intptr_t uaddr, int op, int val, void *timeout, intptr_t uaddr2, int val3)');
const slot = new Int32Array(workerData.slot);
const f64 = new Float64Array(workerData.slot);
const timespec = Buffer.alloc(16);
for (let seen = 0; ; ) {
  Atomics.wait(slot, ${REQUEST}, seen);
  seen = Atomics.load(slot, ${REQUEST});
  const ms = f64[${TIMEOUT_F64}];
  let ts = null;
  if (Number.isFinite(ms)) {
    timespec.writeBigInt64LE(BigInt(Math.floor(ms / 1000)), 0);
    timespec.writeBigInt64LE(BigInt(Math.round((ms % 1000) * 1e6)), 8);
    ts = timespec;
  }
  const r = Number(futex(${arch === 'arm64' ? 98 : 202}, f64[${ADDRESS_F64}], 0, slot[${EXPECTED}], ts, 0, 0));
  const errno = r === 0 ? 0 : koffi.errno();
  slot[${RESULT}] = r === 0 || errno === 4 ? 0 : errno === 11 ? 1 : errno === 110 ? 2 : -errno;
  Atomics.add(slot, ${DONE}, 1);
  Atomics.notify(slot, ${DONE});
}
`;

interface Waiter {
  worker: Worker;
  slot: Int32Array;
  f64: Float64Array;
}

const idle: Waiter[] = [];
let koffiPath: string | undefined;

function startWaiter(): Waiter {
  koffiPath ??= createRequire(import.meta.url).resolve('koffi');
  const buffer = new SharedArrayBuffer(SLOT_WORDS * 4);
  const worker = new Worker(WAITER_SOURCE, { eval: true, workerData: { koffi: koffiPath, slot: buffer } });
  worker.unref(); // an idle waiter never keeps the process alive
  return { worker, slot: new Int32Array(buffer), f64: new Float64Array(buffer) };
}

/** Sleeps on a waiter thread while the word at `address` holds `expected`; the event loop runs on. */
export async function futexWaitOnThread(address: number, expected: number, timeoutMs: number): Promise<FutexResult> {
  const waiter = idle.pop() ?? startWaiter();
  const { worker, slot, f64 } = waiter;
  worker.ref(); // a pending wait keeps the process alive, as a pending timer would
  slot[EXPECTED] = expected | 0;
  f64[ADDRESS_F64] = address;
  f64[TIMEOUT_F64] = timeoutMs;
  const done = Atomics.load(slot, DONE);
  Atomics.add(slot, REQUEST, 1);
  Atomics.notify(slot, REQUEST);
  const finished = Atomics.waitAsync(slot, DONE, done);
  if (finished.async) await finished.value;
  const result = slot[RESULT]!;
  worker.unref();
  idle.push(waiter);
  if (result < 0) throw systemError('futex', -result, {}, 'FUTEX_WAIT (waiter thread)');
  return RESULTS[result]!;
}
