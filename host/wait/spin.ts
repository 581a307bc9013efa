// The spin phase of every wait: tries for a while before the wait sleeps.
// By default the while is a time each waiting handle learns from its own
// waits (the rule and its numbers are the core's: assembly/spin.ts, ABI §4);
// a caller may fix a number of attempts instead, or none.
import { coreConstants, type CoreExports } from '../core/core.js';
import type { Deadline } from './deadline.js';
import type { Steps } from './wait-host.js';

/** `'adaptive'` (the default): spin for a time learnt from this handle's recent waits; a number: exactly that many attempts (0: none). */
export type SpinOption = number | 'adaptive';

const NS_PER_MS = 1e6;

// Set while runAsync takes an algorithm's first step, which is where every
// spin phase runs: an Async form spins on the event loop, so it spins less.
let spinningForAsync = false;

// Set when this thread woke a sleeper, cleared by the next spin. The woken
// thread may be waiting for this very CPU (the kernel often puts a wakee
// beside its waker), and then a long spin only keeps it from running: so
// the spin right after a wake-up is capped at SPIN_AFTER_WAKE_NS.
let partnerWoken = false;

/** The host woke at least one sleeper (its wake() calls this). */
export function notePartnerWoken(): void {
  partnerWoken = true;
}

/** Runs `firstStep` as an Async form's first step: a spin phase inside it is capped at SPIN_ASYNC_MAX_NS. */
export function asAsyncStep<T>(firstStep: () => T): T {
  spinningForAsync = true;
  try {
    return firstStep();
  } finally {
    spinningForAsync = false;
  }
}

/** One waiting handle's spin budget (private to this thread: nothing in shared memory steers it). */
export class Spinner {
  readonly #core: CoreExports;
  readonly #clockEvery: number;
  readonly #asyncMaxNs: number;
  readonly #afterWakeNs: number;
  #budgetNs: number;

  constructor(core: CoreExports) {
    const c = coreConstants(core);
    this.#core = core;
    this.#clockEvery = c.SPIN_CLOCK_EVERY;
    this.#asyncMaxNs = c.SPIN_ASYNC_MAX_NS;
    this.#afterWakeNs = c.SPIN_AFTER_WAKE_NS;
    this.#budgetNs = c.SPIN_START_NS;
  }

  /** The present budget, in ns. */
  get budgetNs(): number {
    return this.#budgetNs;
  }

  /**
   * Tries `attempt` until it answers (not null) or the spin is over (its
   * budget, or the deadline, passed): its answer, or null. `startedAt`
   * (performance.now()) is when the wait began; a wait that goes on to
   * sleep reports back with slept(startedAt).
   */
  spin<T>(attempt: () => T | null, option: SpinOption | undefined, startedAt: number, deadline: Deadline): T | null {
    if (typeof option === 'number') {
      for (let i = 0; i < option; i++) {
        const got = attempt();
        if (got !== null) return got;
      }
      return null;
    }
    let budgetNs = spinningForAsync ? Math.min(this.#budgetNs, this.#asyncMaxNs) : this.#budgetNs;
    if (partnerWoken) {
      partnerWoken = false;
      budgetNs = Math.min(budgetNs, this.#afterWakeNs);
    }
    const budgetMs = Math.min(budgetNs / NS_PER_MS, deadline.left());
    for (;;) {
      for (let i = 0; i < this.#clockEvery; i++) {
        const got = attempt();
        if (got !== null) {
          this.#learn(startedAt, false);
          return got;
        }
      }
      if (performance.now() - startedAt >= budgetMs) return null;
    }
  }

  /** A wait that spun in vain, slept and is now over (answered, timed out or abandoned). */
  slept(startedAt: number, option: SpinOption | undefined): void {
    if (typeof option !== 'number') this.#learn(startedAt, true);
  }

  #learn(startedAt: number, slept: boolean): void {
    const waitedNs = Math.min((performance.now() - startedAt) * NS_PER_MS, 0xffffffff);
    this.#budgetNs = this.#core.spinBudgetNext(this.#budgetNs, waitedNs, slept ? 1 : 0) >>> 0;
  }
}

/**
 * A wait's algorithm with its spin phase in front: spins on `attempt` (an
 * answer, or null for "not yet"), then runs `sleep`, the algorithm proper.
 * For the Async forms (runAsync); Sync forms use waitSync (run.ts), which
 * builds no generator unless the wait must sleep.
 */
export function* spinThenSleep<T>(spinner: Spinner, option: SpinOption | undefined, deadline: Deadline, attempt: () => T | null,
  sleep: (deadline: Deadline) => Steps<T>): Steps<T> {
  const started = performance.now();
  const spun = spinner.spin(attempt, option, started, deadline);
  if (spun !== null) return spun;
  return yield* reportingSleep(spinner, option, started, sleep(deadline));
}

/** Runs a wait's sleeping part, then tells the spinner how long the whole wait took. */
export function* reportingSleep<T>(spinner: Spinner, option: SpinOption | undefined, started: number, steps: Steps<T>): Steps<T> {
  try {
    return yield* steps;
  } finally {
    spinner.slept(started, option);
  }
}
