// A read-write lock where writers do not starve (assembly/sync/rwlock.ts).
// A writer that dies holding it is detected and replaced: the next writer
// gets 'owner-died', and every reader that gets in until a writer repairs
// the data sees `ownerDied` (readers cannot repair under a shared hold). A
// writer that died still waiting for readers to leave never held the lock
// and leaves nothing to repair. Readers that die inside are found through
// their reader slots and their holds taken back; one past the slots cannot
// be told apart from a slow one, so a writer waiting on it relies on its
// timeout.
import { ShmError } from '../errors.js';
import { coreConstant } from '../core/core.js';
import { retiredTimeout, warnRenamed } from './deprecation.js';
import { guardOf, guardOfLock, type Guard } from './guard.js';
import type { LockResult } from './mutex.js';
import { layoutCore } from '../core/layout-core.js';
import { Place, Primitive } from './place.js';
import {
  Deadline, LivenessSlices, ONE_ATTEMPT, checkSyncWaitOptions, checkWaitOptions, runAsync, runSync, spinThenSleep, type Steps, type WaitOptions,
} from '../wait/index.js';

export class RwLock extends Primitive {
  static get SIZE(): number { return coreConstant(layoutCore().core, 'RWLOCK_SIZE'); }
  /** The futex words: readers and writers sleep on the state word, writers waiting for the writer word on it. */
  readonly #stateAt: number;
  readonly #writerAt: number;
  readonly #readerSlots: number;

  static create(place: Place): RwLock {
    const lock = new RwLock(place); // checks the place before the first store
    place.memory.core.rwInit(place.offset);
    return lock;
  }

  static open(place: Place): RwLock {
    return new RwLock(place);
  }

  private constructor(place: Place) {
    super(place, coreConstant(place.memory.core, 'RWLOCK_SIZE'), 'a read-write lock');
    this.#stateAt = this.at + this.constants.RWLOCK_STATE;
    this.#writerAt = this.at + this.constants.RWLOCK_WRITER;
    this.#readerSlots = this.constants.RWLOCK_READER_SLOTS;
  }

  /** One attempt at a shared hold, never sleeping: true (then check `ownerDied`), or false. */
  tryRead(): boolean {
    return this.core.rwTryRead(this.at, this.host.id) === 1;
  }

  /** Shared hold, sleeping while a writer holds or waits: true (then check `ownerDied`), or false on timeout. */
  readSync(options?: WaitOptions): boolean {
    checkSyncWaitOptions(options, [], 'readSync');
    return runSync(this.#readSteps(options ?? {}), this.host);
  }

  /** readSync() without blocking the event loop; takes an AbortSignal. */
  readAsync(options: WaitOptions = {}): Promise<boolean> {
    checkWaitOptions(options, [], 'readAsync');
    return runAsync(this.#readSteps(options), this.host, options.signal);
  }

  /**
   * A writer died inside the lock (it may have left the data half-written)
   * and no writer has repaired it since. While this thread holds the lock,
   * to read or to write, the answer cannot change (only a writer inside
   * sets or clears it). A reader that sees true cannot repair under its
   * shared hold: it checks the data itself, or leaves (readUnlock), takes
   * writeSync() (which answers 'owner-died'), repairs, calls markConsistent()
   * and writeUnlock(), and reads again.
   */
  get ownerDied(): boolean {
    return this.core.rwOwnerDied(this.at) !== 0;
  }

  readUnlock(): void {
    const r = this.core.rwReadUnlock(this.at, this.host.id);
    if (r < 0) throw new ShmError({ code: 'EPERM', message: 'readUnlock without a read hold' });
    if (r === 1) this.host.wake(this.#stateAt, 0x7fffffff);
  }

  /**
   * One attempt at the exclusive hold, never sleeping: 'acquired',
   * 'owner-died' (a writer died holding it: repair, then markConsistent()),
   * or false while a live writer or reader holds it.
   */
  tryWrite(): Exclude<LockResult, 'timed-out'> | false {
    const result = runSync(this.#writeSteps(ONE_ATTEMPT, true), this.host);
    return result === 'timed-out' ? false : result;
  }

  /** Exclusive hold: 'acquired', 'owner-died' (a writer died holding it: repair, then markConsistent()), or 'timed-out'. */
  writeSync(options?: WaitOptions): LockResult {
    checkSyncWaitOptions(options, [], 'writeSync');
    return runSync(this.#writeSteps(options ?? {}), this.host);
  }

  /** writeSync() without blocking the event loop; takes an AbortSignal. */
  writeAsync(options: WaitOptions = {}): Promise<LockResult> {
    checkWaitOptions(options, [], 'writeAsync');
    return runAsync(this.#writeSteps(options), this.host, options.signal);
  }

  writeUnlock(): void {
    const r = this.core.rwWriteUnlock(this.at, this.host.id);
    if (r < 0) throw new ShmError({ code: 'EPERM', message: 'this thread does not hold the write lock' });
    if (r & this.constants.RWLOCK_WAKE_READERS) this.host.wake(this.#stateAt, 0x7fffffff);
    if (r & this.constants.RWLOCK_WAKE_WRITER) this.host.wake(this.#writerAt, 1);
  }

  /** After 'owner-died': the data is repaired; later readers and writers are no longer told. */
  markConsistent(): void {
    if (this.core.rwMarkConsistent(this.at, this.host.id) !== this.constants.ACQUIRED) {
      throw new ShmError({ code: 'EPERM', message: 'this thread does not hold the write lock' });
    }
  }

  /** tryRead() as a guard that releases when disposed; null when it is taken. `g.ownerDied` as `ownerDied`. */
  tryHoldRead(): Guard | null {
    return this.#readGuard(this.tryRead());
  }

  /**
   * readSync() as a guard that releases when disposed; null on timeout
   * (check it: `using` accepts null and would run the block unguarded).
   */
  holdReadSync(options?: WaitOptions): Guard | null {
    return this.#readGuard(this.readSync(options));
  }

  /** holdReadSync() without blocking the event loop; takes an AbortSignal. */
  async holdReadAsync(options: WaitOptions = {}): Promise<Guard | null> {
    return this.#readGuard(await this.readAsync(options));
  }

  /** tryWrite() as a guard that releases when disposed; null when it is taken. */
  tryHoldWrite(): Guard | null {
    return this.#writeGuard(this.tryWrite());
  }

  /** writeSync() as a guard that releases when disposed; null on timeout (check it, as for holdReadSync). */
  holdWriteSync(options?: WaitOptions): Guard | null {
    return this.#writeGuard(this.writeSync(options));
  }

  /** holdWriteSync() without blocking the event loop; takes an AbortSignal. */
  async holdWriteAsync(options: WaitOptions = {}): Promise<Guard | null> {
    return this.#writeGuard(await this.writeAsync(options));
  }

  /** @deprecated use readSync */
  read(options?: WaitOptions): boolean {
    warnRenamed('RwLock.read', 'RwLock.readSync');
    return this.readSync(options);
  }

  /** @deprecated use writeSync */
  write(options?: WaitOptions): LockResult {
    warnRenamed('RwLock.write', 'RwLock.writeSync');
    return this.writeSync(options);
  }

  /** @deprecated use holdReadSync, which returns null on a timeout; this one throws ETIMEDOUT */
  holdRead(options?: WaitOptions): Guard {
    warnRenamed('RwLock.holdRead', 'RwLock.holdReadSync', 'it returns null on a timeout instead of throwing ETIMEDOUT');
    return this.holdReadSync(options) ?? retiredTimeout('a shared hold of the read-write lock', 'RwLock.holdReadSync');
  }

  /** @deprecated use holdWriteSync, which returns null on a timeout; this one throws ETIMEDOUT */
  holdWrite(options?: WaitOptions): Guard {
    warnRenamed('RwLock.holdWrite', 'RwLock.holdWriteSync', 'it returns null on a timeout instead of throwing ETIMEDOUT');
    return this.holdWriteSync(options) ?? retiredTimeout('the write lock', 'RwLock.holdWriteSync');
  }

  #readGuard(held: boolean): Guard | null {
    return guardOf(held, held && this.ownerDied, () => this.readUnlock());
  }

  #writeGuard(result: LockResult | false): Guard | null {
    return guardOfLock(result, () => this.writeUnlock());
  }

  // Readers that died inside never leave: take their holds back so the
  // writer can go on (a reader past the recorded slots cannot be checked).
  #reapDeadReaders(): void {
    for (let slot = 0; slot < this.#readerSlots; slot++) {
      const id = this.core.rwReaderId(this.at, slot);
      if (id !== 0 && !this.host.isAlive(id)) this.core.rwReapReader(this.at, slot, id);
    }
  }

  get readers(): number {
    return this.core.rwReaders(this.at);
  }

  /** The id of the writer holding the lock or waiting for readers to leave, or 0. */
  get writer(): number {
    return this.core.rwWriter(this.at);
  }

  *#readSteps(options: WaitOptions): Steps<boolean> {
    return yield* spinThenSleep(this.spinner, options.spin, new Deadline(options.timeoutMs), () => (this.core.rwTryRead(this.at, this.host.id) ? true : null),
      (deadline) => this.#readSleepSteps(deadline));
  }

  *#readSleepSteps(deadline: Deadline): Steps<boolean> {
    const slices = new LivenessSlices(this.core);
    let sliceExpired = false;
    for (;;) {
      if (this.core.rwTryRead(this.at, this.host.id)) return true;
      const writer = this.core.rwWriter(this.at);
      if (sliceExpired && writer !== 0 && !this.host.isAlive(writer)) { // liveness only after a quiet slice: it is a system call
        // A dead writer blocks readers; take the writer role, then hand it back
        // (if it had entered, the core marks the lock owner-died for everyone after).
        if (this.core.rwTakeOverWriter(this.at, writer, this.host.id)) this.writeUnlock();
        continue;
      }
      if (deadline.passed) return false;
      const value = this.core.rwReadWaiting(this.at);
      if (value === 0) continue; // the writer left meanwhile
      sliceExpired = slices.quiet(yield { offset: this.#stateAt, value, timeoutMs: deadline.left(slices.ms) });
    }
  }

  /** One try for the writer word: 0 when this thread got it, else the holder's id; throws on misuse. */
  #tryWriterWord(contended: number): number {
    const r = this.core.rwTryWriterWord(this.at, this.host.id, contended);
    if (r === this.constants.ACQUIRED) return 0;
    if (r === this.constants.WOULD_DEADLOCK) throw new ShmError({ code: 'EDEADLK', message: 'this thread already holds the write lock' });
    if (r < 0) throw new ShmError({ code: 'EINVAL', message: `rwlock call failed (${r})` });
    return r;
  }

  /** Sleeps for the writer word: true once this thread has it, false on timeout. */
  *#writerWordSteps(deadline: Deadline, askAtOnce: boolean): Steps<boolean> {
    const id = this.host.id;
    const slices = new LivenessSlices(this.core);
    let sliceExpired = askAtOnce;
    for (let contended = 0; ;) {
      const r = this.#tryWriterWord(contended);
      if (r === 0) return true;
      if (sliceExpired && !this.host.isAlive(r)) {
        if (this.core.rwTakeOverWriter(this.at, r, id)) return true;
        continue;
      }
      if (deadline.passed) return false;
      const value = this.core.markWaiting(this.#writerAt, r);
      if (value === 0) continue;
      sliceExpired = slices.quiet(yield { offset: this.#writerAt, value, timeoutMs: deadline.left(slices.ms) });
      contended = 1; // others may sleep too: keep the flag so our unlock wakes them
    }
  }

  // `askAtOnce`: a try (one attempt) asks whether the writer and the readers
  // in its way are alive at once, as tryLock does, not after a quiet slice.
  *#writeSteps(options: WaitOptions, askAtOnce = false): Steps<LockResult> {
    const deadline = new Deadline(options.timeoutMs);
    const id = this.host.id;
    // Step 1: the writer word (a robust mutex among writers).
    const step1 = yield* spinThenSleep(this.spinner, options.spin, deadline, () => (this.#tryWriterWord(0) === 0 ? true : null),
      () => this.#writerWordSteps(deadline, askAtOnce));
    if (!step1) return 'timed-out';
    // A writer died inside since the last repair, even if a reader then
    // cleared its way: tell this one. (One that died waiting, as this one
    // now does, set nothing.)
    const result: LockResult = this.core.rwOwnerDied(this.at) ? 'owner-died' : 'acquired';
    // Step 2: new readers are turned away; wait for those inside to leave.
    let acquired = false;
    const slices = new LivenessSlices(this.core);
    let quietSlice = askAtOnce;
    try {
      for (;;) {
        const readers = this.core.rwReadersLeft(this.at, id);
        if (readers === 0) {
          acquired = true;
          return result;
        }
        if (this.core.rwWriter(this.at) !== id) { // taken from us: only a peer that scribbled on the lock does that
          acquired = true; // nothing of ours to unlock
          throw new ShmError({ code: 'EPERM', message: 'the write lock was taken from this thread while it waited for readers (the lock\'s memory was overwritten?)' });
        }
        if (quietSlice) {
          quietSlice = false;
          this.#reapDeadReaders();
          continue; // the holds taken back may have been the last
        }
        if (deadline.passed) return 'timed-out';
        quietSlice = slices.quiet(yield { offset: this.#stateAt, value: readers, timeoutMs: deadline.left(slices.ms) });
      }
    } finally {
      if (!acquired) this.writeUnlock(); // timed out or aborted: let readers back in
    }
  }
}
