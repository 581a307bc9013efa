// A condition variable used with a shmkit Mutex (assembly/sync/condvar.ts).
import { abortError, invalidArgument } from '../errors.js';
import { coreConstant } from '../core/core.js';
import { Mutex } from './mutex.js';
import { warnRenamed } from './deprecation.js';
import { layoutCore } from '../core/layout-core.js';
import { Place, Primitive } from './place.js';
import { Deadline, runAsync, runSync, type Steps, checkSyncWaitOptions, checkWaitOptions, type WaitOptions } from '../wait/index.js';

/**
 * 'signalled' (or a spurious wake: re-check the condition), 'timed-out', or
 * 'owner-died' (relocking found the mutex's holder dead: repair, then
 * mutex.markConsistent()). The mutex is held again in every case.
 */
export type ConditionResult = 'signalled' | 'timed-out' | 'owner-died';

export class Condition extends Primitive {
  static get SIZE(): number { return coreConstant(layoutCore().core, 'CONDVAR_SIZE'); }
  /** The futex word: the signal sequence. */
  readonly #word: number;

  static create(place: Place): Condition {
    const condition = new Condition(place); // checks the place before the first store
    place.memory.core.condInit(place.offset);
    return condition;
  }

  static open(place: Place): Condition {
    return new Condition(place);
  }

  private constructor(place: Place) {
    super(place, coreConstant(place.memory.core, 'CONDVAR_SIZE'), 'a condition variable');
    this.#word = this.at + this.constants.CONDVAR_SEQUENCE;
  }

  /**
   * Unlocks `mutex`, sleeps until signalled, locks it again. Call with the
   * mutex held. There is no try form: a condition is waited for, not taken.
   */
  waitSync(mutex: Mutex, options: WaitOptions = {}): ConditionResult {
    checkMutex(mutex, 'waitSync');
    checkSyncWaitOptions(options, [], 'waitSync');
    const result = runSync(this.#steps(mutex, options), this.host);
    return mutex.lockSync() === 'owner-died' ? 'owner-died' : result;
  }

  /** waitSync() without blocking the event loop; takes an AbortSignal (the mutex is held again when it rejects). */
  async waitAsync(mutex: Mutex, options: WaitOptions = {}): Promise<ConditionResult> {
    checkMutex(mutex, 'waitAsync');
    checkWaitOptions(options, [], 'waitAsync');
    // Aborted before the mutex was let go: nothing to take back (relocking would be EDEADLK).
    if (options.signal?.aborted) throw abortError(options.signal.reason, 'wait');
    let result: ConditionResult | undefined;
    try {
      result = await runAsync(this.#steps(mutex, options), this.host, options.signal);
    } finally {
      // Relocked whatever happened (an abort rethrows after this).
      if ((await mutex.lockAsync()) === 'owner-died') result = 'owner-died';
    }
    return result;
  }

  /** @deprecated use waitSync */
  wait(mutex: Mutex, options: WaitOptions = {}): ConditionResult {
    warnRenamed('Condition.wait', 'Condition.waitSync');
    return this.waitSync(mutex, options);
  }

  /** Wakes one sleeper (no system call when nobody sleeps). */
  signal(): void {
    if (this.core.condSignal(this.at) > 0) this.host.wake(this.#word, 1);
  }

  /** Wakes every sleeper. */
  broadcast(): void {
    if (this.core.condSignal(this.at) > 0) this.host.wake(this.#word, 0x7fffffff);
  }

  *#steps(mutex: Mutex, options: WaitOptions): Steps<ConditionResult> {
    const deadline = new Deadline(options.timeoutMs);
    const sequence = this.core.condWaitBegin(this.at);
    mutex.unlock();
    try {
      // An async wait with a signal sleeps in slices: a slice ending is no timeout.
      while ((yield { offset: this.#word, value: sequence, timeoutMs: deadline.left() }) === 'timed-out') {
        if (deadline.passed) return 'timed-out';
      }
      return 'signalled';
    } finally {
      this.core.condWaitEnd(this.at);
    }
  }
}

function checkMutex(mutex: unknown, where: string): void {
  if (!(mutex instanceof Mutex)) invalidArgument(`${where}: give the shmkit Mutex this thread holds`);
}
