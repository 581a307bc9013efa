// Async waits that never leave a thread blocked for long. A koffi `.async`
// call occupies one of libuv's few pool threads until it returns, and a call
// blocked in the kernel cannot be cancelled from JS. So an async wait runs as
// a series of native waits of at most SLICE_MS each; between them the loop
// checks the AbortSignal and the deadline.
import { abortError, type ShmErrorTarget } from '../errors.js';

/** Longest one native wait holds a pool thread; also the worst abort latency. */
export const SLICE_MS = 50;

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
  const deadline = performance.now() + o.timeoutMs;
  for (let round = 0; ; round++) {
    if (o.signal?.aborted) throw abortError(o.signal.reason, o.what, o.target);
    const left = deadline - performance.now();
    if (left <= 0 && round > 0) return false;
    if (await attempt(Math.min(SLICE_MS, Math.max(0, left)), round)) return true;
  }
}
