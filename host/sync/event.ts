// An event, manual or auto reset (assembly/sync/event.ts).
import { checkBoolean, checkOptions } from '../core/validate.js';
import { coreConstant } from '../core/core.js';
import { warnRenamed } from './deprecation.js';
import { layoutCore } from '../core/layout-core.js';
import { Place, Primitive } from './place.js';
import { Deadline, runAsync, spinThenSleep, waitSync, type Steps, checkSyncWaitOptions, checkWaitOptions, type WaitOptions } from '../wait/index.js';

export interface EventOptions {
  /** Auto reset: each set() lets exactly one waiter through. Default: manual. */
  autoReset?: boolean;
  initiallySet?: boolean;
}

export class Event extends Primitive {
  static get SIZE(): number { return coreConstant(layoutCore().core, 'EVENT_SIZE'); }
  /** The futex word: set or not. */
  readonly #word: number;
  // A wait's spin attempt and sleeping part, made once: a wait the spin ends allocates nothing.
  readonly #attempt = (): true | null => (this.tryWait() ? true : null);
  readonly #sleep = (deadline: Deadline): Steps<boolean> => this.#sleepSteps(deadline);

  static create(place: Place, options: EventOptions = {}): Event {
    const { autoReset, initiallySet } = checkOptions<EventOptions>(options, ['autoReset', 'initiallySet'], 'Event.create');
    const event = new Event(place); // checks the place before the first store
    place.memory.core.eventInit(place.offset, checkBoolean(autoReset, 'autoReset', 'Event.create') ? 1 : 0, checkBoolean(initiallySet, 'initiallySet', 'Event.create') ? 1 : 0);
    return event;
  }

  static open(place: Place): Event {
    return new Event(place);
  }

  private constructor(place: Place) {
    super(place, coreConstant(place.memory.core, 'EVENT_SIZE'), 'an event');
    this.#word = this.at + this.constants.EVENT_STATE;
  }

  set(): void {
    const wake = this.core.eventSet(this.at);
    if (wake > 0) this.host.wake(this.#word, wake);
  }

  reset(): void {
    this.core.eventReset(this.at);
  }

  /** Passes if set (consuming it when auto reset): true, else false. */
  tryWait(): boolean {
    return this.core.eventTryWait(this.at) === 1;
  }

  /** Waits until set: true, or false on timeout. */
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
    warnRenamed('Event.wait', 'Event.waitSync');
    return this.waitSync(options);
  }

  *#steps(options: WaitOptions): Steps<boolean> {
    return yield* spinThenSleep(this.spinner, options.spin, new Deadline(options.timeoutMs), this.#attempt, this.#sleep);
  }

  *#sleepSteps(deadline: Deadline): Steps<boolean> {
    this.core.eventSleepBegin(this.at);
    let passed = false;
    try {
      for (;;) {
        if ((passed = this.core.eventTryWait(this.at) === 1)) return true;
        if (deadline.passed) return false;
        yield { offset: this.#word, value: 0, timeoutMs: deadline.left() };
      }
    } finally {
      this.core.eventSleepEnd(this.at);
      // An auto-reset set() wakes one sleeper; if that one leaves (timeout,
      // abort) without passing, the wake goes on to another.
      if (!passed && this.core.eventTryWait(this.at) === 1) this.set();
    }
  }
}
