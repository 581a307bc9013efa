// A sequence lock: one writer, many readers that never see a torn record
// (assembly/sync/seqlock.ts). Reads copy the bytes; a struct type can be
// laid over the copy.
import { ShmError, invalidArgument } from '../errors.js';
import { coreConstant } from '../core/core.js';
import { describeValue } from '../core/validate.js';
import { retiredTimeout, warnRenamed } from './deprecation.js';
import { layoutCore } from '../core/layout-core.js';
import { Place, Primitive } from './place.js';
import { Deadline, checkSyncWaitOptions, checkWaitOptions, runAsync, runSync, spinThenSleep, type Steps, type WaitOptions } from '../wait/index.js';

/** Tries before a read naps: the spin the retired read() made between liveness checks. */
/**
 * A nap's length: long enough to hand the CPU to a writer that was
 * preempted mid-update, short enough that a reader is late by little more
 * than a scheduler tick.
 */
const SEQLOCK_NAP_MS = 0.2;
/** What the retired read() waited by default. */
const RETIRED_READ_TIMEOUT_MS = 1000;

export class SeqLock extends Primitive {
  /** Header bytes before the data. */
  static get HEADER(): number { return coreConstant(layoutCore().core, 'SEQLOCK_HEADER'); }
  readonly capacity: number;

  static create(place: Place, capacity: number): SeqLock {
    const seqlock = new SeqLock(place, capacity); // checks the place before the first store
    place.memory.core.seqInit(place.offset, capacity);
    return seqlock;
  }

  static open(place: Place, capacity: number): SeqLock {
    return new SeqLock(place, capacity);
  }

  private constructor(place: Place, capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 24) invalidArgument(`seqlock capacity must be from 1 to 16 MiB: capacity=${String(capacity)}`);
    super(place, coreConstant(place.memory.core, 'SEQLOCK_HEADER') + capacity, 'a seqlock');
    this.capacity = capacity;
  }

  /** Publishes `data` as one update (only one thread may write at a time). */
  write(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) invalidArgument(`seqlock write: give the data as a Uint8Array: got ${describeValue(data)}`);
    this.#check(data.length);
    const memory = this.place.memory;
    const scratch = memory.scratch(data.length);
    memory.bytes(scratch, data.length).set(data);
    this.core.seqWrite(this.at, this.host.id, scratch, data.length);
  }

  /**
   * A consistent copy of the first `length` bytes, or null while a write is
   * in progress. Never waits. A writer that died mid-update is detected: its
   * partial data is returned no more; the read fails with EOWNERDEAD once.
   */
  tryRead(length = this.capacity): Uint8Array | null {
    this.#check(length);
    return this.#copy(length) ?? this.#recoverDeadWriter();
  }

  /**
   * tryRead(), retried while a write is in progress (spinning first, then
   * napping): the copy, or null on timeout.
   */
  readSync(length = this.capacity, options?: WaitOptions): Uint8Array | null {
    this.#check(length);
    checkSyncWaitOptions(options, [], 'readSync');
    return this.#copy(length) ?? runSync(this.#readSteps(length, options ?? {}), this.host);
  }

  /** readSync() without blocking the event loop; takes an AbortSignal. */
  readAsync(length = this.capacity, options: WaitOptions = {}): Promise<Uint8Array | null> {
    this.#check(length);
    checkWaitOptions(options, [], 'readAsync');
    const copy = options.signal?.aborted ? null : this.#copy(length);
    return copy ? Promise.resolve(copy) : runAsync(this.#readSteps(length, options), this.host, options.signal);
  }

  /** @deprecated use readSync, which waits as long as asked and returns null on a timeout; this one gives up after 1 s by default and throws ETIMEDOUT */
  read(length = this.capacity, options: WaitOptions = {}): Uint8Array {
    warnRenamed('SeqLock.read', 'SeqLock.readSync', 'it returns null on a timeout instead of throwing ETIMEDOUT, and waits as long as it takes by default');
    checkWaitOptions(options, [], 'read');
    return this.readSync(length, { ...options, timeoutMs: options.timeoutMs ?? RETIRED_READ_TIMEOUT_MS }) ?? retiredTimeout('a seqlock write to finish', 'SeqLock.readSync');
  }

  /** Updates since creation (each write adds 2). */
  get sequence(): number {
    return this.core.seqSequence(this.at);
  }

  // One try: a copy of one whole update, or null while a write is in progress.
  #copy(length: number): Uint8Array | null {
    const memory = this.place.memory;
    const scratch = memory.scratch(length); // asked for each try: an async read lets other calls use it between tries
    return this.core.seqRead(this.at, scratch, length) === this.constants.SEQ_OK ? memory.bytes(scratch, length).slice() : null;
  }

  // A writer mid-update that died will never finish: repair the sequence and say so (once); null otherwise.
  #recoverDeadWriter(): null {
    const writer = this.core.seqWriter(this.at);
    if (writer !== 0 && !this.host.isAlive(writer) && this.core.seqRecover(this.at, writer)) {
      throw new ShmError({ code: 'EOWNERDEAD', reason: 'owner-died', message: 'the seqlock writer died mid-update; the data holds a partial write until the next write' });
    }
    return null;
  }

  // Spins (a write takes microseconds), then naps on the sequence word; the
  // writer never wakes readers, so each nap lasts its slice unless the
  // sequence moved first. Whether the writer lives is asked before each nap.
  *#readSteps(length: number, options: WaitOptions): Steps<Uint8Array | null> {
    return yield* spinThenSleep(this.spinner, options.spin, new Deadline(options.timeoutMs), () => this.#copy(length), (deadline) => this.#napSteps(length, deadline));
  }

  *#napSteps(length: number, deadline: Deadline): Steps<Uint8Array | null> {
    for (;;) {
      const sequence = this.core.seqSequence(this.at);
      const copy = this.#copy(length) ?? this.#recoverDeadWriter();
      if (copy !== null) return copy;
      if (deadline.passed) return null;
      yield { offset: this.at, value: sequence, timeoutMs: deadline.left(SEQLOCK_NAP_MS) };
    }
  }

  #check(length: number): void {
    if (!Number.isInteger(length) || length < 0 || length > this.capacity) {
      invalidArgument(`seqlock data must be at most ${this.capacity} bytes: length=${String(length)}`);
    }
  }
}
