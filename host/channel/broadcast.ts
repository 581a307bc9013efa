// A broadcast channel in shared memory (assembly/channel/broadcast.ts): one
// writer, many readers each with its own cursor, over fixed-size slots. The
// channel only places and describes; writing and reading belong to the
// handles it hands out.
import { ShmError, invalidArgument } from '../errors.js';
import { coreConstant, type CoreConstant } from '../core/core.js';
import { layoutCore } from '../core/layout-core.js';
import { checkOptions } from '../core/validate.js';
import { Place, Primitive, checkPlace } from '../sync/place.js';
import { BroadcastReader } from './broadcast-reader.js';
import { BroadcastWriter } from './broadcast-writer.js';
import type { ChannelAccess } from './broadcast-end.js';

/** The modes by their name here, and the core's name of their code. */
const MODE_CODES = { backpressure: 'BCAST_BACKPRESSURE', lossy: 'BCAST_LOSSY' } as const satisfies Record<string, CoreConstant>;
const MODES = Object.keys(MODE_CODES) as (keyof typeof MODE_CODES)[];
/** backpressure: the writer waits for the slowest live reader. lossy: it never waits; overrun readers count what they lost. */
export type BroadcastMode = keyof typeof MODE_CODES;

export interface BroadcastOptions {
  /** Message slots, a power of two from 2 to 2^24. */
  slots: number;
  /** Largest message in bytes, a multiple of 8 from 8 to 1 MiB. */
  slotSize: number;
  mode?: BroadcastMode;
  /** Readers that may be subscribed at once, 1 to 1024 (default 16). */
  maxReaders?: number;
}

export class Broadcast extends Primitive {
  readonly slots: number;
  readonly slotSize: number;
  readonly maxReaders: number;
  readonly mode: BroadcastMode;
  /** The channel's own descriptor (geometry only); each writer and reader handle opens its own. */
  readonly #d: number;

  /** Bytes a channel of this shape occupies (header, reader table, slots). */
  static bytesFor(options: BroadcastOptions): number {
    const { slots, slotSize, maxReaders } = checkShape(options);
    const bytes = layoutCore().core.bcastSize(slots, slotSize, maxReaders) >>> 0;
    if (bytes === 0) invalidArgument(`a broadcast channel of slots=${slots} slotSize=${slotSize} maxReaders=${maxReaders} is larger than 4 GiB`);
    return bytes;
  }

  /** Formats a channel at `place` (nobody may be using it). */
  static create(place: Place, options: BroadcastOptions): Broadcast {
    const bytes = Broadcast.bytesFor(options);
    const end = checkPlace(place, bytes, 'a broadcast channel');
    const { slots, slotSize, maxReaders, mode } = checkShape(options);
    place.memory.core.bcastInit(place.offset, end, slots, slotSize, maxReaders, coreConstant(place.memory.core, MODE_CODES[mode]));
    return new Broadcast(place);
  }

  /** A channel that already lives at `place`; when `expected` is given its shape must match (ELAYOUT). */
  static open(place: Place, expected?: BroadcastOptions): Broadcast {
    const want = expected === undefined ? undefined : checkShape(expected);
    const channel = new Broadcast(place);
    if (want) {
      const differs = (['slots', 'slotSize', 'maxReaders', 'mode'] as const).find((key) => want[key] !== channel[key]);
      if (differs) throw new ShmError({ code: 'ELAYOUT', message: `the broadcast channel at offset ${place.offset} has ${differs}=${channel[differs]}, not ${want[differs]}` });
    }
    return channel;
  }

  private constructor(place: Place) {
    super(place, coreConstant(place.memory.core, 'BCAST_HEADER'), 'a broadcast channel');
    this.#d = this.#openDescriptor(this);
    const core = this.core;
    this.slots = core.bcastSlots(this.#d) >>> 0;
    this.slotSize = core.bcastSlotSize(this.#d) >>> 0;
    this.maxReaders = core.bcastMaxReaders(this.#d) >>> 0;
    const mode = core.bcastMode(this.#d);
    this.mode = MODES.find((name) => coreConstant(core, MODE_CODES[name]) === mode)!; // bcastOpen checked it is one
  }

  /** A descriptor of this channel for `owner`, its shape read once and checked (ECORRUPT if it cannot be a channel here). */
  #openDescriptor(owner: object): number {
    return this.place.memory.descriptors.opened(owner, (d) => this.core.bcastOpen(d, this.at, this.windowEnd), `the broadcast channel at offset ${this.at}`);
  }

  /** The writer role; EBUSY while another live thread holds it (a dead holder's role is taken over). */
  acquireWriter(): BroadcastWriter {
    return new BroadcastWriter(this.#access((d) => this.#acquireWriter(d)));
  }

  #acquireWriter(d: number): void {
    const id = this.host.id;
    for (;;) {
      const holder = this.core.bcastAcquireWriter(d, id) >>> 0;
      if (holder === 0) return;
      if (holder !== id && !this.host.isAlive(holder)) {
        if (this.core.bcastTakeOverWriter(d, holder, id)) return;
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
    let index = -1;
    const access = this.#access((d) => {
      index = this.core.bcastSubscribe(d, this.host.id);
      if (index < 0 && this.#dropDeadReaders()) index = this.core.bcastSubscribe(d, this.host.id);
      if (index < 0) throw new ShmError({ code: 'EBUSY', message: `all ${this.maxReaders} reader entries of this broadcast channel are taken by live readers; close one, or make the channel with a larger maxReaders` });
    });
    this.host.wake(this.#progressWord, 1); // a sleeping writer may have counted this entry's old cursor
    return new BroadcastReader(access, index);
  }

  /** Messages published since the channel was made. */
  get published(): number {
    return this.core.bcastPublished(this.#d);
  }

  #dropDeadReaders(): boolean {
    let dropped = false;
    for (let i = 0; i < this.maxReaders; i++) {
      const holder = this.core.bcastReaderHolder(this.#d, i) >>> 0;
      if (holder === 0 || this.host.isAlive(holder)) continue;
      if (this.core.bcastUnsubscribe(this.#d, i, holder) & coreConstant(this.core, 'BCAST_WAKE_WRITER')) this.host.wake(this.#progressWord, 1);
      dropped = true;
    }
    return dropped;
  }

  get #progressWord(): number {
    return this.at + coreConstant(this.core, 'BCAST_PROGRESS');
  }

  // A handle's own descriptor, after `take` (taking the writer role, or a
  // reader entry) succeeded with it; released again if it failed.
  #access(take: (d: number) => void): ChannelAccess {
    const owner = {};
    const d = this.#openDescriptor(owner);
    try {
      take(d);
    } catch (error) {
      this.place.memory.descriptors.release(owner, d);
      throw error;
    }
    return { core: this.core, memory: this.place.memory, host: this.host, at: this.at, d, owner, slotSize: this.slotSize };
  }
}

function checkShape(options: BroadcastOptions): Required<BroadcastOptions> {
  if (options === null || typeof options !== 'object') invalidArgument('broadcast options must be { slots, slotSize, mode?, maxReaders? }');
  const { slots, slotSize, mode = 'backpressure', maxReaders = 16 } = checkOptions<BroadcastOptions>(options, ['slots', 'slotSize', 'mode', 'maxReaders'], 'broadcast');
  const c = (name: CoreConstant) => coreConstant(layoutCore().core, name);
  const [fewest, most, step, largest, readers] = [c('BCAST_MIN_SLOTS'), c('BCAST_MAX_SLOTS'), c('BCAST_SLOT_ALIGN'), c('BCAST_MAX_SLOT_SIZE'), c('BCAST_MAX_READERS')];
  if (!Number.isInteger(slots) || slots < fewest || slots > most || (slots & (slots - 1)) !== 0) invalidArgument(`broadcast slots must be a power of two from ${fewest} to ${most}: slots=${String(slots)}`);
  if (!Number.isInteger(slotSize) || slotSize < step || slotSize > largest || slotSize % step !== 0) invalidArgument(`broadcast slotSize must be a multiple of ${step} from ${step} to ${largest}: slotSize=${String(slotSize)}`);
  if (!Number.isInteger(maxReaders) || maxReaders < 1 || maxReaders > readers) invalidArgument(`broadcast maxReaders must be from 1 to ${readers}: maxReaders=${String(maxReaders)}`);
  if (!MODES.includes(mode)) invalidArgument(`broadcast mode must be 'backpressure' or 'lossy': mode=${String(mode)}`);
  return { slots, slotSize, mode, maxReaders };
}
