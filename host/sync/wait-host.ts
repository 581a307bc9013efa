// How a host sleeps and wakes, and the two drivers that run a primitive's
// algorithm with it. Each algorithm is written once, as a generator that
// yields "sleep on this word while it holds this value" requests; runSync
// blocks the thread for them, runAsync awaits them (the event loop runs on).
import { abortError, invalidArgument } from '../errors.js';
import { checkOptions, checkSignal, checkTimeout } from '../core/validate.js';

export type WaitResult = 'woken' | 'not-equal' | 'timed-out';

/** What a host supplies: ids, liveness, and sleeping and waking on a 32-bit word of the memory. */
export interface WaitHost {
  /** This thread's holder id (1 .. 2^30-1), unique among everyone sharing the memory. */
  readonly id: number;
  /** Whether a holder id is still alive (hosts that cannot tell say true). */
  isAlive(id: number): boolean;
  /** Blocks while the word at byte `offset` holds `expected`, for at most `timeoutMs`. */
  wait(offset: number, expected: number, timeoutMs: number): WaitResult;
  waitAsync(offset: number, expected: number, timeoutMs: number): Promise<WaitResult>;
  /** Wakes up to `count` sleepers on the word at `offset`. */
  wake(offset: number, count: number): void;
}

/** Options of every blocking call. */
export interface WaitOptions {
  /** Give up after this many milliseconds (default: wait as long as it takes). */
  timeoutMs?: number;
  /** Async forms: stop waiting when aborted (the promise rejects with ABORT_ERR). */
  signal?: AbortSignal;
  /** Attempts before sleeping (default 64 for locks, CHANNEL_SPIN for channels): short holds are then caught without a system call. */
  spin?: number;
}

/** One sleep the algorithm asks for. */
export interface Sleep {
  offset: number;
  value: number;
  timeoutMs: number;
}

export type Steps<T> = Generator<Sleep, T, WaitResult>;

// A sleeper re-checks liveness of a holder at least this often, so a holder
// that died without waking anyone cannot keep it asleep forever.
export const LIVENESS_SLICE_MS = 100;

export class Deadline {
  readonly #end: number;
  constructor(timeoutMs: number | undefined) {
    this.#end = performance.now() + checkTimeout(timeoutMs, 'wait');
  }
  /** Milliseconds left, capped at `cap`; 0 when passed. */
  left(cap = Infinity): number {
    return Math.max(0, Math.min(cap, this.#end - performance.now()));
  }
  get passed(): boolean {
    return performance.now() >= this.#end;
  }
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

/** Locks' default spin: a lock is usually held briefly. */
export const LOCK_SPIN = 64;
/**
 * Channels' default spin: a peer answering at once is a round trip away
 * (0.4–0.7 µs between processes here); with 64 attempts (~1 µs) a round
 * trip under load often missed it and paid a futex sleep and wake-up
 * (median 1.1–8 µs), with 128 or more it stayed at ~0.7 µs.
 */
export const CHANNEL_SPIN = 256;

/** The spin phase of a wait: up to `spin` tries of `attempt`; its first answer, or null. */
export function spinOn<T>(attempt: () => T | null, spin: number): T | null {
  for (let i = 0; i < spin; i++) {
    const got = attempt();
    if (got !== null) return got;
  }
  return null;
}

export function checkSpin(spin: unknown, fallback = LOCK_SPIN): number {
  if (spin === undefined) return fallback;
  if (typeof spin !== 'number' || !Number.isInteger(spin) || spin < 0) invalidArgument(`spin must be a whole number ≥ 0: spin=${String(spin)}`);
  return spin;
}

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

/** Runs an algorithm, awaiting its sleeps; the event loop keeps running. */
export async function runAsync<T>(steps: Steps<T>, host: WaitHost, signal?: AbortSignal): Promise<T> {
  checkSignal(signal, 'wait');
  if (signal?.aborted) throw abortError(signal.reason, 'wait');
  let next = steps.next();
  while (!next.done) {
    const { offset, value, timeoutMs } = next.value;
    // Sleep in slices so an abort is noticed promptly.
    const result = await host.waitAsync(offset, value, signal ? Math.min(timeoutMs, LIVENESS_SLICE_MS) : timeoutMs);
    if (signal?.aborted) {
      steps.return(undefined as T); // runs the algorithm's cleanup (finally blocks)
      throw abortError(signal.reason, 'wait');
    }
    next = steps.next(result);
  }
  return next.value;
}
