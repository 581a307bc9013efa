// A sequence lock: one writer, many readers that never see a torn record
// (assembly/sync/seqlock.ts). Reads copy the bytes; a struct type can be
// laid over the copy.
import { ShmError, invalidArgument } from '../errors.js';
import { coreConstant } from '../core/core.js';
import { layoutCore } from '../core/layout-core.js';
import { Place, Primitive } from './place.js';
import { Deadline } from './wait-host.js';

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
    this.#check(data.length);
    const memory = this.place.memory;
    const scratch = memory.scratch(data.length);
    memory.bytes(scratch, data.length).set(data);
    this.core.seqWrite(this.at, this.host.id, scratch, data.length);
  }

  /**
   * A consistent copy of the first `length` bytes, retried while a write is
   * in progress. A writer that died mid-update is detected: its partial data
   * is returned no more; the read fails with EOWNERDEAD once.
   */
  read(length = this.capacity, options: { timeoutMs?: number } = {}): Uint8Array {
    this.#check(length);
    const deadline = new Deadline(options.timeoutMs ?? 1000);
    const memory = this.place.memory;
    const scratch = memory.scratch(length);
    for (let attempt = 0; ; attempt++) {
      if (this.core.seqRead(this.at, scratch, length) === this.constants.SEQ_OK) return memory.bytes(scratch, length).slice();
      if ((attempt & 1023) !== 1023) continue;
      const writer = this.core.seqWriter(this.at);
      if (writer !== 0 && !this.host.isAlive(writer) && this.core.seqRecover(this.at, writer)) {
        throw new ShmError({ code: 'EOWNERDEAD', message: 'the seqlock writer died mid-update; the data holds a partial write until the next write' });
      }
      if (deadline.passed) throw new ShmError({ code: 'ETIMEDOUT', message: 'timed out waiting for a seqlock write to finish' });
    }
  }

  /** Updates since creation (each write adds 2). */
  get sequence(): number {
    return this.core.seqSequence(this.at);
  }

  #check(length: number): void {
    if (!Number.isInteger(length) || length < 0 || length > this.capacity) {
      invalidArgument(`seqlock data must be at most ${this.capacity} bytes: length=${String(length)}`);
    }
  }
}
