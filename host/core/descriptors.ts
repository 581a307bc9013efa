// Process-private descriptors (assembly/descriptor.ts): blocks of the core
// memory that no segment maps, where the core keeps an object's geometry
// as checked when it was opened, and the cursors that only this handle
// moves. They come from units this memory claims for itself (so another
// process cannot write them); a handle's block returns to the pool when
// the handle closes, or when it is collected.
import { coreConstant } from './core.js';
import { corruption } from './corruption.js';
import type { CoreMemory } from './core-memory.js';

export class Descriptors {
  readonly #memory: CoreMemory;
  readonly #size: number;
  readonly #free: number[] = [];
  readonly #collected = new FinalizationRegistry<number>((d) => this.#free.push(d));

  constructor(memory: CoreMemory) {
    this.#memory = memory;
    this.#size = coreConstant(memory.core, 'DESCRIPTOR_SIZE');
  }

  /** A descriptor for `owner`; it returns to the pool with release(owner, d) or when `owner` is collected. */
  take(owner: object): number {
    if (this.#free.length === 0) this.#grow();
    const d = this.#free.pop()!;
    this.#collected.register(owner, d, owner);
    return d;
  }

  /**
   * A descriptor for `owner`, filled by the core's open call `open` (which
   * answers FAULT_NONE or a fault): ECORRUPT, naming `what`, when the bytes
   * cannot be that object.
   */
  opened(owner: object, open: (d: number) => number, what: string): number {
    const d = this.take(owner);
    if (open(d) !== 0) {
      const error = corruption(this.#memory.core, d, what);
      this.release(owner, d);
      throw error;
    }
    return d;
  }

  /** Makes `to` the owner of `from`'s descriptor `d`: it returns to the pool when `to` is collected. */
  hand(from: object, to: object, d: number): void {
    if (this.#collected.unregister(from)) this.#collected.register(to, d, to);
  }

  release(owner: object, d: number): void {
    if (this.#collected.unregister(owner)) this.#free.push(d);
  }

  #grow(): void {
    const range = this.#memory.claimUnits(1, 1); // kept for this memory's life: descriptors are reused
    for (let d = range.offset + range.length - this.#size; d >= range.offset; d -= this.#size) this.#free.push(d);
  }
}
