// The directory of a formatted segment: named entries, each with a kind,
// a place in the segment and the layout of what it holds. Changes are made
// under the directory lock; entries are read from private copies the core
// checked, because the segment's bytes are anyone's to scribble on.
import { ShmError, invalidArgument } from '../errors.js';
import { coreConstant, type CoreConstant, type CoreExports } from '../core/core.js';
import { corruption } from '../core/corruption.js';
import { describeValue } from '../core/validate.js';
import { StructType } from '../struct/struct.js';
import { Backoff } from '../wait/backoff.js';
import type { SegmentLike } from './segment-like.js';

/** Object kinds by their name here, and the core's name of the code stored in directory entries (assembly/format/kinds.ts). */
const KIND_CODES = {
  bytes: 'KIND_BYTES', struct: 'KIND_STRUCT', table: 'KIND_TABLE',
  mutex: 'KIND_MUTEX', semaphore: 'KIND_SEMAPHORE', condition: 'KIND_CONDVAR', barrier: 'KIND_BARRIER', event: 'KIND_EVENT',
  once: 'KIND_ONCE', rwlock: 'KIND_RWLOCK', seqlock: 'KIND_SEQLOCK',
  ring: 'KIND_SPSC',
  queue: 'KIND_MPMC',
  broadcast: 'KIND_BCAST',
} as const satisfies Record<string, CoreConstant>;
export type KindName = keyof typeof KIND_CODES;

// A directory entry is read again when it changed while it was copied; this many times is no race, but a writer that never stops.
const READ_TRIES = 64;

/** How to place bytes: `{ bytes: 4096, align: 64 }`. */
export interface BytesSpec {
  bytes: number;
  align?: number;
}
/** A table of `count` records of a struct type. */
export interface TableSpec<S extends StructType = StructType> {
  table: S;
  count: number;
}
export type ObjectSpec = BytesSpec | StructType | TableSpec;

/** Raw bytes recorded under a primitive's kind, with the layout of what it carries and the parameter it was made with (only made by ManagedSegment itself). */
export type PrimitiveSpec = BytesSpec & { kind: KindName; layout?: StructType | undefined; count: number };

/** What the directory says about one object. */
export interface ObjectInfo {
  name: string;
  kind: KindName | `kind ${number}`;
  /** Byte offset from the segment's start. */
  offset: number;
  size: number;
  align: number;
  layoutHash: bigint;
  /** The stored layout description (structs and tables). */
  layout: string | null;
  /** Records (tables). */
  count: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class Directory {
  readonly segment: SegmentLike;
  readonly core: CoreExports;
  /** The segment's first byte in the memory: entries' offsets count from it. */
  readonly base: number;
  readonly #desc: number;
  readonly #pid: number;
  readonly #timeoutMs: number;

  /** The directory of `segment`, opened by the core as descriptor `desc`; waits for its lock last at most `timeoutMs`. */
  constructor(segment: SegmentLike, desc: number, timeoutMs: number) {
    this.segment = segment;
    this.core = segment.arena.core;
    this.base = segment.offset;
    this.#desc = desc;
    this.#pid = segment.holder.id;
    this.#timeoutMs = timeoutMs;
  }

  /** The descriptor every directory call takes; EBADF once closed (it may serve another object then). */
  get #d(): number {
    if (this.segment.closed) throw new ShmError({ code: 'EBADF', message: `${this.segment.description} is closed; open it again` });
    return this.#desc;
  }

  /** EBADF once the segment is closed. */
  assertOpen(): void {
    void this.#d;
  }

  constant(name: CoreConstant): number {
    return coreConstant(this.core, name);
  }

  /** The slot of the object named `name`, or a negative number when there is none. */
  find(name: string): number {
    const [nameAt, nameLength] = this.#stageName(name);
    return this.core.dirFind(this.#d, nameAt, nameLength);
  }

  /** Every object in the directory. */
  list(): ObjectInfo[] {
    const out: ObjectInfo[] = [];
    const capacity = this.core.dirCapacity(this.#d);
    for (let slot = 0; slot < capacity; slot++) {
      const info = this.info(slot);
      if (info) out.push(info);
    }
    return out;
  }

  /** Removes a named object under the lock; whether it existed. */
  remove(name: string): boolean {
    return this.withLock(() => {
      const slot = this.find(name);
      if (slot < 0) return false;
      this.#check(this.core.dirRemove(this.#d, this.#pid, slot), name);
      return true;
    });
  }

  /** Drops the entry in `slot` (held lock): a creation that was refused leaves nothing behind. */
  dropLocked(slot: number): void {
    this.core.dirRemove(this.#d, this.#pid, slot);
  }

  /** Makes an entry (held lock); its slot, or DIR_EXISTS when the name is taken. */
  createLocked(name: string, spec: ObjectSpec | PrimitiveSpec): number {
    const { kind, size, align, layout, elementSize, count } = placement(spec, this.constant('CACHE_LINE'));
    const layoutBytes = layout ? encoder.encode(layout.describe) : new Uint8Array(0);
    const [nameAt, nameLength, layoutAt] = this.#stageName(name, layoutBytes);
    const slot = this.core.dirCreate(
      this.#d, this.#pid, nameAt, nameLength, this.constant(KIND_CODES[kind]), BigInt(size), align,
      layout?.hash ?? 0n, layoutAt, layoutBytes.length, elementSize, count,
    );
    if (slot === this.constant('DIR_EXISTS')) return slot;
    this.#check(slot, name, size);
    return slot;
  }

  #check(status: number, name: string, size = 0): void {
    if (status >= 0) return;
    const where = `${this.segment.description}, object '${name}'`;
    if (status === this.constant('DIR_FULL')) throw new ShmError({ code: 'ENOSPC', message: `${where}: the directory is full; remove objects, or format the segment with more directorySlots`, objectName: name });
    if (status === this.constant('DIR_NO_SPACE')) throw new ShmError({ code: 'ENOSPC', message: `${where}: no free run of ${size} bytes is left in the segment; remove objects or use a larger segment`, objectName: name });
    if (status === this.constant('DIR_CORRUPT')) throw this.corrupt(name);
    throw new ShmError({ code: 'EINVAL', message: `${where}: directory call failed (${status})`, objectName: name });
  }

  /** The entry in `slot`, from a private copy the core checked; undefined when the slot holds no object. */
  info(slot: number): ObjectInfo | undefined {
    const arena = this.segment.arena;
    const copy = arena.scratch(this.constant('ENTRY_SIZE'));
    let status = this.constant('DIR_READ_MOVED');
    for (let tries = 0; tries < READ_TRIES && status === this.constant('DIR_READ_MOVED'); tries++) status = this.core.dirRead(this.#d, slot, copy);
    if (status === this.constant('DIR_READ_FREE')) return undefined;
    if (status !== this.constant('DIR_READ_LIVE')) throw this.corrupt(`in slot ${slot}`);
    const view = new DataView(arena.memory.buffer);
    const field = (name: CoreConstant) => copy + this.constant(name);
    const kindCode = view.getUint32(field('E_KIND'), true);
    const layoutLength = view.getUint32(field('E_LAYOUT_LENGTH'), true);
    const layoutOffset = Number(view.getBigUint64(field('E_LAYOUT_OFFSET'), true));
    const nameLength = view.getUint32(field('E_NAME_LENGTH'), true);
    return {
      name: decoder.decode(arena.bytes(field('E_NAME'), nameLength).slice()),
      kind: this.#kindName(kindCode),
      offset: Number(view.getBigUint64(field('E_OFFSET'), true)),
      size: Number(view.getBigUint64(field('E_SIZE'), true)),
      align: view.getUint32(field('E_ALIGN'), true),
      layoutHash: view.getBigUint64(field('E_LAYOUT_HASH'), true),
      // Its bounds were checked in the copy; only its text is read from the segment.
      layout: layoutLength ? decoder.decode(arena.bytes(this.base + layoutOffset, layoutLength).slice()) : null,
      count: view.getUint32(field('E_COUNT'), true),
    };
  }

  #kindName(code: number): KindName | `kind ${number}` {
    const names = Object.keys(KIND_CODES) as KindName[];
    return names.find((name) => this.constant(KIND_CODES[name]) === code) ?? `kind ${code}`;
  }

  /** The error of a directory found corrupt at `object`. */
  corrupt(object: string): ShmError {
    return corruption(this.core, this.#d, `${this.segment.description}'s directory (object ${object})`, { objectName: object });
  }

  // Copies the name (and what the core reads with it) into scratch space
  // in one go: [name | extra]. Returns the name's address and length, and
  // the extra bytes' address.
  #stageName(name: string, extra = new Uint8Array(0)): [number, number, number] {
    if (typeof name !== 'string' || name.length === 0) invalidArgument(`object name must be a non-empty string: ${describeValue(name)}`);
    const bytes = encoder.encode(name);
    const max = this.constant('MAX_NAME');
    if (bytes.length > max) invalidArgument(`object name is ${bytes.length} UTF-8 bytes; at most ${max} fit: '${name}'`);
    const arena = this.segment.arena;
    const at = arena.scratch(bytes.length + extra.length);
    arena.bytes(at, bytes.length).set(bytes);
    arena.bytes(at + bytes.length, extra.length).set(extra);
    return [at, bytes.length, at + bytes.length];
  }

  /** Runs `body` holding the directory lock, which is held by pid; a holder that died is replaced. */
  withLock<T>(body: () => T): T {
    const backoff = new Backoff(this.#timeoutMs, `the directory lock of ${this.segment.description}`);
    for (;;) {
      const holder = this.core.dirTryLock(this.#d, this.#pid);
      if (holder === 0) break;
      if (holder !== this.#pid && !this.segment.waitHost.isAlive(holder) && this.core.dirStealLock(this.#d, holder, this.#pid)) break;
      backoff.pause();
    }
    try {
      return body();
    } finally {
      this.core.dirUnlock(this.#d, this.#pid);
    }
  }

  /** EACCES on a read-only attachment, before anything is staged or locked. */
  assertWritable(what: string): void {
    if (this.segment.readOnly) throw new ShmError({ code: 'EACCES', message: `${this.segment.description} is attached read-only; cannot ${what} objects` });
  }
}

// Objects are at least cache-line aligned (`cacheLine`), so no two share one.
function placement(spec: ObjectSpec | PrimitiveSpec, cacheLine: number): { kind: KindName; size: number; align: number; layout?: StructType; elementSize: number; count: number } {
  if (spec instanceof StructType) {
    return { kind: 'struct', size: spec.size, align: Math.max(cacheLine, spec.align), layout: spec, elementSize: spec.size, count: 1 };
  }
  if (spec && typeof spec === 'object' && 'table' in spec) {
    if (!(spec.table instanceof StructType)) invalidArgument('table: give a struct type made by struct()');
    if (!Number.isSafeInteger(spec.count) || spec.count < 1) invalidArgument(`table count must be a whole number ≥ 1: count=${String(spec.count)}`);
    return { kind: 'table', size: spec.table.size * spec.count, align: Math.max(cacheLine, spec.table.align), layout: spec.table, elementSize: spec.table.size, count: spec.count };
  }
  if (spec && typeof spec === 'object' && 'bytes' in spec) {
    if (!Number.isSafeInteger(spec.bytes) || spec.bytes < 1) invalidArgument(`bytes must be a whole number ≥ 1: bytes=${String(spec.bytes)}`);
    const align = spec.align ?? cacheLine;
    if (!Number.isInteger(align) || align < 1 || (align & (align - 1)) !== 0) invalidArgument(`align must be a power of two: align=${String(align)}`);
    const { kind = 'bytes', layout, count = 0 } = spec as Partial<PrimitiveSpec>;
    return { kind, size: spec.bytes, align, layout, elementSize: 0, count };
  }
  invalidArgument('an object is { bytes, align? }, a struct type, or { table: structType, count }');
}
