// A single-producer single-consumer ring of variable-length messages in
// shared memory (assembly/channel/spsc.ts). The ring itself only places and
// describes; sending and receiving belong to the role handles it hands out,
// one producer and one consumer at a time.
import { ShmError, invalidArgument } from '../errors.js';
import { coreConstant } from '../core/core.js';
import { layoutCore } from '../core/layout-core.js';
import { Place, Primitive, checkPlace } from '../sync/place.js';
import { SpscConsumer } from './spsc-consumer.js';
import { SpscProducer } from './spsc-producer.js';
import { PRODUCER, CONSUMER, roleCode, type RingAccess, type Role } from './spsc-role.js';
import type { StructType } from '../struct/struct.js';

/** An SPSC ring; `RecordType` is the struct type of its records when it was made with one. */
export class SpscRing<RecordType extends StructType = StructType> extends Primitive {
  /** Data bytes (a power of two). */
  readonly capacity: number;
  /** Largest message: half the ring less a record header (spscMaxMessageFor). */
  readonly maxMessage: number;
  /** The struct type of its records (checked against the stored layout by ManagedSegment.ring), if any. */
  readonly record: RecordType | undefined;

  /** Bytes a ring of `capacity` occupies (header and data); checks that a `record` fits in one message. */
  static bytesFor(capacity: number, record?: StructType): number {
    const core = layoutCore().core;
    const bytes = typeof capacity === 'number' && capacity >= 0 && capacity <= 0xffffffff ? core.spscSize(capacity) >>> 0 : 0;
    if (!Number.isInteger(capacity) || bytes === 0) {
      invalidArgument(`ring capacity must be a power of two from ${coreConstant(core, 'SPSC_MIN_CAPACITY')} to ${coreConstant(core, 'SPSC_MAX_CAPACITY')}: capacity=${String(capacity)}`);
    }
    const most = core.spscMaxMessageFor(capacity);
    if (record && record.size > most) invalidArgument(`a record of ${record.name} (${record.size} bytes) is larger than a ring of ${capacity} bytes carries (${most} bytes: half less a record header)`);
    return bytes;
  }

  /** Formats a ring at `place` (nobody may be using it); `record` types its messages. */
  static create<R extends StructType = StructType>(place: Place, capacity: number, record?: R): SpscRing<R> {
    const bytes = SpscRing.bytesFor(capacity, record);
    const end = checkPlace(place, bytes, 'an SPSC ring');
    place.memory.core.spscInit(place.offset, end, capacity);
    return new SpscRing(place, record);
  }

  /** A ring that already lives at `place`; its capacity is read from its header. */
  static open<R extends StructType = StructType>(place: Place, record?: R): SpscRing<R> {
    return new SpscRing(place, record);
  }

  // The ring's own descriptor (geometry only); each role handle opens its own.
  readonly #d: number;

  private constructor(place: Place, record: RecordType | undefined) {
    super(place, coreConstant(place.memory.core, 'SPSC_HEADER'), 'an SPSC ring');
    this.#d = this.#openDescriptor(this);
    this.capacity = this.core.spscCapacity(this.#d) >>> 0;
    this.maxMessage = this.core.spscMaxMessage(this.#d);
    this.record = record;
  }

  /** A descriptor of this ring for `owner`, its capacity read once and checked (ECORRUPT if it cannot be a ring here). */
  #openDescriptor(owner: object): number {
    return this.place.memory.descriptors.opened(owner, (d) => this.core.spscOpen(d, this.at, this.windowEnd), `the SPSC ring at offset ${this.at}`);
  }

  /** The producer role; EBUSY while another live thread holds it (a dead holder's role is taken over). */
  acquireProducer(): SpscProducer<RecordType> {
    return new SpscProducer(this.#access(PRODUCER));
  }

  /** The consumer role; EBUSY while another live thread holds it. Messages a dead consumer peeked but never released come again. */
  acquireConsumer(): SpscConsumer<RecordType> {
    return new SpscConsumer(this.#access(CONSUMER));
  }

  /** Published bytes not yet released (records, headers and padding). */
  get used(): number {
    return this.core.spscUsed(this.#d) >>> 0;
  }

  // Takes `role` with a descriptor of its own, which the role handle keeps
  // (its cursors live there) and releases on close.
  #access(role: Role): RingAccess<RecordType> {
    const owner = {};
    const d = this.#openDescriptor(owner);
    try {
      this.#acquire(d, role);
    } catch (error) {
      this.place.memory.descriptors.release(owner, d);
      throw error;
    }
    return { core: this.core, memory: this.place.memory, host: this.host, at: this.at, d, owner, maxMessage: this.maxMessage, record: this.record };
  }

  #acquire(d: number, role: Role): void {
    const id = this.host.id;
    for (;;) {
      const holder = this.core.spscAcquire(d, roleCode(this.core, role), id) >>> 0;
      if (holder === 0) return;
      if (holder !== id && !this.host.isAlive(holder)) {
        if (this.core.spscTakeOver(d, roleCode(this.core, role), holder, id)) return;
        continue; // someone else took it over first: ask again
      }
      const who = holder === id ? 'this thread already holds it (close that handle first)' : `thread ${holder} holds it`;
      throw new ShmError({ code: 'EBUSY', message: `the ${role} role of this SPSC ring is taken: ${who}` });
    }
  }
}
