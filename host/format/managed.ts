// A self-describing shmkit segment (the format of assembly/format/*): a
// header initialised by exactly one process, and a directory of named
// objects — raw bytes, structs, tables — each stored with its layout.
import { ShmError, invalidArgument } from '../errors.js';
import { coreConstant, type CoreConstant, type CoreExports } from '../core/core.js';
import { CORRUPT, corruption } from '../core/corruption.js';
import { checkInteger, checkOptions, describeValue } from '../core/validate.js';
import { layoutCore } from '../core/layout-core.js';
import { structAt, type StructRef } from '../struct/accessors.js';
import { StructType } from '../struct/struct.js';
import { Table } from '../struct/table.js';
import { Backoff } from '../wait/backoff.js';
import { firstDifference } from './describe-diff.js';
import { Barrier } from '../sync/barrier.js';
import { Condition } from '../sync/condvar.js';
import { Event, type EventOptions } from '../sync/event.js';
import { Mutex, type MutexOptions } from '../sync/mutex.js';
import { Once } from '../sync/once.js';
import type { Place } from '../sync/place.js';
import { RwLock } from '../sync/rwlock.js';
import { Semaphore } from '../sync/semaphore.js';
import { SeqLock } from '../sync/seqlock.js';
import { SpscRing } from '../channel/spsc-ring.js';
import { MpmcQueue, type QueueShape } from '../channel/mpmc-queue.js';
import { Broadcast, type BroadcastOptions } from '../channel/broadcast.js';
import type { WaitHost } from '../wait/index.js';
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
type KindName = keyof typeof KIND_CODES;

// What the core's format results mean, by the names it exports them under (assembly/format/header.ts).
const FORMAT_ERRORS = {
  FORMAT_BAD_MAGIC: 'its header has no shmkit magic',
  FORMAT_BAD_VERSION: 'it was made by a different shmkit format version',
  FORMAT_SIZE_MISMATCH: 'it was formatted larger than it is mapped here',
  FORMAT_TOO_SMALL: 'it is too small for the header and directory',
  FORMAT_NOT_OWNER: 'another process took over its initialisation',
  FORMAT_CORRUPT: 'its header is corrupt',
  FORMAT_BAD_ARGUMENT: 'the directory size is out of range',
} as const;
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

export interface ManagedOptions {
  /** Directory slots when this call formats the segment (default 64). */
  directorySlots?: number;
  /** How long to wait for another process's initialisation or directory change (default 10 s). */
  timeoutMs?: number;
}

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

export class ManagedSegment<S extends SegmentLike = SegmentLike> implements Disposable {
  readonly segment: S;
  /** True when this call formatted the segment. */
  readonly initialised: boolean;
  readonly #core: CoreExports;
  readonly #base: number;
  /** The segment's descriptor (its header, checked once). */
  #desc = 0;
  readonly #timeoutMs: number;
  readonly #pid: number;

  /**
   * Formats `segment` or joins its existing format. Exactly one of any
   * number of racing openers formats it; the others wait until it is ready.
   * An initialiser that died is noticed (its pid is gone) and replaced.
   */
  constructor(segment: S, options: ManagedOptions = {}) {
    this.segment = segment;
    this.#pid = segment.holder.id;
    this.#core = segment.arena.core;
    this.#base = segment.offset;
    const { slots, timeoutMs } = checkManagedOptions(checkOptions<ManagedOptions>(options, ['directorySlots', 'timeoutMs'], 'ManagedSegment'));
    this.#timeoutMs = timeoutMs;
    if (segment.size < coreConstant(this.#core, 'HEADER_SIZE')) this.#fail('EINVAL', FORMAT_ERRORS.FORMAT_TOO_SMALL);
    this.initialised = this.#join(slots);
    this.#desc = segment.arena.descriptors.take(this);
    const status = this.#core.formatOpen(this.#desc, this.#base, segment.size);
    if (status !== this.#constant('FORMAT_OK')) {
      segment.arena.descriptors.release(this, this.#desc);
      const why = this.#formatError(status);
      this.#fail(status === this.#constant('FORMAT_CORRUPT') ? CORRUPT : 'ELAYOUT', why);
    }
  }

  /** Pid of the process that formatted the segment. */
  get creatorPid(): number {
    return new DataView(this.segment.arena.memory.buffer).getUint32(this.#base + coreConstant(this.#core, 'H_CREATOR_PID'), true);
  }

  #join(slots: number): boolean {
    const backoff = new Backoff(this.#timeoutMs, `${this.segment.description} to be initialised`);
    for (;;) {
      // Nothing here writes before the segment is known writable: a store
      // into a read-only attachment, even from Wasm, kills the process.
      const peek = this.#core.formatPeek(this.#base);
      if (peek === this.#constant('PEEK_FRESH')) {
        if (this.segment.readOnly) this.#fail('EACCES', 'it is not formatted yet, and a read-only attachment cannot format it');
        if (this.#core.formatClaim(this.#base, this.#pid)) {
          this.#format(slots);
          return true;
        }
        continue; // another opener claimed it first
      }
      if (peek === this.#constant('PEEK_READY')) return false; // the constructor opens and checks it
      if (peek === this.#constant('PEEK_FOREIGN')) {
        this.#fail('ELAYOUT', 'it holds data that is not a shmkit header; open it as a raw segment, or clear it');
      }
      const initPid = this.#core.formatInitPid(this.#base);
      if (initPid !== 0 && !this.segment.holder.isAlive(initPid) && !this.segment.readOnly &&
          this.#core.formatTakeOver(this.#base, initPid, this.#pid)) {
        this.#format(slots); // the initialiser died half-way: start over
        return true;
      }
      backoff.pause();
    }
  }

  #format(slots: number): void {
    const status = this.#core.formatInit(this.#base, BigInt(this.segment.size), this.#pid, slots);
    if (status !== this.#constant('FORMAT_OK')) this.#fail('EINVAL', this.#formatError(status));
  }

  /** The descriptor every directory call takes; EBADF once closed (it may serve another object then). */
  get #d(): number {
    if (this.segment.closed) throw new ShmError({ code: 'EBADF', message: `${this.segment.description} is closed; open it again` });
    return this.#desc;
  }

  #constant(name: CoreConstant): number {
    return coreConstant(this.#core, name);
  }

  #kindName(code: number): KindName | `kind ${number}` {
    const names = Object.keys(KIND_CODES) as KindName[];
    return names.find((name) => this.#constant(KIND_CODES[name]) === code) ?? `kind ${code}`;
  }

  #formatError(status: number): string {
    const name = (Object.keys(FORMAT_ERRORS) as (keyof typeof FORMAT_ERRORS)[]).find((key) => this.#constant(key) === status);
    return name ? FORMAT_ERRORS[name] : `the format call failed (${status})`;
  }

  #fail(code: string, why: string): never {
    throw new ShmError({ code, message: `${this.segment.description} cannot be used as a shmkit segment: ${why}` });
  }

  /** Creates a named object; EEXIST if the name is taken. */
  create<S extends StructType>(name: string, spec: S): StructRef<S>;
  create<S extends StructType>(name: string, spec: TableSpec<S>): Table<S>;
  create(name: string, spec: BytesSpec): Uint8Array;
  create(name: string, spec: ObjectSpec): StructRef | Table | Uint8Array {
    this.#assertWritable('create');
    const slot = this.#withLock(() => this.#createLocked(name, spec));
    if (slot === this.#constant('DIR_EXISTS')) throw new ShmError({ code: 'EEXIST', message: `${this.segment.description} already has an object named '${name}'; find it instead, or remove it first`, objectName: name });
    return this.#open(slot, name, spec);
  }

  /** The named object, checked against `spec`; undefined when there is none. */
  find<S extends StructType>(name: string, spec: S): StructRef<S> | undefined;
  find<S extends StructType>(name: string, spec: TableSpec<S> | { table: S }): Table<S> | undefined;
  find(name: string, spec?: Partial<BytesSpec>): Uint8Array | undefined;
  find(name: string, spec: ObjectSpec | { table: StructType } | Partial<BytesSpec> = {}): StructRef | Table | Uint8Array | undefined {
    const [nameAt, nameLength] = this.#stageName(name);
    const slot = this.#core.dirFind(this.#d, nameAt, nameLength);
    return slot < 0 ? undefined : this.#open(slot, name, spec);
  }

  /** find, or create when missing; racing callers all end up with the same object. */
  findOrCreate<S extends StructType>(name: string, spec: S): StructRef<S>;
  findOrCreate<S extends StructType>(name: string, spec: TableSpec<S>): Table<S>;
  findOrCreate(name: string, spec: BytesSpec): Uint8Array;
  findOrCreate(name: string, spec: ObjectSpec): StructRef | Table | Uint8Array {
    this.#assertWritable('create');
    const slot = this.#withLock(() => {
      const [nameAt, nameLength] = this.#stageName(name);
      const found = this.#core.dirFind(this.#d, nameAt, nameLength);
      return found >= 0 ? found : this.#createLocked(name, spec);
    });
    return this.#open(slot, name, spec);
  }

  /** Every object in the directory. */
  list(): ObjectInfo[] {
    const out: ObjectInfo[] = [];
    const capacity = this.#core.dirCapacity(this.#d);
    for (let slot = 0; slot < capacity; slot++) {
      const info = this.#info(slot);
      if (info) out.push(info);
    }
    return out;
  }

  /** Removes a named object; its bytes may be reused. Returns whether it existed. */
  remove(name: string): boolean {
    this.#assertWritable('remove');
    return this.#withLock(() => {
      const [nameAt, nameLength] = this.#stageName(name);
      const slot = this.#core.dirFind(this.#d, nameAt, nameLength);
      if (slot < 0) return false;
      this.#check(this.#core.dirRemove(this.#d, this.#pid, slot), name);
      return true;
    });
  }

  /** Where primitives of this segment live and how their waiters sleep. */
  get #host(): WaitHost {
    return this.segment.waitHost;
  }

  /** The named mutex, made (and initialised) if missing. */
  mutex(name: string, options: MutexOptions = {}): Mutex {
    const { recursive } = checkOptions<MutexOptions>(options, ['recursive'], 'mutex');
    if (recursive !== undefined && typeof recursive !== 'boolean') invalidArgument(`mutex: recursive must be true or false: recursive=${String(recursive)}`);
    const recursiveKind = this.#constant('MUTEX_RECURSIVE');
    const kind = { value: recursive ? recursiveKind : this.#constant('MUTEX_NORMAL'), asked: true, what: (value: number) => (value === recursiveKind ? 'a recursive mutex' : 'a plain (not recursive) mutex') };
    return this.#primitive(name, 'mutex', this.#constant('MUTEX_SIZE'), (place) => Mutex.create(place, { recursive: recursive ?? false }), (place) => Mutex.open(place, recursive), { param: kind });
  }

  /** The named counting semaphore, made with `value` tokens if missing; an existing one must have been made with `value` when it is given. */
  semaphore(name: string, value?: number): Semaphore {
    if (value !== undefined) checkInteger(value, 'value', 0, this.#constant('SEMAPHORE_MAX_VALUE'), 'semaphore');
    const initial = { value: value ?? 0, asked: value !== undefined, what: (count: number) => `made with ${count} tokens` };
    return this.#primitive(name, 'semaphore', this.#constant('SEMAPHORE_SIZE'), (place) => Semaphore.create(place, value ?? 0), Semaphore.open, { param: initial });
  }

  condition(name: string): Condition {
    return this.#primitive(name, 'condition', this.#constant('CONDVAR_SIZE'), Condition.create, Condition.open);
  }

  barrier(name: string, parties: number): Barrier {
    checkInteger(parties, 'parties', 1, this.#constant('BARRIER_MAX_PARTIES'), 'barrier');
    const count = { value: parties, asked: true, what: (n: number) => `a barrier of ${n} parties` };
    return this.#primitive(name, 'barrier', this.#constant('BARRIER_SIZE'), (place) => Barrier.create(place, parties), Barrier.open, { param: count });
  }

  /** The named event, made with `options` if missing; an existing one must have the autoReset asked for, when it is given. */
  event(name: string, options: EventOptions = {}): Event {
    const { autoReset } = checkOptions<EventOptions>(options, ['autoReset', 'initiallySet'], 'event');
    if (autoReset !== undefined && typeof autoReset !== 'boolean') invalidArgument(`event: autoReset must be true or false: autoReset=${String(autoReset)}`);
    const mode = { value: autoReset ? 1 : 0, asked: autoReset !== undefined, what: (value: number) => (value ? 'an auto-reset event' : 'a manual-reset event') };
    return this.#primitive(name, 'event', this.#constant('EVENT_SIZE'), (place) => Event.create(place, options), Event.open, { param: mode });
  }

  once(name: string): Once {
    return this.#primitive(name, 'once', this.#constant('ONCE_SIZE'), Once.create, Once.open);
  }

  rwlock(name: string): RwLock {
    return this.#primitive(name, 'rwlock', this.#constant('RWLOCK_SIZE'), RwLock.create, RwLock.open);
  }

  /** A seqlock guarding `capacity` bytes. */
  seqlock(name: string, capacity: number): SeqLock {
    checkInteger(capacity, 'capacity', 1, 1 << 24, 'seqlock');
    return this.#primitive(name, 'seqlock', this.#constant('SEQLOCK_HEADER') + capacity, (place) => SeqLock.create(place, capacity), (place) => SeqLock.open(place, capacity));
  }

  /**
   * A single-producer single-consumer ring of `capacity` data bytes (a power
   * of two). With `record`, it carries records of that struct type: its
   * layout is stored, and opening it with another is ELAYOUT.
   */
  ring<S extends StructType>(name: string, capacity: number, options: { record: S }): SpscRing<S>;
  ring(name: string, capacity: number, options?: { record?: StructType }): SpscRing;
  ring(name: string, capacity: number, options: { record?: StructType } = {}): SpscRing {
    const { record } = checkOptions<{ record?: StructType }>(options, ['record'], 'ring');
    if (record !== undefined && !(record instanceof StructType)) invalidArgument('record: give a struct type made by struct()');
    return this.#primitive(name, 'ring', SpscRing.bytesFor(capacity, record), (place) => SpscRing.create(place, capacity, record), (place) => SpscRing.open(place, record), { layout: record });
  }

  /** A multi-producer multi-consumer queue of `slots` slots (a power of two) of `slotSize`-byte messages; an existing one must have this shape. */
  queue(name: string, shape: QueueShape): MpmcQueue {
    const { slots, slotSize } = checkOptions<QueueShape>(shape, ['slots', 'slotSize'], 'queue');
    return this.#primitive(name, 'queue', MpmcQueue.bytesFor(slots, slotSize), (place) => MpmcQueue.create(place, slots, slotSize), (place) => MpmcQueue.open(place, shape));
  }

  /** A broadcast channel: one writer, many readers each with its own cursor; an existing one must have this shape. */
  broadcast(name: string, options: BroadcastOptions): Broadcast {
    return this.#primitive(name, 'broadcast', Broadcast.bytesFor(options), (place) => Broadcast.create(place, options), (place) => Broadcast.open(place, options));
  }

  // Made and initialised under the directory lock, and looked up under it,
  // so nobody ever sees a primitive between creation and initialisation.
  // The parameter a primitive was made with (kept in its entry's count) is
  // compared when the caller asked for one, so opening never silently
  // gives a different object than asked for.
  #primitive<T>(name: string, kind: KindName, size: number, create: (place: Place) => T, open: (place: Place) => T, extra: PrimitiveExtra = {}): T {
    this.#assertWritable(`use a ${kind} in`);
    const { layout, param } = extra;
    return this.#withLock(() => {
      const [nameAt, nameLength] = this.#stageName(name);
      const found = this.#core.dirFind(this.#d, nameAt, nameLength);
      const slot = found >= 0 ? found : this.#createLocked(name, { bytes: size, kind, layout, count: param?.value ?? 0 });
      const info = this.#info(slot);
      const mismatch = (why: string) => new ShmError({ code: 'ELAYOUT', message: `${this.segment.description}, object '${name}': ${why}`, objectName: name });
      if (!info) throw new ShmError({ code: 'ENOENT', message: `${this.segment.description}: object '${name}' was removed meanwhile`, objectName: name });
      if (info.kind !== kind || info.size !== size) throw mismatch(`it is ${info.kind === 'bytes' ? 'raw bytes' : `a ${info.kind}`} of ${info.size} bytes, not a ${kind} of ${size}`);
      if (layout && info.layoutHash !== layout.hash) {
        throw mismatch(info.layout ? `its records' layout differs: ${firstDifference(info.layout, layout.describe)}` : `it carries raw bytes, not records of ${layout.name}`);
      }
      if (param?.asked && info.count !== param.value) throw mismatch(`it is ${param.what(info.count)}, not ${param.what(param.value)}`);
      const offset = this.#base + info.offset;
      const place = { memory: this.segment.arena, offset, end: offset + info.size, host: this.#host };
      if (found >= 0) return open(place);
      try {
        return create(place);
      } catch (error) {
        this.#core.dirRemove(this.#d, this.#pid, slot); // a refused creation leaves no entry behind
        throw error;
      }
    });
  }

  close(): void {
    this.segment.arena.descriptors.release(this, this.#desc); // harmless when released already
    this.segment.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #createLocked(name: string, spec: ObjectSpec | PrimitiveSpec): number {
    const { kind, size, align, layout, elementSize, count } = placement(spec, this.#constant('CACHE_LINE'));
    const layoutBytes = layout ? encoder.encode(layout.describe) : new Uint8Array(0);
    const [nameAt, nameLength, layoutAt] = this.#stageName(name, layoutBytes);
    const slot = this.#core.dirCreate(
      this.#d, this.#pid, nameAt, nameLength, this.#constant(KIND_CODES[kind]), BigInt(size), align,
      layout?.hash ?? 0n, layoutAt, layoutBytes.length, elementSize, count,
    );
    if (slot === this.#constant('DIR_EXISTS')) return slot;
    this.#check(slot, name, size);
    return slot;
  }

  #check(status: number, name: string, size = 0): void {
    if (status >= 0) return;
    const where = `${this.segment.description}, object '${name}'`;
    if (status === this.#constant('DIR_FULL')) throw new ShmError({ code: 'ENOSPC', message: `${where}: the directory is full; remove objects, or format the segment with more directorySlots`, objectName: name });
    if (status === this.#constant('DIR_NO_SPACE')) throw new ShmError({ code: 'ENOSPC', message: `${where}: no free run of ${size} bytes is left in the segment; remove objects or use a larger segment`, objectName: name });
    if (status === this.#constant('DIR_CORRUPT')) throw this.#corrupt(name);
    throw new ShmError({ code: 'EINVAL', message: `${where}: directory call failed (${status})`, objectName: name });
  }

  // Opens slot `slot` as `spec` asks, checking kind and layout first.
  #open(slot: number, name: string, spec: ObjectSpec | { table: StructType } | Partial<BytesSpec>): StructRef | Table | Uint8Array {
    const info = this.#info(slot);
    if (!info) throw new ShmError({ code: 'ENOENT', message: `${this.segment.description}: object '${name}' was removed meanwhile`, objectName: name });
    const wanted: KindName = spec instanceof StructType ? 'struct' : 'table' in spec ? 'table' : 'bytes';
    const mismatch = (why: string) => new ShmError({ code: 'ELAYOUT', message: `${this.segment.description}, object '${name}': ${why}`, objectName: name });
    if (info.kind !== wanted) throw mismatch(`it is ${info.kind === 'bytes' ? 'raw bytes' : `a ${info.kind}`}, not ${wanted === 'bytes' ? 'raw bytes' : `a ${wanted}`}`);
    const offset = this.#base + info.offset;
    const writable = !this.segment.readOnly;
    if (spec instanceof StructType || 'table' in spec) {
      const type = spec instanceof StructType ? spec : spec.table;
      if (info.layoutHash !== type.hash) throw mismatch(`its layout differs: ${firstDifference(info.layout ?? '', type.describe)}`);
      if (spec instanceof StructType) {
        if (info.size < type.size) throw this.#corrupt(name);
        return structAt(type, new DataView(this.segment.arena.memory.buffer, offset, info.size), 0, writable);
      }
      if ('count' in spec && spec.count !== undefined && spec.count !== info.count) throw mismatch(`it holds ${info.count} records, not ${spec.count}`);
      if (info.count * type.size > info.size) throw this.#corrupt(name);
      return new Table(type, { memory: this.segment.arena, offset, count: info.count, writable });
    }
    if (spec.bytes !== undefined && spec.bytes !== info.size) throw mismatch(`it is ${info.size} bytes, not ${spec.bytes}`);
    if (!writable) throw new ShmError({ code: 'EACCES', message: `${this.segment.description}, object '${name}': raw bytes of a read-only attachment are read through segment.reader (offset ${info.offset})`, objectName: name });
    return this.segment.arena.bytes(offset, info.size);
  }

  // The entry in slot `slot`, from a private copy the core checked; undefined when the slot holds no object.
  #info(slot: number): ObjectInfo | undefined {
    const c = this.#core;
    const arena = this.segment.arena;
    const copy = arena.scratch(this.#constant('ENTRY_SIZE'));
    let status = this.#constant('DIR_READ_MOVED');
    for (let tries = 0; tries < READ_TRIES && status === this.#constant('DIR_READ_MOVED'); tries++) status = c.dirRead(this.#d, slot, copy);
    if (status === this.#constant('DIR_READ_FREE')) return undefined;
    if (status !== this.#constant('DIR_READ_LIVE')) throw this.#corrupt(`in slot ${slot}`);
    const view = new DataView(arena.memory.buffer);
    const field = (name: Parameters<typeof coreConstant>[1]) => copy + this.#constant(name);
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
      layout: layoutLength ? decoder.decode(arena.bytes(this.#base + layoutOffset, layoutLength).slice()) : null,
      count: view.getUint32(field('E_COUNT'), true),
    };
  }

  #corrupt(object: string): ShmError {
    return corruption(this.#core, this.#d, `${this.segment.description}'s directory (object ${object})`, { objectName: object });
  }

  // Copies the name (and what the core reads with it) into scratch space
  // in one go: [name | extra]. Returns the name's address and length, and
  // the extra bytes' address.
  #stageName(name: string, extra = new Uint8Array(0)): [number, number, number] {
    if (typeof name !== 'string' || name.length === 0) invalidArgument(`object name must be a non-empty string: ${describeValue(name)}`);
    const bytes = encoder.encode(name);
    const max = coreConstant(this.#core, 'MAX_NAME');
    if (bytes.length > max) invalidArgument(`object name is ${bytes.length} UTF-8 bytes; at most ${max} fit: '${name}'`);
    const at = this.segment.arena.scratch(bytes.length + extra.length);
    this.segment.arena.bytes(at, bytes.length).set(bytes);
    this.segment.arena.bytes(at + bytes.length, extra.length).set(extra);
    return [at, bytes.length, at + bytes.length];
  }

  // The directory lock is held by pid; a holder that died is replaced.
  #withLock<T>(body: () => T): T {
    const backoff = new Backoff(this.#timeoutMs, `the directory lock of ${this.segment.description}`);
    for (;;) {
      const holder = this.#core.dirTryLock(this.#d, this.#pid);
      if (holder === 0) break;
      if (holder !== this.#pid && !this.segment.holder.isAlive(holder) && this.#core.dirStealLock(this.#d, holder, this.#pid)) break;
      backoff.pause();
    }
    try {
      return body();
    } finally {
      this.#core.dirUnlock(this.#d, this.#pid);
    }
  }

  #assertWritable(what: string): void {
    if (this.segment.readOnly) throw new ShmError({ code: 'EACCES', message: `${this.segment.description} is attached read-only; cannot ${what} objects` });
  }
}

/** Checks ManagedOptions and fills in defaults. */
export function checkManagedOptions(options: ManagedOptions): { slots: number; timeoutMs: number } {
  const slots = options.directorySlots ?? 64;
  const most = coreConstant(layoutCore().core, 'MAX_DIR_CAPACITY');
  if (!Number.isInteger(slots) || slots < 1 || slots > most) invalidArgument(`directorySlots must be from 1 to ${most}: directorySlots=${describeValue(slots)}`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) invalidArgument(`timeoutMs must be ≥ 0: timeoutMs=${describeValue(options.timeoutMs)}`);
  return { slots, timeoutMs };
}

/** Raw bytes recorded under a primitive's kind, with the layout of what it carries and the parameter it was made with (only made by ManagedSegment itself). */
type PrimitiveSpec = BytesSpec & { kind: KindName; layout?: StructType | undefined; count: number };

/** What a primitive's entry records besides its kind and size: the layout it carries, the parameter it was made with. */
interface PrimitiveExtra {
  layout?: StructType | undefined;
  param?: { value: number; asked: boolean; what: (value: number) => string };
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
