// Blocking calls made on threads of our own. koffi's .async runs calls on
// libuv's thread pool (4 threads, shared with fs and dns): a few pending
// waits would starve every file read in the process. Instead each pending
// blocking call gets a waiter thread, kept for reuse, and the main thread
// talks to it through one shared slot with Atomics (no message passing).
//
//   WAITER SLOT (SLOT_BYTES = 96, shared with one waiter thread)
//   ┌───────────────────────────────────────────────────────────┐ 0
//   │ request i32  bumped by the main thread per call           │
//   │ done    i32  bumped by the waiter when the call returned  │ 4
//   │ call    i32  index into BLOCKING_CALLS                    │ 8
//   │ result  i32  what the C function returned                 │ 12
//   │ errno   i32  errno after a -1 result, else 0              │ 16
//   │ reserved                                                  │ 20 .. 32
//   ├───────────────────────────────────────────────────────────┤ 32
//   │ args    f64[8]  numbers and addresses, in C order         │
//   └───────────────────────────────────────────────────────────┘ 96
import { Worker } from 'node:worker_threads';
import { moduleRequire } from '../core/module-url.js';

const REQUEST = 0;
const DONE = 1;
const CALL = 2;
const RESULT = 3;
const ERRNO = 4;
const SLOT_BYTES = 96;

/** The calls a waiter thread can make (pointers travel as addresses). */
export const BLOCKING_CALLS = [
  'long syscall(long nr, intptr_t uaddr, int op, int val, intptr_t timeout, intptr_t uaddr2, int val3)',
  'int semtimedop(int semid, intptr_t sops, size_t nsops, intptr_t timeout)',
  'int sem_timedwait(intptr_t sem, intptr_t abstime)',
] as const;
export type BlockingCall = (typeof BLOCKING_CALLS)[number];
export const [FUTEX_CALL, SEMTIMEDOP_CALL, SEM_TIMEDWAIT_CALL] = BLOCKING_CALLS;

// The waiter thread's program: self-contained, so it needs no module files.
const WAITER_SOURCE = `
const { workerData } = require('node:worker_threads');
const koffi = require(workerData.koffi);
const lib = koffi.load('libc.so.6');
const calls = workerData.calls.map((signature) => lib.func(signature));
const arity = workerData.arity;
const slot = new Int32Array(workerData.slot);
const args = new Float64Array(workerData.slot, 32, 8);
for (let seen = 0; ; ) {
  Atomics.wait(slot, ${REQUEST}, seen);
  seen = Atomics.load(slot, ${REQUEST});
  const call = slot[${CALL}];
  const result = Number(calls[call](...Array.from(args.subarray(0, arity[call]))));
  slot[${RESULT}] = result;
  slot[${ERRNO}] = result === -1 ? koffi.errno() : 0;
  Atomics.add(slot, ${DONE}, 1);
  Atomics.notify(slot, ${DONE});
}
`;

/** How many arguments a C prototype takes. */
function arity(signature: string): number {
  return /\((.*)\)/.exec(signature)![1]!.split(',').length;
}

interface Waiter {
  worker: Worker;
  slot: Int32Array;
  args: Float64Array;
}

const idle: Waiter[] = [];
let koffiPath: string | undefined;

function startWaiter(): Waiter {
  koffiPath ??= moduleRequire().resolve('koffi');
  const buffer = new SharedArrayBuffer(SLOT_BYTES);
  const worker = new Worker(WAITER_SOURCE, { eval: true, workerData: { koffi: koffiPath, slot: buffer, calls: BLOCKING_CALLS, arity: BLOCKING_CALLS.map(arity) } });
  worker.unref(); // an idle waiter never keeps the process alive
  return { worker, slot: new Int32Array(buffer), args: new Float64Array(buffer, 32, 8) };
}

export interface BlockingResult {
  result: number;
  errno: number;
}

/**
 * Makes a blocking call on a waiter thread; the event loop runs on.
 * `keepAlive` holds the buffers whose addresses are in `args` until the
 * call has returned.
 */
export async function callOnWaiterThread(call: BlockingCall, args: number[], keepAlive?: unknown): Promise<BlockingResult> {
  const waiter = idle.pop() ?? startWaiter();
  const { worker, slot } = waiter;
  worker.ref(); // a pending call keeps the process alive, as a pending timer would
  slot[CALL] = BLOCKING_CALLS.indexOf(call);
  waiter.args.fill(0).set(args);
  const done = Atomics.load(slot, DONE);
  Atomics.add(slot, REQUEST, 1);
  Atomics.notify(slot, REQUEST);
  const finished = Atomics.waitAsync(slot, DONE, done);
  if (finished.async) await finished.value;
  void keepAlive;
  const outcome = { result: slot[RESULT]!, errno: slot[ERRNO]! };
  worker.unref();
  idle.push(waiter);
  return outcome;
}
