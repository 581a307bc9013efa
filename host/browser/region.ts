// A named range of whole units of a plain arena, claimed from the core's
// window table: what a kernel segment is on Linux. A ManagedSegment formats
// it; raw users get its bytes and places for primitives.
import { ShmError, invalidArgument } from '../errors.js';
import type { CoreMemory, UnitRange } from '../core/core-memory.js';
import type { Holder, SegmentLike } from '../format/segment-like.js';
import type { Place } from '../sync/place.js';
import { atomicsWaitHost } from '../wait/atomics-wait-host.js';
import type { WaitHost } from '../wait/index.js';

/** What another thread needs to find a region: its name and where it lies. */
export interface RegionInfo {
  readonly name: string;
  /** Byte offset in the arena's memory (a whole unit). */
  readonly offset: number;
  readonly size: number;
}

export class Region implements SegmentLike, Disposable {
  readonly arena: CoreMemory;
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  /** Plain memories have no read-only attachments. */
  readonly readOnly = false;
  // The units, when this thread claimed them (and so gives them back); a
  // region learnt from another thread leaves them to their claimer.
  readonly #claimed: UnitRange | undefined;
  readonly #onClose: (region: Region) => void;
  #closed = false;

  /** Made by PlainArena (region(), or a shared message); not by hand. */
  constructor(arena: CoreMemory, info: RegionInfo, claimed: UnitRange | undefined, onClose: (region: Region) => void) {
    this.arena = arena;
    this.name = info.name;
    this.offset = info.offset;
    this.size = info.size;
    this.#claimed = claimed;
    this.#onClose = onClose;
  }

  get description(): string {
    return `region '${this.name}'`;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether this thread claimed the units (and gives them back on close). */
  get owned(): boolean {
    return this.#claimed !== undefined;
  }

  /** Atomics.wait in workers, Atomics.waitAsync on a page (its sync waits are refused with ENOTSUP). */
  get waitHost(): WaitHost {
    return atomicsWaitHost(this.arena);
  }

  /** This thread to a formatted region's init claim, directory lock and user table (a page has no processes to tell apart). */
  get holder(): Holder {
    const host = this.waitHost;
    return {
      id: host.id,
      user: { pid: host.id, start: 0n, namespace: 0 },
      judge: (user) => (host.isAlive(user.pid) ? 'alive' : 'dead'),
    };
  }

  get info(): RegionInfo {
    return { name: this.name, offset: this.offset, size: this.size };
  }

  /** The region's bytes: a view of the arena's SharedArrayBuffer, no copy. */
  get bytes(): Uint8Array {
    this.#assertOpen();
    return this.arena.bytes(this.offset, this.size);
  }

  get view(): DataView {
    this.#assertOpen();
    return new DataView(this.arena.memory.buffer, this.offset, this.size);
  }

  /** Where a primitive at `offset` of this (raw) region lives: pass it to Mutex.create / SpscRing.open and friends. */
  place(offset = 0): Place {
    this.#assertOpen();
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.size) invalidArgument(`place: offset must be inside the ${this.size} bytes of ${this.description}: offset=${String(offset)}`);
    return { memory: this.arena, offset: this.offset + offset, end: this.offset + this.size, host: this.waitHost };
  }

  /**
   * Stops using the region; its claimer also gives the units back, so close
   * it there only when no other thread uses it any more. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#claimed) this.arena.releaseUnits(this.#claimed);
    this.#onClose(this);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new ShmError({ code: 'EBADF', message: `${this.description} is closed; make or join it again` });
  }
}
