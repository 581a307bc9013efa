// The consumer side of an SPSC ring: peek in place, release. Views stay
// valid until release(), which frees every message peeked so far with one
// store, so a batch of peeks costs one release.
import { checkWaitOptions, runAsync, runSync, type WaitOptions } from '../sync/wait-host.js';
import { CONSUMER, SpscRole, type RingAccess } from './spsc-role.js';

const NONE = 0;

export class SpscConsumer extends SpscRole implements AsyncIterable<Uint8Array> {
  /** Made by SpscRing.acquireConsumer(), which takes the role first. */
  constructor(ring: RingAccess) {
    super(ring, CONSUMER);
  }

  /** The next message not yet peeked, in place (valid until release()); null when there is none. */
  tryPeek(): Uint8Array | null {
    this.assertOpen();
    const at = this.core.spscPeek(this.at) >>> 0;
    return at === NONE ? null : this.memory.bytes(at, this.core.spscLength(at) >>> 0);
  }

  /** Frees every peeked message (their views must not be used after); wakes the producer if it sleeps. */
  release(): void {
    if (this.core.spscRelease(this.at)) this.host.wake(this.publishWord, 1);
  }

  /** A copy of the next message, released (with earlier peeks); null when there is none. */
  receive(): Uint8Array | null {
    const view = this.tryPeek();
    if (view === null) return null;
    const copy = view.slice();
    this.release();
    return copy;
  }

  /**
   * receive(), sleeping while the ring is empty. null on timeout, or when
   * the producer closed and every message was read (then `ended` is true).
   * EPIPE when the producer died and every message it published was read.
   */
  receiveSync(options?: WaitOptions): Uint8Array | null {
    checkWaitOptions(options);
    return this.receive() ?? runSync(this.#receiveSteps(options ?? {}), this.host);
  }

  /** receiveSync() without blocking the event loop; takes an AbortSignal. */
  receiveAsync(options: WaitOptions = {}): Promise<Uint8Array | null> {
    checkWaitOptions(options);
    const got = options.signal?.aborted ? null : this.receive();
    return got ? Promise.resolve(got) : runAsync(this.#receiveSteps(options), this.host, options.signal);
  }

  /** The producer closed and nothing is left to read. */
  get ended(): boolean {
    // Asked in this order: a message published before the close is then seen.
    return this.peerLeft() && this.core.spscUsed(this.at) === this.core.spscUnreleased(this.at);
  }

  /** Every message (copies) until the producer closes; `signal` stops it with ABORT_ERR. */
  async *messages(options: { signal?: AbortSignal } = {}): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const message = await this.receiveAsync(options);
      if (message === null) return;
      yield message;
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    return this.messages();
  }

  #receiveSteps(options: WaitOptions) {
    return this.waitFor(() => this.receive(), options);
  }

  protected publish(): void {
    this.release();
  }

  protected peerClosed(): null {
    return null;
  }
}
