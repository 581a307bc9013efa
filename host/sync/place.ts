// Where a primitive lives: a byte offset in a core memory (an arena or a
// plain one), and the host that sleeps and wakes for it.
import { invalidArgument } from '../errors.js';
import type { CoreExports } from '../core/core.js';
import type { CoreMemory } from '../core/core-memory.js';
import type { WaitHost } from './wait-host.js';

export interface Place {
  memory: CoreMemory;
  /** Byte offset in the memory; a multiple of 64 (its own cache line). */
  offset: number;
  host: WaitHost;
}

/** What every primitive holds; subclasses add the algorithm. */
export abstract class Primitive {
  protected readonly core: CoreExports;
  protected readonly at: number;
  protected readonly host: WaitHost;
  readonly place: Place;

  protected constructor(place: Place, size: number, what: string) {
    const { memory, offset, host } = place;
    if (!Number.isInteger(offset) || offset < 0 || offset % 64 !== 0 || offset + size > memory.maxBytes) {
      invalidArgument(`${what} must sit at a multiple of 64 bytes inside the memory: offset=${String(offset)}`);
    }
    this.place = place;
    this.core = memory.core;
    this.at = offset;
    this.host = host;
  }
}
