// The producer side of an SPSC ring: claim room, write in place, commit.
// Every claim since the last commit is published by one store, so readers
// never see part of a batch, nor part of a message. claimMany() and
// sendMany() place a batch with one core call; trySend() copies into a
// cached view of the memory, so no call allocates per message.
import { ShmError, brokenPipe, invalidArgument } from '../errors.js';
import { describeValue } from '../core/validate.js';
import { warnRenamed } from '../sync/deprecation.js';
import { checkSyncWaitOptions, checkWaitOptions, runAsync, runSync, type WaitOptions } from '../wait/index.js';
import type { StructRef } from '../struct/accessors.js';
import type { RecordInput } from '../struct/inferred.js';
import type { StructType } from '../struct/struct.js';
import { writeValue } from '../struct/values.js';
import { MAX_BATCH, PRODUCER, SpscRole, type RingAccess } from './spsc-role.js';

export class SpscProducer<RecordType extends StructType = StructType> extends SpscRole<RecordType> {
  readonly maxMessage: number;
  #encoded: Uint8Array | undefined;

  /** Made by SpscRing.acquireProducer(), which takes the role first. */
  constructor(ring: RingAccess<RecordType>) {
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
    if (!Number.isInteger(length) || length < 0 || length > this.maxMessage) this.#tooLong(length); // the core takes a u32
    const at = this.core.spscClaim(this.d, length) >>> 0;
    if (at <= this.constants.SPSC_CORRUPT) return this.#refused(at, length);
    return this.memory.bytes(at, length);
  }

  /** Publishes every claim made since the last commit, with one store; wakes the consumer if it sleeps. */
  commit(): void {
    if (this.core.spscCommit(this.d)) this.host.wake(this.publishWord, 1);
  }

  /**
   * Copies `bytes` in as one message and commits (earlier claims with it):
   * true, or false when full. Never waits. A message that already lies in
   * this memory (a view of a segment's bytes object, say) is copied by the
   * core in the same call: a Wasm bulk copy runs at memory speed, where a
   * JS copy into shared memory runs at about half of it.
   */
  trySend(bytes: Uint8Array): boolean {
    this.assertOpen();
    if (!(bytes instanceof Uint8Array)) invalidArgument(`trySend: give the message as a Uint8Array: got ${describeValue(bytes)}`);
    if (bytes.buffer === this.bytes.buffer) return this.#sendFromMemory(bytes);
    const at = this.core.spscClaim(this.d, bytes.length) >>> 0;
    if (at <= this.constants.SPSC_CORRUPT && this.#refused(at, bytes.length) === null) return false;
    this.bytes.set(bytes, at); // into the cached view: no view is made per message
    this.commit();
    return true;
  }

  /**
   * Claims up to `count` (≤ MAX_BATCH) messages of `length` bytes with one
   * core call: returns how many (0 when full; it never waits). Message i is filled in place
   * at bytes[offsets[i]] … (`bytes` and `offsets` are this handle's, reused:
   * the offsets hold until the next claimMany or sendMany); the next
   * commit() publishes them.
   */
  claimMany(count: number, length: number): number {
    this.assertOpen();
    if (!Number.isInteger(count) || count < 1 || count > MAX_BATCH) invalidArgument(`count must be from 1 to ${MAX_BATCH}: count=${String(count)}`);
    if (!Number.isInteger(length) || length < 0 || length > this.maxMessage) this.#tooLong(length);
    return this.#counted(this.core.spscClaimSame(this.d, this.slotsAt(), length, count));
  }

  /** Payload offsets in `bytes` of the last claimMany() (valid for the count it returned). */
  get offsets(): Uint32Array {
    return this.slots();
  }

  /**
   * Copies in as many of `messages` (from `start`, at most MAX_BATCH) as fit
   * and commits them with one store: returns how many were sent (0 when
   * full; it never waits).
   */
  sendMany(messages: readonly Uint8Array[], start = 0): number {
    this.assertOpen();
    if (!Array.isArray(messages)) invalidArgument(`sendMany: give an array of Uint8Array messages: got ${describeValue(messages)}`);
    if (!Number.isSafeInteger(start) || start < 0 || start > messages.length) invalidArgument(`sendMany: start must be an index from 0 to ${messages.length}: start=${String(start)}`);
    const count = Math.min(messages.length - start, MAX_BATCH);
    if (count <= 0) return 0;
    const slots = this.slots();
    for (let i = 0; i < count; i++) {
      const message = messages[start + i];
      if (!(message instanceof Uint8Array)) invalidArgument(`sendMany: message ${start + i} is not a Uint8Array: got ${describeValue(message)}`);
      if (message.length > this.maxMessage) this.#tooLong(message.length); // before anything is claimed
      slots[i] = message.length;
    }
    const sent = this.#counted(this.core.spscClaimMany(this.d, this.slotsAt(), count));
    for (let i = 0; i < sent; i++) this.bytes.set(messages[start + i]!, slots[i]!);
    this.commit();
    return sent;
  }

  /**
   * Sends the `length`-byte messages lying back to back in `packed` (its
   * size a multiple of `length`): as many as fit, committed with one store.
   * Each 64 KiB goes with one bulk copy and one core call that copies the
   * messages into their records, so small messages cost no JS call each.
   * Returns how many were sent (it never waits).
   */
  sendPacked(packed: Uint8Array, length: number): number {
    this.assertOpen();
    if (!(packed instanceof Uint8Array)) invalidArgument(`sendPacked: give the packed messages as a Uint8Array: got ${describeValue(packed)}`);
    if (!Number.isInteger(length) || length < 1 || packed.length % length !== 0) invalidArgument(`packed messages: length must be a whole number ≥ 1 dividing packed.length: length=${String(length)}, packed.length=${packed.length}`);
    if (length > this.maxMessage) this.#tooLong(length);
    const staging = this.staging();
    if (length > staging.length) invalidArgument(`sendPacked takes messages up to ${staging.length} bytes; trySend() larger ones: length=${length}`);
    const step = Math.floor(staging.length / length) * length;
    let sent = 0;
    for (let at = 0; at < packed.length; at += step) {
      const part = packed.subarray(at, at + step);
      staging.set(part);
      const count = part.length / length;
      const claimed = this.#counted(this.core.spscClaimCopies(this.d, staging.byteOffset, length, count));
      sent += claimed;
      if (claimed < count) break;
    }
    this.commit();
    return sent;
  }

  /**
   * Room for one record of the ring's struct type: a StructRef to fill in
   * place, published by the next commit(); null when full. The same
   * StructRef object is moved by every tryClaimRecord.
   */
  tryClaimRecord(): StructRef<RecordType> | null {
    this.assertOpen();
    const length = this.recordType().size;
    const at = this.core.spscClaim(this.d, length) >>> 0;
    if (at <= this.constants.SPSC_CORRUPT) return this.#refused(at, length);
    return this.recordAt(at);
  }

  /**
   * Writes `value` (every field) as one record and commits: true, or false
   * when full. Never waits. It is encoded aside first, so a bad value throws
   * before anything is claimed and no half-written record is ever published.
   */
  trySendRecord(value: RecordInput<RecordType>): boolean {
    return this.trySend(this.#encode(value));
  }

  /**
   * trySend(), sleeping while the ring is full: true, or false on timeout.
   * EPIPE when the consumer died (reason 'peer-died') or closed (reason
   * 'peer-closed') while the ring is full.
   */
  sendSync(bytes: Uint8Array, options?: WaitOptions): boolean {
    checkSyncWaitOptions(options, [], 'sendSync');
    if (this.trySend(bytes)) return true; // the fast path makes no closure and no generator
    return runSync(this.#sendSteps(bytes, options ?? {}), this.host) ?? false;
  }

  /** sendSync() without blocking the event loop; takes an AbortSignal. */
  sendAsync(bytes: Uint8Array, options: WaitOptions = {}): Promise<boolean> {
    checkWaitOptions(options, [], 'sendAsync');
    if (!options.signal?.aborted && this.trySend(bytes)) return Promise.resolve(true);
    return runAsync(this.#sendSteps(bytes, options), this.host, options.signal).then((sent) => sent ?? false);
  }

  /** trySendRecord(), sleeping while the ring is full; as sendSync(). */
  sendRecordSync(value: RecordInput<RecordType>, options?: WaitOptions): boolean {
    checkSyncWaitOptions(options, [], 'sendRecordSync');
    return this.sendSync(this.#encode(value), options);
  }

  /** sendRecordSync() without blocking the event loop; takes an AbortSignal. */
  sendRecordAsync(value: RecordInput<RecordType>, options: WaitOptions = {}): Promise<boolean> {
    checkWaitOptions(options, [], 'sendRecordAsync');
    // A copy: another record call may encode into the shared buffer while this one waits.
    return this.sendAsync(this.#encode(value).slice(), options);
  }

  /** @deprecated use trySend */
  send(bytes: Uint8Array): boolean {
    warnRenamed('SpscProducer.send', 'SpscProducer.trySend');
    return this.trySend(bytes);
  }

  /** @deprecated use trySendRecord */
  sendRecord(value: RecordInput<RecordType>): boolean {
    warnRenamed('SpscProducer.sendRecord', 'SpscProducer.trySendRecord');
    return this.trySendRecord(value);
  }

  #sendSteps(bytes: Uint8Array, options: WaitOptions) {
    return this.waitFor(() => (this.trySend(bytes) ? true : null), options);
  }

  // `value` as the bytes of one record, in this handle's reused buffer (EINVAL on a bad field, before any store).
  #encode(value: RecordInput<RecordType>): Uint8Array {
    this.assertOpen();
    const type = this.recordType();
    this.#encoded ??= new Uint8Array(type.size);
    writeValue(new DataView(this.#encoded.buffer), 0, type, value, type.name);
    return this.#encoded;
  }

  protected publish(): void {
    this.commit();
  }

  protected peerClosed(): null {
    throw brokenPipe('peer-closed', 'the SPSC ring is full and its consumer has closed: nobody will make room until another acquires the consumer role');
  }

  // What a claim answered instead of an address: null when full; else it throws.
  #refused(at: number, length: number): null {
    if (at === this.constants.SPSC_NONE) return null;
    if (at === this.constants.SPSC_TOO_LONG) this.#tooLong(length);
    return this.corrupt();
  }

  #sendFromMemory(bytes: Uint8Array): boolean {
    if (bytes.length > this.maxMessage) this.#tooLong(bytes.length);
    const sent = this.#counted(this.core.spscSend(this.d, bytes.byteOffset, bytes.length, 1));
    if (sent & this.constants.SPSC_WAKE_PEER) this.host.wake(this.publishWord, 1);
    return (sent & ~this.constants.SPSC_WAKE_PEER) === 1;
  }

  #counted(count: number): number {
    return count === this.constants.SPSC_CORRUPT_COUNT ? this.corrupt() : count;
  }

  #tooLong(length: number): never {
    if (!Number.isInteger(length) || length < 0) invalidArgument(`message length must be a whole number ≥ 0: length=${String(length)}`);
    throw new ShmError({ code: 'EMSGSIZE', message: `a message of ${length} bytes is larger than this ring's maxMessage of ${this.maxMessage} (half its capacity less a record header); use a larger ring` });
  }
}
