// A reader of a broadcast channel: its own cursor in the channel's reader
// table. Every message is copied out and then confirmed against its slot's
// stamp, so an overwritten or half-written one is never returned; in lossy
// mode each message says how many were lost just before it.
import { ShmError, brokenPipe, invalidArgument } from '../errors.js';
import { checkSyncWaitOptions, checkWaitOptions, runAsync, runSync, type WaitOptions } from '../wait/index.js';
import { BroadcastEnd, type ChannelAccess, type Stop } from './broadcast-end.js';

/** The read options' key besides the wait options. */
const INTO = ['into'];

export interface BroadcastMessage {
  /** The message: a fresh copy, or the front of the `into` buffer given. */
  data: Uint8Array;
  /** Messages this reader lost (overwritten before it came to them) just before this one. */
  lost: number;
}

export interface ReadOptions extends WaitOptions {
  /** Copy into this buffer (at least as long as the message) instead of a new one. */
  into?: Uint8Array;
}

export class BroadcastReader extends BroadcastEnd implements AsyncIterable<BroadcastMessage> {
  readonly #index: number;
  readonly #closedWord: number;
  #lost = 0;

  /** Made by Broadcast.subscribe(), which registers it at table entry `index`. */
  constructor(channel: ChannelAccess, index: number) {
    super(channel, index);
    this.#index = index;
    this.#closedWord = this.constants.BCAST_CLOSED;
  }

  /** Messages lost so far, over every message returned. */
  get lost(): number {
    return this.#lost;
  }

  /** Messages published that this reader has not come to yet. */
  get backlog(): number {
    return this.core.bcastBacklog(this.d);
  }

  /** The next message, or null when this reader has read everything published. Never waits. */
  tryRead(into?: Uint8Array): BroadcastMessage | null {
    this.assertOpen();
    if (into !== undefined && !(into instanceof Uint8Array)) invalidArgument('tryRead: into must be a Uint8Array');
    for (;;) {
      const at = this.core.bcastReadBegin(this.d) >>> 0;
      const { BCAST_CORRUPT, BCAST_NONE, BCAST_READ_CORRUPT, BCAST_READ_OK, BCAST_WAKE_WRITER, BCAST_LOST } = this.constants;
      if (at <= BCAST_CORRUPT) return at === BCAST_NONE ? null : this.corrupt();
      const view = this.memory.bytes(at, this.core.bcastLength(this.d));
      const data = into ? copyInto(into, view) : view.slice();
      const flags = this.core.bcastReadEnd(this.d);
      if (flags & BCAST_READ_CORRUPT) this.corrupt();
      if (!(flags & BCAST_READ_OK)) continue; // overwritten while copied: skipped and counted
      if (flags & BCAST_WAKE_WRITER) this.host.wake(this.progressWord, 1);
      const lost = flags & BCAST_LOST ? this.core.bcastTakeSkipped(this.d) : 0;
      this.#lost += lost;
      return { data, lost };
    }
  }

  /**
   * tryRead(), sleeping while there is nothing new. null on timeout, or when
   * the writer closed and everything was read (then `ended` is true). EPIPE
   * (reason 'peer-died') when the writer died and everything it published
   * was read.
   */
  readSync(options?: ReadOptions): BroadcastMessage | null {
    checkSyncWaitOptions(options, INTO, 'readSync');
    return this.tryRead(options?.into) ?? runSync(this.#readSteps(options ?? {}), this.host);
  }

  /** readSync() without blocking the event loop; takes an AbortSignal. */
  readAsync(options: ReadOptions = {}): Promise<BroadcastMessage | null> {
    checkWaitOptions(options, INTO, 'readAsync');
    const got = options.signal?.aborted ? null : this.tryRead(options.into);
    return got ? Promise.resolve(got) : runAsync(this.#readSteps(options), this.host, options.signal);
  }

  /** The writer closed and this reader has read everything published. */
  get ended(): boolean {
    // Asked in this order: a message published before the close is then counted.
    return this.core.bcastWriter(this.d) >>> 0 === this.#closedWord && this.backlog === 0;
  }

  /** Every message until the writer closes; `signal` stops it with ABORT_ERR. */
  async *messages(options: { signal?: AbortSignal } = {}): AsyncGenerator<BroadcastMessage, void, undefined> {
    for (;;) {
      const message = await this.readAsync(options);
      if (message === null) return;
      yield message;
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<BroadcastMessage, void, undefined> {
    return this.messages();
  }

  #readSteps(options: ReadOptions) {
    return this.waitFor(() => this.tryRead(options.into), options);
  }

  protected stalled(sliceExpired: boolean): Stop | undefined {
    const writer = this.core.bcastWriter(this.d) >>> 0;
    if (writer === this.#closedWord) return () => null;
    if (sliceExpired && writer !== 0 && !this.host.isAlive(writer)) {
      return () => {
        throw brokenPipe('peer-died', `the broadcast writer (thread ${writer}) died; nothing more comes until another acquires the writer`);
      };
    }
    return undefined;
  }

  /** Frees the registration: a backpressure writer no longer waits for this reader. */
  protected leave(): void {
    if (this.core.bcastUnsubscribe(this.d, this.#index, this.host.id) & this.constants.BCAST_WAKE_WRITER) this.host.wake(this.progressWord, 1);
  }
}

function copyInto(into: Uint8Array, view: Uint8Array): Uint8Array {
  if (into.length < view.length) {
    throw new ShmError({ code: 'EMSGSIZE', message: `a ${view.length}-byte message does not fit the ${into.length}-byte buffer given to read into` });
  }
  into.set(view);
  return into.subarray(0, view.length);
}
