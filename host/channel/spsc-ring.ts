// A single-producer single-consumer ring of variable-length messages in
// shared memory (assembly/channel/spsc.ts). The ring itself only places and
// describes; sending and receiving belong to the role handles it hands out,
// one producer and one consumer at a time.
import { ShmError, invalidArgument } from '../errors.js';
import { coreConstant } from '../core/core.js';
import { Place, Primitive } from '../sync/place.js';
import { SpscConsumer } from './spsc-consumer.js';
import { SpscProducer } from './spsc-producer.js';
import { PRODUCER, CONSUMER, type RingAccess, type Role } from './spsc-role.js';
import type { StructType } from '../struct/struct.js';

const MIN_CAPACITY = 64;
const MAX_CAPACITY = 1 << 30;

export class SpscRing extends Primitive {
  /** Header bytes before the data. */
  static readonly HEADER = 384;
  /** Data bytes (a power of two). */
  readonly capacity: number;
  /** Largest message: half the ring less its 8-byte record header. */
  readonly maxMessage: number;
  /** The struct type of its records (checked against the stored layout by ManagedSegment.ring), if any. */
  readonly record: StructType | undefined;

  /** Bytes a ring of `capacity` occupies (header and data); checks that a `record` fits in one message. */
  static bytesFor(capacity: number, record?: StructType): number {
    if (!Number.isInteger(capacity) || capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || (capacity & (capacity - 1)) !== 0) {
      invalidArgument(`ring capacity must be a power of two from ${MIN_CAPACITY} to 2^30: capacity=${String(capacity)}`);
    }
    if (record && record.size > capacity / 2 - 8) invalidArgument(`a record of ${record.name} (${record.size} bytes) is larger than a ring of ${capacity} bytes carries (half less an 8-byte header)`);
    return SpscRing.HEADER + capacity;
  }

  /** Formats a ring at `place` (nobody may be using it); `record` types its messages. */
  static create(place: Place, capacity: number, record?: StructType): SpscRing {
    const bytes = SpscRing.bytesFor(capacity, record);
    if (place.offset + bytes > place.memory.maxBytes) invalidArgument(`an SPSC ring of ${bytes} bytes does not fit at offset ${place.offset}`);
    place.memory.core.spscInit(place.offset, capacity);
    return new SpscRing(place, record);
  }

  /** A ring that already lives at `place`; its capacity is read from its header. */
  static open(place: Place, record?: StructType): SpscRing {
    return new SpscRing(place, record);
  }

  private constructor(place: Place, record: StructType | undefined) {
    // The header is checked in place before the capacity it holds is trusted.
    super(place, coreConstant(place.memory.core, 'SPSC_HEADER'), 'an SPSC ring');
    const capacity = this.core.spscCapacity(this.at) >>> 0;
    if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || (capacity & (capacity - 1)) !== 0 || this.at + SpscRing.HEADER + capacity > place.memory.maxBytes) {
      throw new ShmError({ code: 'ELAYOUT', message: `no SPSC ring is formatted at offset ${place.offset}: its capacity word reads ${capacity}` });
    }
    this.capacity = capacity;
    this.maxMessage = this.core.spscMaxMessage(this.at);
    this.record = record;
  }

  /** The producer role; EBUSY while another live thread holds it (a dead holder's role is taken over). */
  acquireProducer(): SpscProducer {
    this.#acquire(PRODUCER);
    return new SpscProducer(this.#access());
  }

  /** The consumer role; EBUSY while another live thread holds it. Messages a dead consumer peeked but never released come again. */
  acquireConsumer(): SpscConsumer {
    this.#acquire(CONSUMER);
    return new SpscConsumer(this.#access());
  }

  /** Published bytes not yet released (records, headers and padding). */
  get used(): number {
    return this.core.spscUsed(this.at) >>> 0;
  }

  #access(): RingAccess {
    return { core: this.core, memory: this.place.memory, host: this.host, at: this.at, maxMessage: this.maxMessage, record: this.record };
  }

  #acquire(role: Role): void {
    const id = this.host.id;
    for (;;) {
      const holder = this.core.spscAcquire(this.at, role, id) >>> 0;
      if (holder === 0) return;
      if (holder !== id && !this.host.isAlive(holder)) {
        if (this.core.spscTakeOver(this.at, role, holder, id)) return;
        continue; // someone else took it over first: ask again
      }
      const who = holder === id ? 'this thread already holds it (close that handle first)' : `thread ${holder} holds it`;
      throw new ShmError({ code: 'EBUSY', message: `the ${role === PRODUCER ? 'producer' : 'consumer'} role of this SPSC ring is taken: ${who}` });
    }
  }
}
