// A bounded multi-producer multi-consumer queue of fixed-size messages in
// shared memory (assembly/channel/mpmc.ts). Any number of threads and
// processes push and pop through their own MpmcQueue over the same place;
// there are no roles to take. A party killed while it holds a slot (a
// producer between claim and publish, a consumer between take and release)
// never lets anyone read a torn message: the slot stays unreadable until a
// waiting party of the other side finds the holder dead and gives it back,
// counting its message in `lost`.
//
// end() ends the stream for everyone, as Go's close(chan) does: pushes fail
// from then on (tryPush false, pushSync/pushAsync EPIPE with reason
// 'ended', as an SPSC producer's sendSync() answers a consumer that left
// with reason 'peer-closed'), consumers
// still get every message pushed before, then the end (null, and `ended`;
// for await stops). It is called end, as a Writable's, because close()
// elsewhere in shmkit lets go of one handle, and this is seen by every
// process. There is no producer count: a producer that dies does not end
// the stream, so end it when the producers are done (e.g. after waiting for
// them all). An ended queue stays ended.
import { ShmError, brokenPipe, invalidArgument } from '../errors.js';
import { coreConstant } from '../core/core.js';
import { corruption } from '../core/corruption.js';
import { layoutCore } from '../core/layout-core.js';
import { Place, Primitive, checkPlace } from '../sync/place.js';
import { Spinner, checkSyncWaitOptions, checkWaitOptions, runAsync, runSync, type WaitOptions } from '../wait/index.js';
import { ENDED, POP, PUSH, reclaimDead, waitTurn, wakeSide, type QueueAccess, type Side } from './mpmc-wait.js';

/** The read options' key besides the wait options. */
const INTO = ['into'];

/** A queue's geometry. */
export interface QueueShape {
  slots: number;
  slotSize: number;
}

/** Options of popSync/popAsync: where to copy the message, besides the wait options. */
export interface PopOptions extends WaitOptions {
  into?: Uint8Array;
}

export class MpmcQueue extends Primitive implements AsyncIterable<Uint8Array> {
  /** Slot count (a power of two). */
  readonly slots: number;
  /** Bytes of every message. */
  readonly slotSize: number;
  readonly #access: QueueAccess;
  /** Pushes wait for room, pops (this.spinner) for messages: each learns its own spin. */
  readonly #pushSpinner: Spinner;
  /** This queue's descriptor (its geometry, checked once); every core call takes it. */
  readonly #d: number;
  /** Set once the core found the queue's bytes broken: every call throws it from then on. */
  #corrupt: ShmError | undefined;
  /** The whole memory as bytes: messages are copied in and out through it by offset. */
  readonly #bytes: Uint8Array;

  /** Bytes a queue of `slots` slots of `slotSize`-byte messages occupies. */
  static bytesFor(slots: number, slotSize: number): number {
    const core = layoutCore().core;
    const [fewest, most, largest] = [coreConstant(core, 'MPMC_MIN_SLOTS'), coreConstant(core, 'MPMC_MAX_SLOTS'), coreConstant(core, 'MPMC_MAX_SLOT_SIZE')];
    if (!Number.isInteger(slots) || slots < fewest || slots > most || (slots & (slots - 1)) !== 0) {
      invalidArgument(`queue slots must be a power of two from ${fewest} to ${most}: slots=${String(slots)}`);
    }
    if (!Number.isInteger(slotSize) || slotSize < 1 || slotSize > largest) {
      invalidArgument(`queue slotSize must be a whole number from 1 to ${largest}: slotSize=${String(slotSize)}`);
    }
    const bytes = core.mpmcSize(slots, slotSize) >>> 0;
    if (bytes === 0) invalidArgument(`a queue of slots=${slots} slotSize=${slotSize} is larger than 4 GiB`);
    return bytes;
  }

  /** Formats a queue at `place` (nobody may be using it). */
  static create(place: Place, slots: number, slotSize: number): MpmcQueue {
    const bytes = MpmcQueue.bytesFor(slots, slotSize);
    const end = checkPlace(place, bytes, 'an MPMC queue');
    place.memory.core.mpmcInit(place.offset, end, slots, slotSize);
    return new MpmcQueue(place);
  }

  /** A queue that already lives at `place`; its geometry is read from its header and, given `shape`, must be that (else ELAYOUT). */
  static open(place: Place, shape?: QueueShape): MpmcQueue {
    if (shape !== undefined) MpmcQueue.bytesFor(shape.slots, shape.slotSize);
    const queue = new MpmcQueue(place);
    if (shape && (shape.slots !== queue.slots || shape.slotSize !== queue.slotSize)) {
      throw new ShmError({ code: 'ELAYOUT', message: `the MPMC queue at offset ${place.offset} has slots=${queue.slots}, slotSize=${queue.slotSize}, not slots=${shape.slots}, slotSize=${shape.slotSize}` });
    }
    return queue;
  }

  private constructor(place: Place) {
    super(place, coreConstant(place.memory.core, 'MPMC_HEADER'), 'an MPMC queue');
    // The geometry is read once, checked against the window, and kept privately.
    this.#d = place.memory.descriptors.opened(this, (d) => this.core.mpmcOpen(d, this.at, this.windowEnd), `the MPMC queue at offset ${place.offset}`);
    this.slots = this.core.mpmcSlots(this.#d) >>> 0;
    this.slotSize = this.core.mpmcSlotSize(this.#d) >>> 0;
    this.#access = { core: this.core, host: this.host, at: this.at, d: this.#d };
    this.#pushSpinner = new Spinner(this.core);
    this.#bytes = new Uint8Array(place.memory.memory.buffer); // covers the queue: memories never shrink
  }

  /** Messages pushed (or being pushed) and not yet popped. */
  get length(): number {
    return this.core.mpmcLength(this.#d) >>> 0;
  }

  /** Messages lost because their producer or consumer died holding the slot. */
  get lost(): number {
    return this.core.mpmcLost(this.#d);
  }

  /**
   * Ends the stream, for every process: pushes fail from now on; consumers
   * get what was pushed before (slots claimed before still publish), then
   * the end. Sleepers on both sides are woken. Closing twice is harmless;
   * an ended queue stays ended (remove the object and make it anew).
   */
  end(): void {
    if (this.core.mpmcClose(this.#d) === 0) return;
    wakeSide(this.#access, PUSH);
    wakeSide(this.#access, POP);
  }

  /** end() was called (messages may be left to pop). */
  get ending(): boolean {
    return this.core.mpmcClosed(this.#d) !== 0;
  }

  /** Closed, and every message popped (or taken and being read): pops now return null at once. */
  get ended(): boolean {
    return this.core.mpmcEnded(this.#d) !== 0;
  }

  /**
   * A free slot to fill in place (a view of slotSize bytes), claimed by this
   * thread; nobody reads it before publish(view). null when the queue is
   * full or ended (`ending` says which).
   */
  tryClaimSlot(): Uint8Array | null {
    this.#assertSound();
    const at = this.core.mpmcClaim(this.#d, this.host.id) >>> 0;
    if (at === this.constants.MPMC_CORRUPT) this.#corrupted();
    return at === this.constants.MPMC_NONE || at === this.constants.MPMC_CLOSED ? null : this.place.memory.bytes(at, this.slotSize);
  }

  /** Publishes a slot from tryClaimSlot(); wakes consumers if any sleeps. */
  publish(slot: Uint8Array): void {
    this.#publishAt(this.#payload(slot, 'publish'));
  }

  /**
   * The next message in place (a view of slotSize bytes), taken by this
   * thread until release(view). null when the queue is empty (or `ended`).
   */
  tryTakeSlot(): Uint8Array | null {
    this.#assertSound();
    const at = this.core.mpmcTake(this.#d, this.host.id) >>> 0;
    if (at === this.constants.MPMC_CORRUPT) this.#corrupted();
    return at === this.constants.MPMC_NONE || at === this.constants.MPMC_CLOSED ? null : this.place.memory.bytes(at, this.slotSize);
  }

  /** Frees a slot from tryTakeSlot() for producers (the view must not be used after). */
  release(slot: Uint8Array): void {
    this.#releaseAt(this.#payload(slot, 'release'));
  }

  /** Copies `bytes` (exactly slotSize of them) in as one message: true, or false when the queue is full or ending. Never waits. */
  tryPush(bytes: Uint8Array): boolean {
    return this.#push(bytes) === true;
  }

  /** The next message, copied into `into` (slotSize bytes) or a new array; null when the queue is empty (or `ended`). Never waits. */
  tryPop(into?: Uint8Array): Uint8Array | null {
    const got = this.#pop(into);
    return got === ENDED ? null : got;
  }

  /**
   * tryPush(), sleeping while the queue is full: true, or false on timeout.
   * EPIPE (reason 'ended') when the queue is ending, before or during the wait.
   */
  pushSync(bytes: Uint8Array, options?: WaitOptions): boolean {
    checkSyncWaitOptions(options, [], 'pushSync');
    if (this.tryPush(bytes)) return true;
    return runSync(this.#pushSteps(bytes, options ?? {}), this.host) ?? false;
  }

  /** pushSync() without blocking the event loop; takes an AbortSignal. */
  pushAsync(bytes: Uint8Array, options: WaitOptions = {}): Promise<boolean> {
    checkWaitOptions(options, [], 'pushAsync');
    if (!options.signal?.aborted && this.tryPush(bytes)) return Promise.resolve(true);
    return runAsync(this.#pushSteps(bytes, options), this.host, options.signal).then((pushed) => pushed ?? false);
  }

  /**
   * tryPop(), sleeping while the queue is empty: the message, or null on
   * timeout or at the end (end() was called and the queue is drained: `ended` is true).
   */
  popSync(options?: PopOptions): Uint8Array | null {
    checkSyncWaitOptions(options, INTO, 'popSync');
    return this.tryPop(options?.into) ?? runSync(this.#popSteps(options ?? {}), this.host);
  }

  /** popSync() without blocking the event loop; takes an AbortSignal. */
  popAsync(options: PopOptions = {}): Promise<Uint8Array | null> {
    checkWaitOptions(options, INTO, 'popAsync');
    const got = options.signal?.aborted ? null : this.tryPop(options.into);
    return got ? Promise.resolve(got) : runAsync(this.#popSteps(options), this.host, options.signal);
  }

  /**
   * Gives back the slots that dead parties hold and that stop the queue
   * (waiting calls do it themselves after a quiet liveness slice): how many.
   */
  reclaimDead(): number {
    let count = 0;
    for (const side of [POP, PUSH] as const) while (reclaimDead(this.#access, side)) count++;
    return count;
  }

  /** Every message (copies) until the queue is ended and drained; `signal` stops it with ABORT_ERR. */
  async *messages(options: { signal?: AbortSignal } = {}): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const message = await this.popAsync(options);
      if (message === null) return;
      yield message;
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    return this.messages();
  }

  // One push: true, false when full, ENDED after end().
  #push(bytes: Uint8Array): boolean | typeof ENDED {
    this.#checkSize(bytes, 'a message');
    this.#assertSound();
    const at = this.core.mpmcClaim(this.#d, this.host.id) >>> 0;
    if (at <= this.constants.MPMC_CORRUPT) {
      if (at === this.constants.MPMC_NONE) return false;
      if (at === this.constants.MPMC_CLOSED) return ENDED;
      this.#corrupted();
    }
    this.#bytes.set(bytes, at); // through one view made once: no view, no byteOffset read per message
    this.#publishAt(at);
    return true;
  }

  // One pop: the message, null when empty, ENDED when ended and drained.
  #pop(into: Uint8Array | undefined): Uint8Array | null | typeof ENDED {
    if (into !== undefined) this.#checkSize(into, 'into');
    this.#assertSound();
    const at = this.core.mpmcTake(this.#d, this.host.id) >>> 0;
    if (at <= this.constants.MPMC_CORRUPT) {
      if (at === this.constants.MPMC_NONE) return null;
      if (at === this.constants.MPMC_CLOSED) return ENDED;
      this.#corrupted();
    }
    const end = at + this.slotSize;
    let copy: Uint8Array;
    if (into === undefined) copy = this.#bytes.slice(at, end); // one allocation
    else (copy = into).set(this.#bytes.subarray(at, end));
    this.#releaseAt(at);
    return copy;
  }

  #pushSteps(bytes: Uint8Array, options: WaitOptions) {
    return waitTurn(this.#access, PUSH, () => {
      const pushed = this.#push(bytes);
      if (pushed === ENDED) throw brokenPipe('ended', 'the MPMC queue has ended: nothing more can be pushed (an ended queue stays ended; remove it and make a new one to start over)');
      return pushed || null;
    }, options, this.#pushSpinner);
  }

  #popSteps(options: PopOptions) {
    return waitTurn(this.#access, POP, () => this.#pop(options.into), options, this.spinner);
  }

  // The payload address of a slot view, checked to be one of this queue's slots.
  #payload(slot: Uint8Array, what: string): number {
    this.#assertSound();
    const first = this.at + this.constants.MPMC_HEADER + this.constants.MPMC_SLOT_HEADER;
    const index = slot instanceof Uint8Array ? (slot.byteOffset - first) / this.core.mpmcStride(this.slotSize) : -1;
    if (slot.length !== this.slotSize || !Number.isInteger(index) || index < 0 || index >= this.slots) {
      invalidArgument(`${what}: give the view that this queue's ${what === 'publish' ? 'tryClaimSlot' : 'tryTakeSlot'}() returned`);
    }
    return slot.byteOffset;
  }

  #publishAt(payload: number): void {
    this.#finish(payload, this.core.mpmcPublish(this.#d, payload, this.host.id), POP, 'publish', 'claimed');
  }

  #releaseAt(payload: number): void {
    this.#finish(payload, this.core.mpmcRelease(this.#d, payload, this.host.id), PUSH, 'release', 'taken');
  }

  #assertSound(): void {
    if (this.#corrupt) throw this.#corrupt;
  }

  #corrupted(): never {
    throw (this.#corrupt = corruption(this.core, this.#d, `the MPMC queue at offset ${this.at}`));
  }

  #finish(payload: number, result: number, wake: Side, what: string, held: string): void {
    if (result === this.constants.MPMC_NOT_HELD) {
      throw new ShmError({ code: 'EPERM', message: `${what}: this thread (${this.host.id}) holds no ${held} slot at offset ${payload} (already done, or given back after it was found dead)` });
    }
    if (result === 1) wakeSide(this.#access, wake);
  }

  #checkSize(bytes: Uint8Array, what: string): void {
    if (!(bytes instanceof Uint8Array)) invalidArgument(`${what} must be a Uint8Array`);
    if (bytes.length !== this.slotSize) {
      throw new ShmError({ code: 'EMSGSIZE', message: `${what} of ${bytes.length} bytes does not match this queue's slotSize of ${this.slotSize}: every message is exactly slotSize bytes` });
    }
  }
}
