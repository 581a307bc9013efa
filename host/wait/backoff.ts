// Waiting for another process without a wake-up channel: sleep in growing
// steps (Atomics.wait on a private cell, so no CPU is burnt) until a
// deadline. Used for setup-time waits only (segment init, directory lock).
import { ShmError } from '../errors.js';
import { threadCanBlock } from './can-block.js';
import { Deadline } from './deadline.js';

const cell = new Int32Array(new SharedArrayBuffer(4));

export class Backoff {
  readonly #deadline: Deadline;
  readonly #what: string;
  #sleepMs = 0.05;

  constructor(timeoutMs: number, what: string) {
    this.#deadline = new Deadline(timeoutMs);
    this.#what = what;
  }

  /** Sleeps a little longer each time; throws ETIMEDOUT past the deadline. */
  pause(): void {
    if (this.#deadline.passed) {
      throw new ShmError({ code: 'ETIMEDOUT', message: `timed out waiting for ${this.#what}; the other process may be stuck (it is still alive)` });
    }
    const ms = this.#deadline.left(this.#sleepMs);
    if (threadCanBlock()) Atomics.wait(cell, 0, 0, ms);
    else spinFor(ms); // a page's main thread: these waits are short, and it may not sleep
    this.#sleepMs = Math.min(this.#sleepMs * 2, 10);
  }
}

function spinFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}
