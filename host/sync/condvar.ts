// A condition variable used with a shmkit Mutex (assembly/sync/condvar.ts).
import { coreConstant } from '../core/core.js';
import type { Mutex } from './mutex.js';
import { Place, Primitive } from './place.js';
import { abortError } from '../errors.js';
import { Deadline, runAsync, runSync, type Steps, type WaitOptions } from './wait-host.js';

/** 'signalled' (or a spurious wake: re-check the condition), 'timed-out'; the mutex is held again either way. */
export type ConditionResult = 'signalled' | 'timed-out';

export class Condition extends Primitive {
  static readonly SIZE = 64;

  static create(place: Place): Condition {
    place.memory.core.condInit(place.offset);
    return new Condition(place);
  }

  static open(place: Place): Condition {
    return new Condition(place);
  }

  private constructor(place: Place) {
    super(place, coreConstant(place.memory.core, 'CONDVAR_SIZE'), 'a condition variable');
  }

  /** Unlocks `mutex`, sleeps until signalled, locks it again. Call with the mutex held. */
  wait(mutex: Mutex, options: WaitOptions = {}): ConditionResult {
    const result = runSync(this.#steps(mutex, options), this.host);
    mutex.lock();
    return result;
  }

  async waitAsync(mutex: Mutex, options: WaitOptions = {}): Promise<ConditionResult> {
    // Aborted before the mutex was let go: nothing to take back (relocking would be EDEADLK).
    if (options.signal?.aborted) throw abortError(options.signal.reason, 'wait');
    try {
      return await runAsync(this.#steps(mutex, options), this.host, options.signal);
    } finally {
      await mutex.lockAsync();
    }
  }

  /** Wakes one sleeper (no system call when nobody sleeps). */
  signal(): void {
    if (this.core.condSignal(this.at) > 0) this.host.wake(this.at, 1);
  }

  /** Wakes every sleeper. */
  broadcast(): void {
    if (this.core.condSignal(this.at) > 0) this.host.wake(this.at, 0x7fffffff);
  }

  *#steps(mutex: Mutex, options: WaitOptions): Steps<ConditionResult> {
    const deadline = new Deadline(options.timeoutMs);
    const sequence = this.core.condWaitBegin(this.at);
    mutex.unlock();
    try {
      // An async wait with a signal sleeps in slices: a slice ending is no timeout.
      while ((yield { offset: this.at, value: sequence, timeoutMs: deadline.left() }) === 'timed-out') {
        if (deadline.passed) return 'timed-out';
      }
      return 'signalled';
    } finally {
      this.core.condWaitEnd(this.at);
    }
  }
}
