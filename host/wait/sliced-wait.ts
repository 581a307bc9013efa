// Async waits that can be cancelled. A call blocked in the kernel (on a
// waiter thread, host/linux/waiter-threads.ts) cannot be interrupted from JS, so an
// async wait runs as a series of native waits of at most ABORT_SLICE_MS each;
// between them the loop checks the AbortSignal and the deadline.
import { abortError, type ShmErrorTarget } from '../errors.js';
import { Deadline } from './deadline.js';

/** Longest one native wait lasts: the worst abort latency. */
export const ABORT_SLICE_MS = 50;

export interface SliceOptions {
  /** Total time to wait, in ms; Infinity for no limit. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** What is being waited for, for the abort error's message. */
  what: string;
  target: ShmErrorTarget;
}

/**
 * Repeats `attempt(sliceMs, round)` until it reports success (→ true), the
 * deadline passes (→ false) or the signal aborts (→ rejects ABORT_ERR). An
 * attempt that succeeded is never undone: if the signal aborted while it ran,
 * the result is still true, because the semaphore was taken and dropping
 * that would lose it.
 */
export async function waitInSlices(attempt: (sliceMs: number, round: number) => Promise<boolean>, o: SliceOptions): Promise<boolean> {
  const deadline = new Deadline(o.timeoutMs);
  for (let round = 0; ; round++) {
    if (o.signal?.aborted) throw abortError(o.signal.reason, o.what, o.target);
    if (deadline.passed && round > 0) return false;
    if (await attempt(deadline.left(ABORT_SLICE_MS), round)) return true;
  }
}
