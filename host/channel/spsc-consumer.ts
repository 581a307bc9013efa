// The consumer side of an SPSC ring: peek in place, release. Views stay
// valid until release(), which frees every message peeked so far with one
// store, so a batch of peeks costs one release. peekMany() peeks a batch
// with one core call and reports it in reused arrays: no object per message.
import { warnRenamed } from '../sync/deprecation.js';
import { checkSyncWaitOptions, checkWaitOptions, runAsync, runSync, type Deadline, type Steps, type WaitOptions } from '../wait/index.js';
import { ShmError, invalidArgument } from '../errors.js';
import { describeValue } from '../core/validate.js';
import type { StructRef } from '../struct/accessors.js';
import type { RecordOf } from '../struct/inferred.js';
import type { StructType } from '../struct/struct.js';
import { CONSUMER, MAX_BATCH, SpscRole, type RingAccess } from './spsc-role.js';

export class SpscConsumer<RecordType extends StructType = StructType> extends SpscRole<RecordType> implements AsyncIterable<Uint8Array> {
  #offsets: Uint32Array | undefined;
  #lengths: Uint32Array | undefined;
  readonly #receive = (): Uint8Array | null => this.tryReceive();
  readonly #receiveSleep = (deadline: Deadline): Steps<Uint8Array | null> => this.sleepFor(this.#receive, deadline);

  /** The longest message the ring takes: tryReceiveInto() wants room for it. */
  readonly maxMessage: number;

  /** Made by SpscRing.acquireConsumer(), which takes the role first. */
  constructor(ring: RingAccess<RecordType>) {
    super(ring, CONSUMER);
    this.maxMessage = ring.maxMessage;
  }

  /** The next message not yet peeked, in place (valid until release()); null when there is none. */
  tryPeek(): Uint8Array | null {
    this.assertOpen();
    const at = this.core.spscPeek(this.d) >>> 0;
    if (at <= this.constants.SPSC_CORRUPT) return at === this.constants.SPSC_NONE ? null : this.corrupt();
    return this.memory.bytes(at, this.core.spscLength(this.d) >>> 0);
  }

  /** Frees every peeked message (their views must not be used after); wakes the producer if it sleeps. */
  release(): void {
    if (this.core.spscRelease(this.d)) this.host.wake(this.publishWord, 1);
  }

  /** A copy of the next message, released (with earlier peeks); null when there is none. Never waits. */
  tryReceive(): Uint8Array | null {
    this.assertOpen();
    const at = this.core.spscPeek(this.d) >>> 0;
    if (at <= this.constants.SPSC_CORRUPT) return at === this.constants.SPSC_NONE ? null : this.corrupt();
    const copy = this.bytes.slice(at, at + (this.core.spscLength(this.d) >>> 0)); // one allocation: no view first
    this.release();
    return copy;
  }

  /**
   * Copies the next message into `into` (at least maxMessage bytes, so any
   * message fits) and releases it: its length, or null when there is none.
   * Never waits, allocates nothing. When `into` lies in this memory (a view
   * of a segment's bytes object, say), the core copies in the same call, at
   * memory speed (a JS copy out of shared memory runs at about half of it).
   * It also releases earlier peeks, and it reuses the arrays peekMany()
   * fills: read offsets and lengths of a peekMany() before calling it.
   */
  tryReceiveInto(into: Uint8Array): number | null {
    this.assertOpen();
    if (!(into instanceof Uint8Array) || into.length < this.maxMessage) {
      invalidArgument(`tryReceiveInto: give a Uint8Array of at least maxMessage (${this.maxMessage}) bytes: got ${describeValue(into)}`);
    }
    if (into.buffer === this.bytes.buffer) {
      const got = this.core.spscReceive(this.d, into.byteOffset, into.length, 1, this.slotsAt() + 4 * MAX_BATCH);
      if (got < 0) return this.corrupt();
      if (got & this.constants.SPSC_WAKE_PEER) this.host.wake(this.publishWord, 1);
      return (got & ~this.constants.SPSC_WAKE_PEER) === 0 ? null : this.slots()[MAX_BATCH]!;
    }
    const at = this.core.spscPeek(this.d) >>> 0;
    if (at <= this.constants.SPSC_CORRUPT) return at === this.constants.SPSC_NONE ? null : this.corrupt();
    const length = this.core.spscLength(this.d) >>> 0;
    into.set(this.bytes.subarray(at, at + length));
    this.release();
    return length;
  }

  /**
   * Peeks up to `max` (≤ MAX_BATCH) messages with one core call: returns how
   * many (0 when there is none; it never waits). Message i is bytes[offsets[i]] …
   * + lengths[i] (this handle's arrays, reused: they hold until the next
   * peekMany); all stay valid until release().
   */
  peekMany(max = MAX_BATCH): number {
    this.assertOpen();
    if (!Number.isInteger(max) || max < 1 || max > MAX_BATCH) invalidArgument(`max must be from 1 to ${MAX_BATCH}: max=${String(max)}`);
    const at = this.slotsAt();
    const count = this.core.spscPeekMany(this.d, max, at, at + MAX_BATCH * 4);
    return count === this.constants.SPSC_CORRUPT_COUNT ? this.corrupt() : count;
  }

  /** Payload offsets in `bytes` of the last peekMany(). */
  get offsets(): Uint32Array {
    return (this.#offsets ??= this.slots().subarray(0, MAX_BATCH));
  }

  /** Payload lengths of the last peekMany(). */
  get lengths(): Uint32Array {
    return (this.#lengths ??= this.slots().subarray(MAX_BATCH));
  }

  /**
   * The next record of the ring's struct type, in place (valid until
   * release()); null when there is none. The same StructRef object is moved
   * by every tryPeekRecord.
   */
  tryPeekRecord(): StructRef<RecordType> | null {
    this.assertOpen();
    const type = this.recordType();
    const at = this.core.spscPeek(this.d) >>> 0;
    if (at <= this.constants.SPSC_CORRUPT) return at === this.constants.SPSC_NONE ? null : this.corrupt();
    const length = this.core.spscLength(this.d) >>> 0;
    if (length !== type.size) throw new ShmError({ code: 'EMSGSIZE', message: `a message of ${length} bytes is not a record of ${type.name} (${type.size} bytes): raw bytes were sent on a record ring` });
    return this.recordAt(at);
  }

  /** The next record decoded into a plain object, released; null when there is none. Never waits. */
  tryReceiveRecord(): RecordOf<RecordType> | null {
    const ref = this.tryPeekRecord();
    if (ref === null) return null;
    const value = ref.$toObject();
    this.release();
    return value;
  }

  /**
   * tryReceive(), sleeping while the ring is empty. null on timeout, or when
   * the producer closed and every message was read (then `ended` is true).
   * EPIPE (reason 'peer-died') when the producer died and every message it
   * published was read.
   */
  receiveSync(options?: WaitOptions): Uint8Array | null {
    checkSyncWaitOptions(options, [], 'receiveSync');
    return this.tryReceive() ?? this.waitForSync(this.#receive, this.#receiveSleep, options);
  }

  /** receiveSync() without blocking the event loop; takes an AbortSignal. */
  receiveAsync(options: WaitOptions = {}): Promise<Uint8Array | null> {
    checkWaitOptions(options, [], 'receiveAsync');
    const got = options.signal?.aborted ? null : this.tryReceive();
    return got ? Promise.resolve(got) : runAsync(this.waitFor(() => this.tryReceive(), options), this.host, options.signal);
  }

  /**
   * tryPeek(), sleeping while the ring is empty: the next message in place
   * (valid until release()), or null as for receiveAsync(). Peeks add up
   * until release(), so a forwarder can wait for the first message, take
   * the rest with peekMany(), and release them all once they are safe
   * elsewhere.
   */
  peekAsync(options: WaitOptions = {}): Promise<Uint8Array | null> {
    checkWaitOptions(options, [], 'peekAsync');
    const got = options.signal?.aborted ? null : this.tryPeek();
    return got ? Promise.resolve(got) : runAsync(this.waitFor(() => this.tryPeek(), options), this.host, options.signal);
  }

  /** tryReceiveRecord(), sleeping while the ring is empty; null and EPIPE as for receiveSync(). */
  receiveRecordSync(options?: WaitOptions): RecordOf<RecordType> | null {
    checkSyncWaitOptions(options, [], 'receiveRecordSync');
    return this.tryReceiveRecord() ?? runSync(this.waitFor(() => this.tryReceiveRecord(), options ?? {}), this.host);
  }

  /** receiveRecordSync() without blocking the event loop; takes an AbortSignal. */
  receiveRecordAsync(options: WaitOptions = {}): Promise<RecordOf<RecordType> | null> {
    checkWaitOptions(options, [], 'receiveRecordAsync');
    const got = options.signal?.aborted ? null : this.tryReceiveRecord();
    return got ? Promise.resolve(got) : runAsync(this.waitFor(() => this.tryReceiveRecord(), options), this.host, options.signal);
  }

  /** @deprecated use tryReceive */
  receive(): Uint8Array | null {
    warnRenamed('SpscConsumer.receive', 'SpscConsumer.tryReceive');
    return this.tryReceive();
  }

  /** @deprecated use tryReceiveRecord */
  receiveRecord(): RecordOf<RecordType> | null {
    warnRenamed('SpscConsumer.receiveRecord', 'SpscConsumer.tryReceiveRecord');
    return this.tryReceiveRecord();
  }

  /** The producer closed and nothing is left to read. */
  get ended(): boolean {
    // Asked in this order: a message published before the close is then seen.
    return this.peerLeft() && this.core.spscUsed(this.d) === this.core.spscUnreleased(this.d);
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

  protected publish(): void {
    this.release();
  }

  protected peerClosed(): null {
    return null;
  }
}
