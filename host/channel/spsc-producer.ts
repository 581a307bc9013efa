// The producer side of an SPSC ring: claim room, write in place, commit.
// Every claim since the last commit is published by one store, so readers
// never see part of a batch, nor part of a message.
import { ShmError, invalidArgument } from '../errors.js';
import { checkWaitOptions, runAsync, runSync, type WaitOptions } from '../sync/wait-host.js';
import { PRODUCER, SpscRole, type RingAccess } from './spsc-role.js';

const NONE = 0;
const TOO_LONG = 1;

export class SpscProducer extends SpscRole {
  readonly maxMessage: number;

  /** Made by SpscRing.acquireProducer(), which takes the role first. */
  constructor(ring: RingAccess) {
    super(ring, PRODUCER);
    this.maxMessage = ring.maxMessage;
  }

  /**
   * Room for a `length`-byte message: a view to fill in place, published by
   * the next commit(); null when the ring is full. Messages longer than
   * maxMessage throw EMSGSIZE.
   */
  tryClaim(length: number): Uint8Array | null {
    this.assertOpen();
    const at = this.core.spscClaim(this.at, length) >>> 0;
    if (at === NONE) return null;
    if (at === TOO_LONG || !Number.isInteger(length) || length < 0) this.#tooLong(length);
    return this.memory.bytes(at, length);
  }

  /** Publishes every claim made since the last commit, with one store; wakes the consumer if it sleeps. */
  commit(): void {
    if (this.core.spscCommit(this.at)) this.host.wake(this.publishWord, 1);
  }

  /** Copies `bytes` in as one message and commits (earlier claims with it): true, or false when full. */
  send(bytes: Uint8Array): boolean {
    const view = this.tryClaim(bytes.length);
    if (view === null) return false;
    view.set(bytes);
    this.commit();
    return true;
  }

  /**
   * send(), sleeping while the ring is full: true, or false on timeout.
   * EPIPE when the consumer died or left while the ring is full.
   */
  sendSync(bytes: Uint8Array, options?: WaitOptions): boolean {
    checkWaitOptions(options);
    if (this.send(bytes)) return true;
    return runSync(this.#sendSteps(bytes, options ?? {}), this.host) ?? false;
  }

  /** sendSync() without blocking the event loop; takes an AbortSignal. */
  sendAsync(bytes: Uint8Array, options: WaitOptions = {}): Promise<boolean> {
    checkWaitOptions(options);
    if (!options.signal?.aborted && this.send(bytes)) return Promise.resolve(true);
    return runAsync(this.#sendSteps(bytes, options), this.host, options.signal).then((sent) => sent ?? false);
  }

  #sendSteps(bytes: Uint8Array, options: WaitOptions) {
    return this.waitFor(() => (this.send(bytes) ? true : null), options);
  }

  protected publish(): void {
    this.commit();
  }

  protected peerClosed(): null {
    throw new ShmError({ code: 'EPIPE', message: 'the SPSC ring is full and its consumer has closed: nobody will make room' });
  }

  #tooLong(length: number): never {
    if (!Number.isInteger(length) || length < 0) invalidArgument(`message length must be a whole number ≥ 0: length=${String(length)}`);
    throw new ShmError({ code: 'EMSGSIZE', message: `a message of ${length} bytes is larger than this ring's maxMessage of ${this.maxMessage} (half its capacity less an 8-byte header); use a larger ring` });
  }
}
