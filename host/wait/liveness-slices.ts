// How long a sleeper that waits for a holder sleeps before it asks whether
// the holder still lives: slices that grow while the wait stays quiet, so
// a death mid-exchange is seen within the first slice and an idle waiter
// wakes about once a second (the rule and its numbers are the core's:
// assembly/liveness.ts, docs/ABI.md §4).
import { coreConstants, type CoreExports } from '../core/core.js';
import type { WaitResult } from './wait-host.js';

/** One wait's liveness slices (private to the waiter). */
export class LivenessSlices {
  readonly #core: CoreExports;
  #ms: number;

  constructor(core: CoreExports) {
    this.#core = core;
    this.#ms = coreConstants(core).LIVENESS_SLICE_FIRST_MS;
  }

  /** The longest the next sleep may last, in ms. */
  get ms(): number {
    return this.#ms;
  }

  /** Whether a sleep ended with a whole slice passed and no wake-up (time to ask about the holder); the next slice is then longer. */
  quiet(result: WaitResult | undefined): boolean {
    if (result !== 'timed-out') return false;
    this.#ms = this.#core.livenessSliceNext(this.#ms);
    return true;
  }
}
