// The options every blocking call takes, checked before anything is
// stored, and the spin phase they tune.
import { invalidArgument } from '../errors.js';
import { checkOptions, checkSignal, checkTimeout } from '../core/validate.js';
import type { SpinOption } from './spin.js';

/** Options of every blocking call. */
export interface WaitOptions {
  /** Give up after this many milliseconds (default: wait as long as it takes). */
  timeoutMs?: number;
  /** Async forms: stop waiting when aborted (the promise rejects with ABORT_ERR). */
  signal?: AbortSignal;
  /**
   * The spin phase before a sleep: `'adaptive'` (the default) spins for a
   * time this handle learns from its recent waits (at most 100 µs, 20 µs in
   * an Async form; host/wait/spin.ts); a number makes exactly that many
   * attempts, 0 none.
   */
  spin?: SpinOption;
}

/** What a try form built on a wait's algorithm passes it: one attempt, no spin, no sleep. */
export const ONE_ATTEMPT: Readonly<WaitOptions> = Object.freeze({ timeoutMs: 0, spin: 0 });

/** The keys WaitOptions has; any other key is refused. */
export const WAIT_OPTION_KEYS: readonly string[] = ['timeoutMs', 'signal', 'spin'];

/**
 * Checks every field of WaitOptions up front, before the first store (also
 * on fast paths that never wait): EINVAL on a bad value or an unknown key,
 * so a misspelt `{ timeout: 5 }` is an error, not a wait without end.
 * Options types that extend WaitOptions name their own keys in `extraKeys`
 * (and check those values themselves).
 */
export function checkWaitOptions(options: WaitOptions | undefined, extraKeys: readonly string[] = [], where = 'wait'): void {
  if (options === undefined) return;
  const keys = extraKeys.length === 0 ? WAIT_OPTION_KEYS : [...WAIT_OPTION_KEYS, ...extraKeys];
  checkOptions<WaitOptions>(options, keys, where);
  checkTimeout(options.timeoutMs, where);
  checkSignal(options.signal, where);
  checkSpin(options.spin);
}

/**
 * checkWaitOptions for a Sync form. It blocks its thread, so no signal
 * could fire while it waits: a `signal` there would be silently useless,
 * and is refused in favour of the Async form.
 */
export function checkSyncWaitOptions(options: WaitOptions | undefined, extraKeys: readonly string[] = [], where = 'wait'): void {
  checkWaitOptions(options, extraKeys, where);
  if (options?.signal !== undefined) {
    invalidArgument(`${where}: a Sync form blocks its thread, so no signal can abort it; pass { signal } to the Async form, or use { timeoutMs }`);
  }
}

export function checkSpin(spin: unknown): SpinOption | undefined {
  if (spin === undefined || spin === 'adaptive') return spin;
  if (typeof spin !== 'number' || !Number.isInteger(spin) || spin < 0) {
    invalidArgument(`spin must be 'adaptive' or a whole number of attempts ≥ 0: spin=${String(spin)}`);
  }
  return spin;
}
