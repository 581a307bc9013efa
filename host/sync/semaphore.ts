// A counting semaphore in shared memory (assembly/sync/semaphore.ts).
import { ShmError, invalidArgument } from '../errors.js';
import { coreConstant } from '../core/core.js';
import { warnRenamed } from './deprecation.js';
import { layoutCore } from '../core/layout-core.js';
import { Place, Primitive } from './place.js';
import { Deadline, runAsync, spinThenSleep, waitSync, type Steps, checkSyncWaitOptions, checkWaitOptions, type WaitOptions } from '../wait/index.js';

export class Semaphore extends Primitive {
  static get SIZE(): number { return coreConstant(layoutCore().core, 'SEMAPHORE_SIZE'); }
  /** The futex word: the tokens. */
  readonly #word: number;
  // A wait's spin attempt and sleeping part, made once: a wait the spin ends allocates nothing.
  readonly #attempt = (): true | null => (this.tryWait() ? true : null);
  readonly #sleep = (deadline: Deadline): Steps<boolean> => this.#sleepSteps(deadline);

  static create(place: Place, value = 0): Semaphore {
    const most = coreConstant(layoutCore().core, 'SEMAPHORE_MAX_VALUE');
    if (!Number.isInteger(value) || value < 0 || value > most) invalidArgument(`semaphore value must be from 0 to ${most}: value=${String(value)}`);
    const semaphore = new Semaphore(place); // checks the place before the first store
    place.memory.core.semInit(place.offset, value);
    return semaphore;
  }

  static open(place: Place): Semaphore {
    return new Semaphore(place);
  }

  private constructor(place: Place) {
    super(place, coreConstant(place.memory.core, 'SEMAPHORE_SIZE'), 'a semaphore');
    this.#word = this.at + this.constants.SEMAPHORE_VALUE;
  }

  /** Takes a token if one is there: true, else false. */
  tryWait(): boolean {
    return this.core.semTryWait(this.at) === 1;
  }

  /** Takes a token, sleeping until one is posted: true, or false on timeout. */
  waitSync(options: WaitOptions = {}): boolean {
    checkSyncWaitOptions(options, [], 'waitSync');
    return waitSync(this.spinner, options, this.#attempt, this.#sleep, this.host);
  }

  /** waitSync() without blocking the event loop; takes an AbortSignal. */
  waitAsync(options: WaitOptions = {}): Promise<boolean> {
    checkWaitOptions(options, [], 'waitAsync');
    return runAsync(this.#steps(options), this.host, options.signal);
  }

  /** @deprecated use waitSync */
  wait(options: WaitOptions = {}): boolean {
    warnRenamed('Semaphore.wait', 'Semaphore.waitSync');
    return this.waitSync(options);
  }

  /** Adds `count` tokens, waking as many sleepers. */
  post(count = 1): void {
    const most = this.constants.SEMAPHORE_MAX_VALUE;
    if (!Number.isInteger(count) || count < 1 || count > most) invalidArgument(`post count must be a whole number ≥ 1: count=${String(count)}`);
    const wake = this.core.semPost(this.at, count);
    if (wake === this.constants.SEMAPHORE_OVERFLOW) throw new ShmError({ code: 'EOVERFLOW', message: `the semaphore would pass ${most} tokens; wait for some to be taken first` });
    if (wake > 0) this.host.wake(this.#word, wake);
  }

  get value(): number {
    return this.core.semValue(this.at);
  }

  *#steps(options: WaitOptions): Steps<boolean> {
    return yield* spinThenSleep(this.spinner, options.spin, new Deadline(options.timeoutMs), this.#attempt, this.#sleep);
  }

  *#sleepSteps(deadline: Deadline): Steps<boolean> {
    this.core.semSleepBegin(this.at);
    let took = false;
    try {
      for (;;) {
        if ((took = this.core.semTryWait(this.at) === 1)) return true;
        if (deadline.passed) return false;
        yield { offset: this.#word, value: 0, timeoutMs: deadline.left() };
      }
    } finally {
      this.core.semSleepEnd(this.at);
      // Leaving without a token (timeout, abort) may swallow a wake meant
      // for a token that is still there: pass it on to another sleeper.
      if (!took && this.core.semValue(this.at) > 0) this.host.wake(this.#word, 1);
    }
  }
}
