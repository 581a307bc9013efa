// When a wait gives up, and how often a sleeper looks up from its sleep.
import { checkTimeout } from '../core/validate.js';

// A sleeper re-checks liveness of a holder at least this often, so a holder
// that died without waking anyone cannot keep it asleep forever.
export const LIVENESS_SLICE_MS = 100;

export class Deadline {
  readonly #end: number;
  constructor(timeoutMs: number | undefined) {
    this.#end = performance.now() + checkTimeout(timeoutMs, 'wait');
  }
  /** Milliseconds left, capped at `cap`; 0 when passed. */
  left(cap = Infinity): number {
    return Math.max(0, Math.min(cap, this.#end - performance.now()));
  }
  get passed(): boolean {
    return performance.now() >= this.#end;
  }
}
