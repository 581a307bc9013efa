// How a host sleeps and wakes, and the shape of the requests an algorithm
// makes of it. Each algorithm is written once, as a generator that yields
// "sleep on this word while it holds this value" requests; run.ts drives it.
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

/** One sleep the algorithm asks for. */
export interface Sleep {
  offset: number;
  value: number;
  timeoutMs: number;
}

export type Steps<T> = Generator<Sleep, T, WaitResult>;
