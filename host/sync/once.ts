// Run-once initialisation across threads and processes (assembly/sync/once.ts).
import { ShmError } from '../errors.js';
import { coreConstant } from '../core/core.js';
import { layoutCore } from '../core/layout-core.js';
import { Place, Primitive } from './place.js';
import { Deadline, LIVENESS_SLICE_MS, runAsync, runSync, type Steps, checkWaitOptions, type WaitOptions } from './wait-host.js';

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
   * Runs `init` if nobody has yet, else waits for whoever runs it. If the
   * runner throws, or dies, another caller runs it instead.
   */
  run(init: () => void, options: WaitOptions = {}): OnceResult {
    checkWaitOptions(options, [], 'run');
    const outcome = runSync(this.#steps(options), this.host);
    if (outcome !== RUN) return outcome;
    this.#finish(() => init());
    return 'ran';
  }

  async runAsync(init: () => void | Promise<void>, options: WaitOptions = {}): Promise<OnceResult> {
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

  get done(): boolean {
    return (this.core.onceWord(this.at) & this.constants.ONCE_DONE_FLAG) !== 0;
  }

  #finish(init: () => void): void {
    let ok = false;
    try {
      init();
      ok = true;
    } finally {
      this.#end(ok);
    }
  }

  #end(ok: boolean): void {
    if (this.core.onceFinish(this.at, ok ? 1 : 0)) this.host.wake(this.#word, 0x7fffffff);
  }

  *#steps(options: WaitOptions): Steps<OnceResult | typeof RUN> {
    const deadline = new Deadline(options.timeoutMs);
    const id = this.host.id;
    let sliceExpired = false;
    for (;;) {
      const r = this.core.onceBegin(this.at, id);
      if (r === this.constants.ONCE_RUN) return RUN;
      if (r === this.constants.ONCE_DONE) return 'done';
      if (r === id) throw new ShmError({ code: 'EDEADLK', message: 'once.run called again from inside its own initialiser' });
      if (sliceExpired && !this.host.isAlive(r)) { // liveness only after a quiet slice: it is a system call
        if (this.core.onceTakeOver(this.at, r, id)) return RUN;
        continue;
      }
      if (deadline.passed) return 'timed-out';
      const value = this.core.markWaiting(this.#word, r);
      if (value === 0) continue;
      sliceExpired = (yield { offset: this.#word, value, timeoutMs: deadline.left(LIVENESS_SLICE_MS) }) === 'timed-out';
    }
  }
}
