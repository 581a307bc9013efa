// Where a primitive lives: a byte offset in a core memory (an arena or a
// plain one), the end of the window it may use, and the host that sleeps
// and wakes for it.
import { invalidArgument } from '../errors.js';
import { coreConstants, type CoreConstants, type CoreExports } from '../core/core.js';
import { CoreMemory } from '../core/core-memory.js';
import { Spinner, type WaitHost } from '../wait/index.js';

export interface Place {
  memory: CoreMemory;
  /** Byte offset in the memory; a multiple of 64 (its own cache line). */
  offset: number;
  host: WaitHost;
  /**
   * One past the last byte the object may use: the end of its segment, or
   * of its directory entry. Without it, the end of the memory.
   */
  end?: number;
}

/**
 * Checks, before anything is written, that `size` bytes at `place` lie at
 * a multiple of 64 inside its window (and above the core's statics).
 * Returns the window's end as the core takes it (a wasm32 address: a
 * window ending at 4 GiB ends one byte short of it there).
 */
export function checkPlace(place: Place, size: number, what: string): number {
  if (place === null || typeof place !== 'object' || !(place.memory instanceof CoreMemory) || place.host === null || typeof place.host !== 'object') {
    invalidArgument(`${what}: place must be { memory, offset, host } as segment.place(offset) returns it`);
  }
  const { memory, offset } = place;
  const end = place.end ?? memory.maxBytes;
  if (!Number.isSafeInteger(end) || end < 0 || end > memory.maxBytes) invalidArgument(`${what}: place.end must be a byte offset inside the memory: end=${String(place.end)}`);
  const line = coreConstants(memory.core).CACHE_LINE;
  if (!Number.isSafeInteger(offset) || offset % line !== 0 || offset < memory.staticsEnd || offset > end || size > end - offset) {
    invalidArgument(`${what} of ${size} bytes must sit at a multiple of ${line} bytes inside its window, which ends at ${end}: offset=${String(offset)}`);
  }
  return Math.min(end, LAST_ADDRESS);
}

const LAST_ADDRESS = 0xffffffff;

/** What every primitive holds; subclasses add the algorithm. */
export abstract class Primitive {
  protected readonly core: CoreExports;
  /** The core's numbers: sizes, offsets and the codes its calls return. */
  protected readonly constants: CoreConstants;
  protected readonly at: number;
  /** One past the last byte of this primitive's window. */
  protected readonly windowEnd: number;
  protected readonly host: WaitHost;
  /** How long this handle's waits spin before they sleep. */
  protected readonly spinner: Spinner;
  readonly place: Place;

  protected constructor(place: Place, size: number, what: string) {
    this.windowEnd = checkPlace(place, size, what);
    this.place = place;
    this.core = place.memory.core;
    this.constants = coreConstants(this.core);
    this.at = place.offset;
    this.host = place.host;
    this.spinner = new Spinner(this.core);
  }
}
