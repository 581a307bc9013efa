// What the writer and reader handles of a broadcast channel share: holding
// a place in it, closing, and the wait loop (a side sleeps only after saying
// so; a dead or departed peer ends the wait with a clear answer).
import { ShmError } from '../errors.js';
import { coreConstants, type CoreConstants, type CoreExports } from '../core/core.js';
import { corruption } from '../core/corruption.js';
import type { CoreMemory } from '../core/core-memory.js';
import { Deadline, LivenessSlices, Spinner, spinThenSleep, type Steps, type WaitHost, type WaitOptions } from '../wait/index.js';

/** Every reader sleeping on `published` is woken by a publish. */
export const ALL = 0x7fffffff;
/** The writer's handle, where a reader's gives its table index. */
export const WRITER = 'writer';

/** A channel's place, as its handles see it. */
export interface ChannelAccess {
  core: CoreExports;
  memory: CoreMemory;
  host: WaitHost;
  /** Byte offset of the channel's header. */
  at: number;
  /** The handle's own descriptor of the channel (assembly/channel/broadcast.ts), held for `owner`. */
  d: number;
  owner: object;
  slotSize: number;
}

/** Ends a wait whose last attempt failed: a result (null), or throw. */
export type Stop = () => null;

export abstract class BroadcastEnd implements Disposable {
  protected readonly core: CoreExports;
  /** The core's numbers: offsets, the results besides an address, bcastReadEnd's flags. */
  protected readonly constants: CoreConstants;
  protected readonly memory: CoreMemory;
  protected readonly host: WaitHost;
  protected readonly at: number;
  /** This handle's descriptor: every core call takes it. */
  protected readonly d: number;
  /** Readers sleep on the read signal, the writer on progress. */
  protected readonly readSignalWord: number;
  protected readonly progressWord: number;
  readonly #who: number;
  readonly #writer: boolean;
  /** How long this end's waits spin before they sleep. */
  readonly #spinner: Spinner;
  /** Why this handle refuses calls: closed (EBADF) or corruption seen (ECORRUPT); undefined while usable. */
  #refusal: ShmError | undefined;

  /** `who`: WRITER, or the reader's table index. */
  protected constructor(channel: ChannelAccess, who: typeof WRITER | number) {
    ({ core: this.core, memory: this.memory, host: this.host, at: this.at, d: this.d } = channel);
    this.memory.descriptors.hand(channel.owner, this, this.d); // the descriptor lives as long as this handle
    this.constants = coreConstants(this.core);
    this.#writer = who === WRITER;
    this.#who = who === WRITER ? this.constants.BCAST_WRITER : who; // as the core's sleep calls take it
    this.readSignalWord = this.at + this.constants.BCAST_READ_SIGNAL;
    this.progressWord = this.at + this.constants.BCAST_PROGRESS;
    this.#spinner = new Spinner(this.core);
  }

  get closed(): boolean {
    return this.#refusal?.code === 'EBADF';
  }

  /** Gives the place up; closing twice is harmless. */
  close(): void {
    if (this.closed) return;
    this.#refusal = new ShmError({ code: 'EBADF', message: `this broadcast ${this.#writer ? 'writer' : 'reader'} handle is closed; ${this.#writer ? 'acquire the writer' : 'subscribe'} again` });
    this.leave(); // the descriptor stays this handle's until it is collected, so a late call can reach nothing else
  }

  [Symbol.dispose](): void {
    this.close();
  }

  protected abstract leave(): void;

  /**
   * Asked before each attempt while waiting (so whatever the peer did before
   * leaving or dying is seen by that attempt): what ends the wait if the
   * attempt fails, or undefined to sleep on. `sliceExpired` says a whole
   * liveness slice passed quietly.
   */
  protected abstract stalled(sliceExpired: boolean): Stop | undefined;

  protected assertOpen(): void {
    if (this.#refusal) throw this.#refusal;
  }

  /** The core found the channel's bytes broken: this handle refuses every call from now on. */
  protected corrupt(): never {
    this.#refusal = corruption(this.core, this.d, `the broadcast channel at offset ${this.at}`);
    throw this.#refusal;
  }

  /** Tries `attempt` (spinning first), then sleeps between tries: its value, or null on timeout or a stop. */
  protected *waitFor<T>(attempt: () => T | null, options: WaitOptions): Steps<T | null> {
    return yield* spinThenSleep(this.#spinner, options.spin, new Deadline(options.timeoutMs), attempt, (deadline) => this.#sleepFor(attempt, deadline));
  }

  *#sleepFor<T>(attempt: () => T | null, deadline: Deadline): Steps<T | null> {
    const word = this.#writer ? this.progressWord : this.readSignalWord;
    const slices = new LivenessSlices(this.core);
    let sliceExpired = false;
    for (;;) {
      // Announced and read before the attempt: a step of the other side after it moves the word.
      const value = this.core.bcastSleepValue(this.d, this.#who);
      const stop = this.stalled(sliceExpired);
      const got = attempt();
      if (got !== null) return got;
      if (stop) return stop();
      if (deadline.passed) return null;
      sliceExpired = slices.quiet(yield { offset: word, value, timeoutMs: deadline.left(slices.ms) });
    }
  }
}
