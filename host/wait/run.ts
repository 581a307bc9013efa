// The one wait loop: it runs a primitive's algorithm (a generator of
// sleeps, wait-host.ts) and hands each sleep to the host. runSync blocks
// the thread for them, runAsync awaits them (the event loop runs on).
import { abortError } from '../errors.js';
import { checkSignal } from '../core/validate.js';
import { Deadline } from './deadline.js';
import { ABORT_SLICE_MS } from './sliced-wait.js';
import type { WaitOptions } from './options.js';
import { asAsyncStep, reportingSleep, type Spinner } from './spin.js';
import type { Steps, WaitHost, WaitResult } from './wait-host.js';

/** Runs an algorithm, blocking this thread for its sleeps. */
export function runSync<T>(steps: Steps<T>, host: WaitHost): T {
  let next = steps.next();
  while (!next.done) {
    const { offset, value, timeoutMs } = next.value;
    let result: WaitResult;
    try {
      result = host.wait(offset, value, timeoutMs);
    } catch (error) {
      steps.return(undefined as T); // a host that refuses to sleep (a page's main thread) still gets the algorithm's cleanup
      throw error;
    }
    next = steps.next(result);
  }
  return next.value;
}

/**
 * A Sync form's wait: spins on `attempt` (an answer, or null for "not
 * yet"), and only if that finds nothing builds `sleep(deadline)`, the
 * algorithm, and runs it. `attempt` and `sleep` are made once per handle,
 * so a wait the spin ends allocates nothing but its deadline.
 */
export function waitSync<T>(spinner: Spinner, options: WaitOptions | undefined, attempt: () => T | null,
  sleep: (deadline: Deadline) => Steps<T>, host: WaitHost): T {
  const deadline = new Deadline(options?.timeoutMs);
  const started = performance.now();
  const spun = spinner.spin(attempt, options?.spin, started, deadline);
  if (spun !== null) return spun;
  return runSync(reportingSleep(spinner, options?.spin, started, sleep(deadline)), host);
}

/** Runs an algorithm, awaiting its sleeps; the event loop keeps running. */
export async function runAsync<T>(steps: Steps<T>, host: WaitHost, signal?: AbortSignal): Promise<T> {
  checkSignal(signal, 'wait');
  if (signal?.aborted) throw abortError(signal.reason, 'wait');
  let next = asAsyncStep(() => steps.next());
  while (!next.done) {
    const { offset, value, timeoutMs } = next.value;
    // Sleep in slices so an abort is noticed promptly.
    const result = await host.waitAsync(offset, value, signal ? Math.min(timeoutMs, ABORT_SLICE_MS) : timeoutMs);
    if (signal?.aborted) {
      steps.return(undefined as T); // runs the algorithm's cleanup (finally blocks)
      throw abortError(signal.reason, 'wait');
    }
    next = steps.next(result);
  }
  return next.value;
}
