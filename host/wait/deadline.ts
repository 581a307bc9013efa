// When a wait gives up.
import { checkTimeout } from '../core/validate.js';

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
