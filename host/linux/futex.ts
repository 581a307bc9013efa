// futex(2) on an address in this process, non-private so that waiters in
// other processes sharing the page are woken too. Atomics.wait/notify do not
// reach kernel futex waiters (and the other way round), so on Linux every
// wait and every wake of a shared word goes through here.
import { arch } from 'node:process';
import { addressOf, lastErrno, libc } from './libc.js';
import { FUTEX_CALL, callOnWaiterThread } from './waiter-threads.js';
import { systemError } from './system-error.js';
import { relativeTimespec } from './timespec.js';

const SYS_FUTEX = arch === 'arm64' ? 98 : 202;
const FUTEX_WAIT = 0;
const FUTEX_WAKE = 1;
const EAGAIN = 11;
const EINTR = 4;
const ETIMEDOUT = 110;

export type FutexResult = 'woken' | 'not-equal' | 'timed-out';

// One timespec for this thread's blocking waits: no allocation per sleep.
const waitTimeout = new Uint8Array(16);

/** A relative timespec, or null to wait without a timeout. */
function timeout(timeoutMs: number): Uint8Array | null {
  return Number.isFinite(timeoutMs) ? relativeTimespec(timeoutMs, waitTimeout) : null;
}

function outcome(result: number | bigint, errno: number): FutexResult {
  if (Number(result) === 0) return 'woken';
  if (errno === EAGAIN) return 'not-equal';
  if (errno === ETIMEDOUT) return 'timed-out';
  if (errno === EINTR) return 'woken'; // the caller re-checks its state anyway
  throw systemError('futex', errno, {}, 'FUTEX_WAIT');
}

/** Sleeps while the 32-bit word at `address` holds `expected` (blocks this thread). */
export function futexWait(address: number, expected: number, timeoutMs = Infinity): FutexResult {
  const result = libc.futex(SYS_FUTEX, address, FUTEX_WAIT, expected | 0, timeout(timeoutMs), 0, 0);
  return outcome(result, Number(result) === 0 ? 0 : lastErrno());
}

/** The same wait on a waiter thread: the event loop (and libuv's pool) run on. */
export async function futexWaitAsync(address: number, expected: number, timeoutMs = Infinity): Promise<FutexResult> {
  const ts = Number.isFinite(timeoutMs) ? relativeTimespec(timeoutMs) : null;
  const { result, errno } = await callOnWaiterThread(FUTEX_CALL,
    [SYS_FUTEX, address, FUTEX_WAIT, expected | 0, ts ? addressOf(ts) : 0, 0, 0], ts);
  return outcome(result, errno);
}

/** Wakes up to `count` waiters on `address`; returns how many were woken. */
export function futexWake(address: number, count: number): number {
  const woken = Number(libc.futex(SYS_FUTEX, address, FUTEX_WAKE, count, null, 0, 0));
  if (woken < 0) throw systemError('futex', lastErrno(), {}, 'FUTEX_WAKE');
  return woken;
}

let cachedTid = 0;
/** This thread's kernel id: unique across the system while the thread lives. */
export function threadId(): number {
  return (cachedTid ||= libc.gettid());
}
