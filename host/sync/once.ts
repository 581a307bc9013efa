// Run-once initialisation across threads and processes (assembly/sync/once.ts).
import { ShmError, invalidArgument } from '../errors.js';
import { describeValue } from '../core/validate.js';
import { coreConstant } from '../core/core.js';
import { warnRenamed } from './deprecation.js';
import { layoutCore } from '../core/layout-core.js';
import { Place, Primitive } from './place.js';
import { Deadline, LivenessSlices, ONE_ATTEMPT, runAsync, runSync, type Steps, checkSyncWaitOptions, checkWaitOptions, type WaitOptions } from '../wait/index.js';

/** What the initialiser's caller is told to do (the core's ONCE_RUN). */
const RUN = Symbol('run');

/** 'ran' (this caller ran the initialiser), 'done' (someone had), or 'timed-out'. */
export type OnceResult = 'ran' | 'done' | 'timed-out';

export class Once extends Primitive {
  static get SIZE(): number { return coreConstant(layoutCore().core, 'ONCE_SIZE'); }
  /** The futex word: the runner's id, WAITERS, ONCE_DONE_FLAG. */
  readonly #word: number;

  static create(place: Place): Once {
    const once = new Once(place); // checks the place before the first store
    place.memory.bytes(place.offset, coreConstant(place.memory.core, 'ONCE_SIZE')).fill(0);
    return once;
  }

  static open(place: Place): Once {
    return new Once(place);
  }

  private constructor(place: Place) {
    super(place, coreConstant(place.memory.core, 'ONCE_SIZE'), 'a once');
    this.#word = this.at + this.constants.ONCE_WORD;
  }

  /**
   * Runs `init` if nobody has started it: 'ran', 'done' (someone had), or
   * false while another caller runs it (one whose runner died is taken over
   * and run here). Never waits.
   */
  tryRun(init: () => void): Exclude<OnceResult, 'timed-out'> | false {
    checkInit(init, 'tryRun');
    const outcome = this.#runWith(init, runSync(this.#steps(ONE_ATTEMPT, true), this.host));
    return outcome === 'timed-out' ? false : outcome;
  }

  /**
   * Runs `init` if nobody has yet, else waits for whoever runs it: 'ran',
   * 'done', or 'timed-out'. If the runner throws, or dies, another caller
   * runs it instead.
   */
  runSync(init: () => void, options: WaitOptions = {}): OnceResult {
    checkInit(init, 'runSync');
    checkSyncWaitOptions(options, [], 'runSync');
    return this.#runWith(init, runSync(this.#steps(options), this.host));
  }

  /** runSync() without blocking the event loop (`init` may return a promise); takes an AbortSignal. */
  async runAsync(init: () => void | Promise<void>, options: WaitOptions = {}): Promise<OnceResult> {
    checkInit(init, 'runAsync');
    checkWaitOptions(options, [], 'runAsync');
    const outcome = await runAsync(this.#steps(options), this.host, options.signal);
    if (outcome !== RUN) return outcome;
    let ok = false;
    try {
      await init();
      ok = true;
    } finally {
      this.#end(ok);
    }
    return 'ran';
  }

  /** @deprecated use runSync */
  run(init: () => void, options: WaitOptions = {}): OnceResult {
    warnRenamed('Once.run', 'Once.runSync');
    return this.runSync(init, options);
  }

  get done(): boolean {
    return (this.core.onceWord(this.at) & this.constants.ONCE_DONE_FLAG) !== 0;
  }

  // The outcome of the steps, with `init` run when this caller was chosen to.
  #runWith(init: () => void, outcome: OnceResult | typeof RUN): OnceResult {
    if (outcome !== RUN) return outcome;
    let ok = false;
    try {
      init();
      ok = true;
    } finally {
      this.#end(ok);
    }
    return 'ran';
  }

  #end(ok: boolean): void {
    if (this.core.onceFinish(this.at, ok ? 1 : 0)) this.host.wake(this.#word, 0x7fffffff);
  }

  // `askAtOnce`: a try asks whether the runner is alive at once, not after a quiet slice.
  *#steps(options: WaitOptions, askAtOnce = false): Steps<OnceResult | typeof RUN> {
    const deadline = new Deadline(options.timeoutMs);
    const id = this.host.id;
    const slices = new LivenessSlices(this.core);
    let sliceExpired = askAtOnce;
    for (;;) {
      const r = this.core.onceBegin(this.at, id);
      if (r === this.constants.ONCE_RUN) return RUN;
      if (r === this.constants.ONCE_DONE) return 'done';
      if (r === id) throw new ShmError({ code: 'EDEADLK', message: 'this Once was run again from inside its own initialiser' });
      if (sliceExpired && !this.host.isAlive(r)) { // liveness only after a quiet slice: it is a system call
        if (this.core.onceTakeOver(this.at, r, id)) return RUN;
        continue;
      }
      if (deadline.passed) return 'timed-out';
      const value = this.core.markWaiting(this.#word, r);
      if (value === 0) continue;
      sliceExpired = slices.quiet(yield { offset: this.#word, value, timeoutMs: deadline.left(slices.ms) });
    }
  }
}

function checkInit(init: unknown, where: string): void {
  if (typeof init !== 'function') invalidArgument(`${where}: init must be a function: got ${describeValue(init)}`);
}
