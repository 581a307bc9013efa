// The writer of a broadcast channel. Each message is stamped "being filled"
// before its bytes go in and published by one store after, so a writer that
// dies mid-message never shows a reader part of it.
import { ShmError, invalidArgument } from '../errors.js';
import { checkSyncWaitOptions, checkWaitOptions, runAsync, runSync, type WaitOptions } from '../wait/index.js';
import { ALL, BroadcastEnd, WRITER, type ChannelAccess, type Stop } from './broadcast-end.js';

export class BroadcastWriter extends BroadcastEnd {
  readonly slotSize: number;

  /** Made by Broadcast.acquireWriter(), which takes the role first. */
  constructor(channel: ChannelAccess) {
    super(channel, WRITER);
    this.slotSize = channel.slotSize;
  }

  /**
   * Publishes a copy of `bytes` to every reader: true, or false when a
   * backpressure channel's slowest reader is a whole buffer behind (a lossy
   * channel never refuses). Never waits. Longer than slotSize throws EMSGSIZE.
   */
  tryPublish(bytes: Uint8Array): boolean {
    this.assertOpen();
    if (!(bytes instanceof Uint8Array)) invalidArgument('tryPublish: bytes must be a Uint8Array');
    const at = this.core.bcastClaim(this.d, bytes.length) >>> 0;
    if (at <= this.constants.BCAST_CORRUPT) {
      if (at === this.constants.BCAST_NONE) return false;
      if (at !== this.constants.BCAST_TOO_LONG) this.corrupt();
      throw new ShmError({ code: 'EMSGSIZE', message: `a message of ${bytes.length} bytes is larger than this channel's slotSize of ${this.slotSize}; make the channel with larger slots` });
    }
    this.memory.bytes(at, bytes.length).set(bytes);
    if (this.core.bcastCommit(this.d)) this.host.wake(this.readSignalWord, ALL);
    return true;
  }

  /** tryPublish(), sleeping while the slowest live reader is a buffer behind: true, or false on timeout. */
  publishSync(bytes: Uint8Array, options?: WaitOptions): boolean {
    checkSyncWaitOptions(options, [], 'publishSync');
    if (this.tryPublish(bytes)) return true;
    return runSync(this.#publishSteps(bytes, options ?? {}), this.host) ?? false;
  }

  /** publishSync() without blocking the event loop; takes an AbortSignal. */
  publishAsync(bytes: Uint8Array, options: WaitOptions = {}): Promise<boolean> {
    checkWaitOptions(options, [], 'publishAsync');
    if (!options.signal?.aborted && this.tryPublish(bytes)) return Promise.resolve(true);
    return runAsync(this.#publishSteps(bytes, options), this.host, options.signal).then((sent) => sent ?? false);
  }

  #publishSteps(bytes: Uint8Array, options: WaitOptions) {
    return this.waitFor(() => (this.tryPublish(bytes) ? true : null), options);
  }

  // A reader that died holds the writer back no longer once its slice of
  // silence has passed: its registration is dropped.
  protected stalled(sliceExpired: boolean): Stop | undefined {
    if (!sliceExpired) return undefined;
    const readers = this.core.bcastMaxReaders(this.d);
    for (let i = 0; i < readers; i++) {
      const holder = this.core.bcastReaderHolder(this.d, i) >>> 0;
      if (holder !== 0 && !this.host.isAlive(holder)) this.core.bcastUnsubscribe(this.d, i, holder);
    }
    return undefined;
  }

  /** Readers read what is left, then see the end. */
  protected leave(): void {
    this.core.bcastLeaveWriter(this.d, this.host.id);
    this.host.wake(this.readSignalWord, ALL); // sleeping readers learn it now, not a slice later
  }
}
