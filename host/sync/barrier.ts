// A reusable barrier for N parties (assembly/sync/barrier.ts).
import { brokenPipe, invalidArgument, type ShmError } from '../errors.js';
import { coreConstant } from '../core/core.js';
import { warnRenamed } from './deprecation.js';
import { layoutCore } from '../core/layout-core.js';
import { Place, Primitive } from './place.js';
import { Deadline, runAsync, runSync, spinThenSleep, type Steps, checkSyncWaitOptions, checkWaitOptions, type WaitOptions } from '../wait/index.js';

/** 'last' for exactly one party per generation (the one that released the others), else 'passed'; or 'timed-out'. */
export type BarrierResult = 'passed' | 'last' | 'timed-out';

export class Barrier extends Primitive {
  static get SIZE(): number { return coreConstant(layoutCore().core, 'BARRIER_SIZE'); }
  /** The futex word: the generation and the arrivals. */
  readonly #word: number;

  static create(place: Place, parties: number): Barrier {
    const most = coreConstant(layoutCore().core, 'BARRIER_MAX_PARTIES');
    if (!Number.isInteger(parties) || parties < 1 || parties > most) invalidArgument(`barrier parties must be from 1 to ${most}: parties=${String(parties)}`);
    const barrier = new Barrier(place); // checks the place before the first store
    place.memory.core.barrierInit(place.offset, parties);
    return barrier;
  }

  static open(place: Place): Barrier {
    return new Barrier(place);
  }

  private constructor(place: Place) {
    super(place, coreConstant(place.memory.core, 'BARRIER_SIZE'), 'a barrier');
    this.#word = this.at + this.constants.BARRIER_WORD;
  }

  /**
   * Arrives and waits for the others: 'last', 'passed', or 'timed-out'. A
   * party that times out (or aborts) breaks the barrier: every waiter then
   * gets EPIPE with reason 'barrier-broken' instead of waiting for a party
   * that will never come. There is no try form: an arrival that did not
   * wait would have to break the barrier or count as a party.
   */
  arriveSync(options: WaitOptions = {}): BarrierResult {
    checkSyncWaitOptions(options, [], 'arriveSync');
    return runSync(this.#steps(options), this.host);
  }

  /** arriveSync() without blocking the event loop; takes an AbortSignal. */
  arriveAsync(options: WaitOptions = {}): Promise<BarrierResult> {
    checkWaitOptions(options, [], 'arriveAsync');
    return runAsync(this.#steps(options), this.host, options.signal);
  }

  /** @deprecated use arriveSync */
  arrive(options: WaitOptions = {}): BarrierResult {
    warnRenamed('Barrier.arrive', 'Barrier.arriveSync');
    return this.arriveSync(options);
  }

  get broken(): boolean {
    return this.core.barrierBroken(this.at) !== 0;
  }

  /** Whether generation `generation` has passed; throws if it broke. */
  #passed(generation: number): boolean {
    if (!this.core.barrierPassed(this.at, generation)) return false;
    if (this.broken) throw this.#broken();
    return true;
  }

  *#sleepSteps(generation: number, deadline: Deadline): Steps<BarrierResult> {
    for (;;) {
      if (this.#passed(generation)) return 'passed';
      if (deadline.passed) return 'timed-out';
      const word = Atomics.load(new Int32Array(this.place.memory.memory.buffer, this.#word, 1), 0);
      if ((word >>> this.constants.BARRIER_GENERATION_SHIFT) !== generation) continue;
      yield { offset: this.#word, value: word, timeoutMs: deadline.left() };
    }
  }

  *#steps(options: WaitOptions): Steps<BarrierResult> {
    const deadline = new Deadline(options.timeoutMs);
    const generation = this.core.barrierArrive(this.at);
    if (generation === this.constants.BARRIER_LAST) {
      this.host.wake(this.#word, 0x7fffffff);
      return 'last';
    }
    if (generation === this.constants.BARRIER_BROKEN) throw this.#broken();
    let result: BarrierResult = 'timed-out';
    try {
      const passed = () => (this.#passed(generation) ? 'passed' as const : null);
      return (result = yield* spinThenSleep(this.spinner, options.spin, deadline, passed, () => this.#sleepSteps(generation, deadline)));
    } finally {
      if (result !== 'passed' && !this.core.barrierPassed(this.at, generation)) { // gave up (timeout or abort)
        this.core.barrierBreak(this.at);
        this.host.wake(this.#word, 0x7fffffff);
      }
    }
  }

  #broken(): ShmError {
    return brokenPipe('barrier-broken', 'the barrier is broken: a party gave up waiting (timeout or abort); create it anew');
  }
}
