// What every mapped segment offers, whatever the kernel object behind it.
import { ShmError, invalidArgument, type ShmErrorTarget } from '../errors.js';
import type { Arena, Window } from '../arena/arena.js';
import { ReadOnlyView } from '../core/read-only-view.js';
import { checkOptions } from '../core/validate.js';
import { structAt, type StructRef } from '../struct/accessors.js';
import type { StructType } from '../struct/struct.js';
import { Table } from '../struct/table.js';
import type { Place } from '../sync/place.js';
import type { WaitHost } from '../wait/index.js';
import { linuxWaitHost } from '../linux/wait-host.js';
import { processHolder } from '../linux/process-identity.js';
import type { Holder, SegmentLike } from '../format/segment-like.js';

/** Test patterns the core can write and verify. */
export type PatternName = 'mod256';

export interface RangeOptions {
  /** First byte of the range (default 0). Pattern bytes keep their segment position. */
  offset?: number;
  /** Bytes in the range (default: to the end). */
  length?: number;
  /** Called between chunks with bytes done and bytes in all. */
  onProgress?: (done: number, total: number) => void;
}

// Large segments are processed in chunks so progress can be reported.
const CHUNK = 16 * 1024 * 1024;

export abstract class Segment implements SegmentLike, Disposable {
  /** Size in bytes, as asked (or as the kernel object reports). */
  readonly size: number;
  /** Bytes actually mapped: `size` rounded up to whole pages. */
  readonly mappedSize: number;
  readonly readOnly: boolean;
  readonly arena: Arena;
  readonly #window: Window;
  #closed = false;
  // One DataView for every struct and table of this segment, so their
  // accessor classes are made once and shared.
  #structView: DataView | undefined;

  protected constructor(arena: Arena, window: Window, size: number, mappedSize: number, readOnly: boolean) {
    this.arena = arena;
    this.#window = window;
    this.size = size;
    this.mappedSize = mappedSize;
    this.readOnly = readOnly;
  }

  /** A short name for messages: `key 0x…`, `'/name'`, a path. */
  abstract get description(): string;
  protected abstract get target(): ShmErrorTarget;

  /** Byte offset of the segment inside the arena memory (and so inside its Wasm address space). */
  get offset(): number {
    return this.#window.offset;
  }

  /** Process address of the first byte, for FFI callers. */
  get address(): number {
    return this.#window.address;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** How waiters on this segment's locks and channels sleep: futex(2). */
  get waitHost(): WaitHost {
    return linuxWaitHost(this.arena);
  }

  /** This process to a formatted segment's init claim and directory lock. */
  get holder(): Holder {
    return processHolder;
  }

  /** The segment's bytes: a Uint8Array over the arena's SharedArrayBuffer, no copy. */
  get bytes(): Uint8Array {
    this.#assertWritable('bytes');
    return this.arena.bytes(this.offset, this.size);
  }

  /** A DataView over the segment's bytes. */
  get view(): DataView {
    this.#assertWritable('view');
    return new DataView(this.arena.memory.buffer, this.offset, this.size);
  }

  /** Read-only access that works for every attachment, read-only ones included. */
  get reader(): ReadOnlyView {
    this.assertOpen();
    return new ReadOnlyView(new DataView(this.arena.memory.buffer, this.offset, this.size));
  }

  /** Int32Array over the segment, for Atomics (length: whole 4-byte words). */
  get int32(): Int32Array {
    this.#assertWritable('int32');
    return new Int32Array(this.arena.memory.buffer, this.offset, this.size >>> 2);
  }

  /** A struct in place at `offset` of a raw segment (read-only attachments give getters only). */
  struct<S extends StructType>(type: S, offset = 0): StructRef<S> {
    this.assertOpen();
    this.#structView ??= new DataView(this.arena.memory.buffer, this.offset, this.size);
    return structAt(type, this.#structView, offset, !this.readOnly);
  }

  /** A table of `count` structs at `offset` of a raw segment (default: as many as fit). */
  table<S extends StructType>(type: S, options: { offset?: number; count?: number } = {}): Table<S> {
    this.assertOpen();
    const o = checkOptions<{ offset?: number; count?: number }>(options, ['offset', 'count'], 'table');
    const offset = o.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > this.size) invalidArgument(`table: offset must be inside the ${this.size} bytes: offset=${String(o.offset)}`, this.target);
    const count = o.count ?? Math.floor((this.size - offset) / type.size);
    if (!Number.isSafeInteger(count) || count < 0 || offset + count * type.size > this.size) {
      invalidArgument(`table: ${String(count)} × ${type.size}-byte ${type.name} at offset ${offset} does not fit in ${this.size} bytes`, this.target);
    }
    return new Table(type, { memory: this.arena, offset: this.offset + offset, count, writable: !this.readOnly });
  }

  /**
   * Where a shared-memory primitive at `offset` of this raw segment lives:
   * pass it to Mutex.create / Mutex.open and friends. Waits use futex(2).
   */
  place(offset = 0): Place {
    this.assertOpen();
    if (this.readOnly) throw new ShmError({ code: 'EACCES', message: `${this.description} is attached read-only; locks need write access`, ...this.target });
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.size) invalidArgument(`place: offset must be inside the ${this.size} bytes: offset=${String(offset)}`, this.target);
    return { memory: this.arena, offset: this.offset + offset, end: this.offset + this.size, host: this.waitHost };
  }

  /** Fills the segment with a test pattern, in the Wasm core. */
  writePattern(pattern: PatternName = 'mod256', options: RangeOptions = {}): void {
    checkPattern(pattern);
    this.#assertWritable('writePattern');
    this.#chunks(options, 'writePattern', (at, length) => {
      this.arena.core.patternFill(this.offset + at, length, at);
      return true;
    });
  }

  /** Checks the pattern in the Wasm core: -1 if every byte holds, else the first bad segment offset. */
  verifyPattern(pattern: PatternName = 'mod256', options: RangeOptions = {}): number {
    checkPattern(pattern);
    this.assertOpen();
    let bad = -1;
    this.#chunks(options, 'verifyPattern', (at, length) => {
      const good = this.arena.core.patternMatchLength(this.offset + at, length, at);
      if (good < length) bad = at + good;
      return bad < 0;
    });
    return bad;
  }

  /** CRC-32 (as zlib computes it) of the segment's bytes (or a range), in the Wasm core. */
  crc32(options: RangeOptions = {}): number {
    this.assertOpen();
    let crc = 0;
    this.#chunks(options, 'crc32', (at, length) => {
      crc = this.arena.core.crc32(this.offset + at, length, crc);
      return true;
    });
    return crc >>> 0;
  }

  /**
   * Detaches: the window is re-covered with anonymous pages (so stale views
   * read zeros instead of crashing) and returned to the arena. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.arena.release(this.#window);
    } finally {
      this.afterDetach();
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Releases what the subclass holds besides the mapping (a descriptor). */
  protected afterDetach(): void {}

  protected assertOpen(): void {
    if (this.#closed) {
      throw new ShmError({ code: 'EBADF', message: `${this.description} is closed; open it again to use it`, ...this.target });
    }
  }

  #assertWritable(what: string): void {
    this.assertOpen();
    if (this.readOnly) {
      throw new ShmError({
        code: 'EACCES',
        message: `${this.description} is attached read-only, so ${what} is not available; read through .reader, or attach read-write`,
        ...this.target,
      });
    }
  }

  #chunks(options: RangeOptions, where: string, step: (at: number, length: number) => boolean): void {
    const o = checkOptions<RangeOptions>(options, ['offset', 'length', 'onProgress'], where);
    const start = o.offset ?? 0;
    if (!Number.isSafeInteger(start) || start < 0 || start > this.size) {
      invalidArgument(`${where}: offset must be from 0 to the size ${this.size}: offset=${String(o.offset)}`, this.target);
    }
    const total = o.length ?? this.size - start;
    if (!Number.isSafeInteger(total) || total < 0 || start + total > this.size) {
      invalidArgument(`${where}: length must keep the range inside the ${this.size} bytes: offset=${start} length=${String(o.length)}`, this.target);
    }
    for (let done = 0; done < total; done += CHUNK) {
      const length = Math.min(CHUNK, total - done);
      // A verify that finds a bad byte stops here: progress says how far it got, not 100%.
      if (!step(start + done, length)) return;
      o.onProgress?.(done + length, total);
    }
  }
}

function checkPattern(pattern: string): void {
  if (pattern !== 'mod256') invalidArgument(`unknown pattern '${pattern}': shmkit knows 'mod256'`);
}
