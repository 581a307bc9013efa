// A broadcast channel in shared memory (assembly/channel/broadcast.ts): one
// writer, many readers each with its own cursor, over fixed-size slots. The
// channel only places and describes; writing and reading belong to the
// handles it hands out.
import { ShmError, invalidArgument } from '../errors.js';
import { coreConstant } from '../core/core.js';
import { Place, Primitive } from '../sync/place.js';
import { BroadcastReader } from './broadcast-reader.js';
import { BroadcastWriter } from './broadcast-writer.js';
import { WAKE_WRITER, type ChannelAccess } from './broadcast-end.js';

const MODES = ['backpressure', 'lossy'] as const;
/** backpressure: the writer waits for the slowest live reader. lossy: it never waits; overrun readers count what they lost. */
export type BroadcastMode = (typeof MODES)[number];

export interface BroadcastOptions {
  /** Message slots, a power of two from 2 to 2^24. */
  slots: number;
  /** Largest message in bytes, a multiple of 8 from 8 to 1 MiB. */
  slotSize: number;
  mode?: BroadcastMode;
  /** Readers that may be subscribed at once, 1 to 1024 (default 16). */
  maxReaders?: number;
}

const HEADER = 256;
const READER_SIZE = 64;
const SLOT_HEADER = 16;

export class Broadcast extends Primitive {
  readonly slots: number;
  readonly slotSize: number;
  readonly maxReaders: number;
  readonly mode: BroadcastMode;

  /** Bytes a channel of this shape occupies (header, reader table, slots). */
  static bytesFor(options: BroadcastOptions): number {
    const { slots, slotSize, maxReaders } = checkOptions(options);
    return HEADER + maxReaders * READER_SIZE + slots * (SLOT_HEADER + slotSize);
  }

  /** Formats a channel at `place` (nobody may be using it). */
  static create(place: Place, options: BroadcastOptions): Broadcast {
    const bytes = Broadcast.bytesFor(options);
    if (place.offset + bytes > place.memory.maxBytes) invalidArgument(`a broadcast channel of ${bytes} bytes does not fit at offset ${place.offset}`);
    const { slots, slotSize, maxReaders, mode } = checkOptions(options);
    if (place.memory.core.bcastInit(place.offset, slots, slotSize, maxReaders, MODES.indexOf(mode)) !== 0) invalidArgument(`a broadcast channel of slots=${slots} slotSize=${slotSize} is larger than 4 GiB`);
    return new Broadcast(place);
  }

  /** A channel that already lives at `place`; when `expected` is given its shape must match (ELAYOUT). */
  static open(place: Place, expected?: BroadcastOptions): Broadcast {
    const channel = new Broadcast(place);
    if (expected) {
      const want = checkOptions(expected);
      const differs = (['slots', 'slotSize', 'maxReaders', 'mode'] as const).find((key) => want[key] !== channel[key]);
      if (differs) throw new ShmError({ code: 'ELAYOUT', message: `the broadcast channel at offset ${place.offset} has ${differs}=${channel[differs]}, not ${want[differs]}` });
    }
    return channel;
  }

  private constructor(place: Place) {
    // The header is checked in place before the shape it holds is trusted.
    super(place, coreConstant(place.memory.core, 'BCAST_HEADER'), 'a broadcast channel');
    const core = this.core;
    this.slots = core.bcastSlots(this.at);
    this.slotSize = core.bcastSlotSize(this.at);
    this.maxReaders = core.bcastMaxReaders(this.at);
    const size = core.bcastSize(this.slots, this.slotSize, this.maxReaders) >>> 0;
    const mode = MODES[core.bcastMode(this.at)];
    if (size === 0 || mode === undefined || this.at + size > place.memory.maxBytes) {
      throw new ShmError({ code: 'ELAYOUT', message: `no broadcast channel is formatted at offset ${place.offset}: slots=${this.slots} slotSize=${this.slotSize} maxReaders=${this.maxReaders}` });
    }
    this.mode = mode;
  }

  /** The writer role; EBUSY while another live thread holds it (a dead holder's role is taken over). */
  acquireWriter(): BroadcastWriter {
    const id = this.host.id;
    for (;;) {
      const holder = this.core.bcastAcquireWriter(this.at, id) >>> 0;
      if (holder === 0) return new BroadcastWriter(this.#access());
      if (holder !== id && !this.host.isAlive(holder)) {
        if (this.core.bcastTakeOverWriter(this.at, holder, id)) return new BroadcastWriter(this.#access());
        continue; // someone else took it over first: ask again
      }
      const who = holder === id ? 'this thread already holds it (close that handle first)' : `thread ${holder} holds it`;
      throw new ShmError({ code: 'EBUSY', message: `the writer role of this broadcast channel is taken: ${who}` });
    }
  }

  /**
   * A new reader, starting at the current end. When every reader entry is
   * taken, entries of dead readers are freed first; EBUSY if none is.
   */
  subscribe(): BroadcastReader {
    let index = this.core.bcastSubscribe(this.at, this.host.id);
    if (index < 0 && this.#dropDeadReaders()) index = this.core.bcastSubscribe(this.at, this.host.id);
    if (index < 0) throw new ShmError({ code: 'EBUSY', message: `all ${this.maxReaders} reader entries of this broadcast channel are taken by live readers; close one, or make the channel with a larger maxReaders` });
    this.host.wake(this.#progressWord, 1); // a sleeping writer may have counted this entry's old cursor
    return new BroadcastReader(this.#access(), index);
  }

  /** Messages published since the channel was made. */
  get published(): number {
    return this.core.bcastPublished(this.at);
  }

  #dropDeadReaders(): boolean {
    let dropped = false;
    for (let i = 0; i < this.maxReaders; i++) {
      const holder = this.core.bcastReaderHolder(this.at, i) >>> 0;
      if (holder === 0 || this.host.isAlive(holder)) continue;
      if (this.core.bcastUnsubscribe(this.at, i, holder) & WAKE_WRITER) this.host.wake(this.#progressWord, 1);
      dropped = true;
    }
    return dropped;
  }

  get #progressWord(): number {
    return this.at + coreConstant(this.core, 'BCAST_PROGRESS');
  }

  #access(): ChannelAccess {
    return { core: this.core, memory: this.place.memory, host: this.host, at: this.at, slotSize: this.slotSize };
  }
}

function checkOptions(options: BroadcastOptions): Required<BroadcastOptions> {
  if (options === null || typeof options !== 'object') invalidArgument('broadcast options must be { slots, slotSize, mode?, maxReaders? }');
  const { slots, slotSize, mode = 'backpressure', maxReaders = 16 } = options;
  if (!Number.isInteger(slots) || slots < 2 || slots > 1 << 24 || (slots & (slots - 1)) !== 0) invalidArgument(`broadcast slots must be a power of two from 2 to 2^24: slots=${String(slots)}`);
  if (!Number.isInteger(slotSize) || slotSize < 8 || slotSize > 1 << 20 || slotSize % 8 !== 0) invalidArgument(`broadcast slotSize must be a multiple of 8 from 8 to 1 MiB: slotSize=${String(slotSize)}`);
  if (!Number.isInteger(maxReaders) || maxReaders < 1 || maxReaders > 1024) invalidArgument(`broadcast maxReaders must be from 1 to 1024: maxReaders=${String(maxReaders)}`);
  if (!MODES.includes(mode)) invalidArgument(`broadcast mode must be 'backpressure' or 'lossy': mode=${String(mode)}`);
  return { slots, slotSize, mode, maxReaders };
}
