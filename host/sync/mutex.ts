// A robust mutex (and its recursive kind) in shared memory, over the core's
// algorithm (assembly/sync/mutex.ts).
import { checkBoolean, checkOptions } from '../core/validate.js';
import { ShmError } from '../errors.js';
import { coreConstant } from '../core/core.js';
import { retiredTimeout, warnRenamed } from './deprecation.js';
import { guardOfLock, type Guard } from './guard.js';
import { layoutCore } from '../core/layout-core.js';
import { Place, Primitive } from './place.js';
import {
  Deadline, LivenessSlices, checkSyncWaitOptions, checkWaitOptions, runAsync, spinThenSleep, waitSync, type Steps, type WaitOptions,
} from '../wait/index.js';

/** `acquired`, or `owner-died` (acquired; the last owner died holding it: repair, then markConsistent()), or `timed-out`. */
export type LockResult = 'acquired' | 'owner-died' | 'timed-out';


export interface MutexOptions {
  recursive?: boolean;
}

export class Mutex extends Primitive {
  static get SIZE(): number { return coreConstant(layoutCore().core, 'MUTEX_SIZE'); }
  readonly recursive: boolean;
  readonly #id: number;
  /** The futex word: the owner's id. */
  readonly #word: number;
  // A wait's spin attempt and sleeping part, made once: a wait the spin ends allocates nothing.
  readonly #attempt = (): 'acquired' | null => this.#spinAttempt();
  readonly #sleep = (deadline: Deadline): Steps<LockResult> => this.#sleepSteps(deadline);

  /** Formats a mutex at `place` (nobody may be using it). */
  static create(place: Place, options: MutexOptions = {}): Mutex {
    const { recursive = false } = checkOptions<MutexOptions>(options, ['recursive'], 'Mutex.create');
    const mutex = new Mutex(place, checkBoolean(recursive, 'recursive', 'Mutex.create')); // checks the place before the first store
    place.memory.core.mutexInit(place.offset, coreConstant(place.memory.core, recursive ? 'MUTEX_RECURSIVE' : 'MUTEX_NORMAL'));
    return mutex;
  }

  /** A mutex that already lives at `place`. */
  static open(place: Place, recursive = false): Mutex {
    return new Mutex(place, recursive);
  }

  private constructor(place: Place, recursive: boolean) {
    super(place, coreConstant(place.memory.core, 'MUTEX_SIZE'), 'a mutex');
    this.recursive = recursive;
    this.#id = place.host.id;
    this.#word = this.at + this.constants.MUTEX_WORD;
  }

  /** One attempt, never sleeping: 'acquired', 'owner-died', or false when held by someone else. */
  tryLock(): Exclude<LockResult, 'timed-out'> | false {
    const r = this.core.mutexTryLock(this.at, this.host.id, 0);
    if (r === this.constants.ACQUIRED || r === this.constants.ACQUIRED_AGAIN) return 'acquired';
    if (r > 0) return this.host.isAlive(r) || !this.core.mutexTakeOver(this.at, r, this.host.id) ? false : 'owner-died';
    return this.#misuse(r);
  }

  /** Blocks this thread until acquired: 'acquired', 'owner-died', or 'timed-out'. */
  lockSync(options?: WaitOptions): LockResult {
    checkSyncWaitOptions(options, [], 'lockSync');
    // The uncontended case is one core call: no generator.
    if (this.#acquiredFast()) return 'acquired';
    return waitSync(this.spinner, options, this.#attempt, this.#sleep, this.host);
  }

  /** lockSync() without blocking the event loop; takes an AbortSignal. */
  lockAsync(options: WaitOptions = {}): Promise<LockResult> {
    checkWaitOptions(options, [], 'lockAsync');
    if (!options.signal?.aborted && this.#acquiredFast()) return Promise.resolve('acquired');
    return runAsync(this.#steps(options), this.host, options.signal);
  }

  /** tryLock() as a guard that unlocks when disposed; null when someone else holds it. */
  tryHold(): Guard | null {
    return this.#guard(this.tryLock());
  }

  /**
   * lockSync() as a guard that unlocks when disposed; null on timeout.
   * Check it before relying on the lock: `using` accepts null and would run
   * the block unlocked.
   */
  holdSync(options?: WaitOptions): Guard | null {
    return this.#guard(this.lockSync(options));
  }

  /** holdSync() without blocking the event loop; takes an AbortSignal. */
  async holdAsync(options: WaitOptions = {}): Promise<Guard | null> {
    return this.#guard(await this.lockAsync(options));
  }

  /** @deprecated use lockSync */
  lock(options?: WaitOptions): LockResult {
    warnRenamed('Mutex.lock', 'Mutex.lockSync');
    return this.lockSync(options);
  }

  /** @deprecated use holdSync, which returns null on a timeout; this one throws ETIMEDOUT */
  hold(options?: WaitOptions): Guard {
    warnRenamed('Mutex.hold', 'Mutex.holdSync', 'it returns null on a timeout instead of throwing ETIMEDOUT');
    return this.holdSync(options) ?? retiredTimeout('the mutex', 'Mutex.holdSync');
  }

  unlock(): void {
    const r = this.core.mutexUnlock(this.at, this.#id);
    if (r === 0) return;
    if (r === this.constants.MUTEX_WAKE_ONE) this.host.wake(this.#word, 1);
    else if (r === this.constants.MUTEX_WAKE_ALL) this.host.wake(this.#word, 0x7fffffff); // not recoverable now: everyone must learn it
    else if (r < 0) this.#misuse(r);
  }

  /** After 'owner-died': the protected data is repaired. Unlocking without it makes the mutex unusable. */
  markConsistent(): void {
    const r = this.core.mutexMarkConsistent(this.at, this.host.id);
    if (r !== this.constants.ACQUIRED) this.#misuse(r);
  }

  /** The id (thread id on Linux) of the holder, or 0. */
  get owner(): number {
    return this.core.mutexOwner(this.at);
  }

  // A re-entry counts here too: trying again in #steps would count it twice.
  #acquiredFast(): boolean {
    const r = this.core.mutexTryLock(this.at, this.#id, 0);
    return r === this.constants.ACQUIRED || r === this.constants.ACQUIRED_AGAIN;
  }

  *#steps(options: WaitOptions): Steps<LockResult> {
    return yield* spinThenSleep(this.spinner, options.spin, new Deadline(options.timeoutMs), this.#attempt, this.#sleep);
  }

  /** A spinning attempt: acquired, or null while someone (alive or not: that is asked after the spin) holds it. */
  #spinAttempt(): 'acquired' | null {
    const r = this.core.mutexTryLock(this.at, this.#id, 0);
    if (r === this.constants.ACQUIRED || r === this.constants.ACQUIRED_AGAIN) return 'acquired';
    return r > 0 ? null : this.#misuse(r);
  }

  *#sleepSteps(deadline: Deadline): Steps<LockResult> {
    const id = this.host.id;
    let contended = 0;
    const slices = new LivenessSlices(this.core);
    let sliceExpired = false;
    for (;;) {
      const r = this.core.mutexTryLock(this.at, id, contended);
      if (r === this.constants.ACQUIRED || r === this.constants.ACQUIRED_AGAIN) return 'acquired';
      if (r <= 0) return this.#misuse(r);
      // Liveness costs a system call, so it is asked only of a holder that
      // let a whole slice pass without waking us (the slice exists for that).
      if (sliceExpired && !this.host.isAlive(r)) {
        if (this.core.mutexTakeOver(this.at, r, id)) return 'owner-died';
        continue;
      }
      if (deadline.passed) return 'timed-out';
      const value = this.core.markWaiting(this.#word, r);
      if (value === 0) continue; // the holder changed meanwhile
      sliceExpired = slices.quiet(yield { offset: this.#word, value, timeoutMs: deadline.left(slices.ms) });
      contended = 1; // others may sleep too: keep the flag so our unlock wakes them
    }
  }

  #guard(result: LockResult | false): Guard | null {
    return guardOfLock(result, () => this.unlock());
  }

  #misuse(code: number): never {
    switch (code) {
      case this.constants.NOT_RECOVERABLE:
        throw new ShmError({ code: 'ENOTRECOVERABLE', message: 'a holder of this mutex died and the next one unlocked it without markConsistent(); the data it guards cannot be trusted. Recreate the mutex' });
      case this.constants.WOULD_DEADLOCK:
        throw new ShmError({ code: 'EDEADLK', message: 'this thread already holds the mutex (make it recursive to lock it again)' });
      case this.constants.NOT_OWNER:
        throw new ShmError({ code: 'EPERM', message: 'this thread does not hold the mutex' });
      default:
        throw new ShmError({ code: 'EINVAL', message: `mutex call failed (${code}): it is not in the owner-died state, or the id is bad` });
    }
  }
}
