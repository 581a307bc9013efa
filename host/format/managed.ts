// A self-describing shmkit segment (the format of assembly/format/*): a
// header initialised by exactly one process (init.ts), and a directory of
// named objects (directory.ts) — raw bytes, structs, tables, primitives —
// each stored with its layout (objects.ts, primitives.ts).
import { ShmError, invalidArgument } from '../errors.js';
import { coreConstant, type CoreExports } from '../core/core.js';
import { CORRUPT } from '../core/corruption.js';
import { checkOptions, describeValue } from '../core/validate.js';
import { layoutCore } from '../core/layout-core.js';
import type { StructRef } from '../struct/accessors.js';
import type { StructType } from '../struct/struct.js';
import type { Table } from '../struct/table.js';
import type { Barrier } from '../sync/barrier.js';
import type { Condition } from '../sync/condvar.js';
import type { Event, EventOptions } from '../sync/event.js';
import type { Mutex, MutexOptions } from '../sync/mutex.js';
import type { Once } from '../sync/once.js';
import type { RwLock } from '../sync/rwlock.js';
import type { Semaphore } from '../sync/semaphore.js';
import type { SeqLock } from '../sync/seqlock.js';
import type { SpscRing } from '../channel/spsc-ring.js';
import type { MpmcQueue, QueueShape } from '../channel/mpmc-queue.js';
import type { Broadcast, BroadcastOptions } from '../channel/broadcast.js';
import { Directory, type BytesSpec, type ObjectInfo, type ObjectSpec, type TableSpec } from './directory.js';
import { checkHeaderFits, formatError, joinFormat, unusableSegment } from './init.js';
import { condemnedError, holdsOn, joinUsers, readUsers, tokenOf, type UserEntry } from './users.js';
import { removeUnlessUsed } from './condemn.js';
import { openObject, type OpenSpec } from './objects.js';
import {
  barrierIn, broadcastIn, conditionIn, eventIn, mutexIn, onceIn, queueIn, ringIn, rwlockIn, semaphoreIn, seqlockIn,
} from './primitives.js';
import type { SegmentLike } from './segment-like.js';

export interface ManagedOptions {
  /** Directory slots when this call formats the segment (default 64). */
  directorySlots?: number;
  /** Live-user slots when this call formats the segment (default 128): at most this many processes have it open at once. */
  userSlots?: number;
  /**
   * The segment goes with its last user: whoever leaves last (by close, or
   * by dying, noticed by the next opener) removes its name. The setting is
   * the segment's, kept in its header: once any opener asks for it, it holds
   * for every user, and it is never cleared. Needs a kernel object with a
   * name (System V, POSIX, file).
   */
  removeWhenUnused?: boolean;
  /** How long to wait for another process's initialisation or directory change (default 10 s). */
  timeoutMs?: number;
}

export class ManagedSegment<S extends SegmentLike = SegmentLike> implements Disposable {
  readonly segment: S;
  /** True when this call formatted the segment. */
  readonly initialised: boolean;
  readonly #core: CoreExports;
  /** The segment's descriptor (its header, checked once). */
  readonly #desc: number;
  readonly #directory: Directory;
  /** This process's slot in the user table; -1 for a read-only attachment, which cannot register. */
  readonly #userSlot: number;

  /**
   * Formats `segment` or joins its existing format, and registers this
   * process as one of its users. Exactly one of any number of racing
   * openers formats it; the others wait until it is ready. An initialiser
   * that died is noticed (its pid is gone) and replaced; so are the user
   * slots of processes that died. ESTALE (reason 'being-removed') when a
   * reaper is removing the segment: open it again by name.
   */
  constructor(segment: S, options: ManagedOptions = {}) {
    this.segment = segment;
    const core = (this.#core = segment.arena.core);
    const checked = checkManagedOptions(checkOptions<ManagedOptions>(options, MANAGED_OPTIONS, 'ManagedSegment'));
    if (checked.removeWhenUnused && typeof segment.remove !== 'function') {
      invalidArgument(`removeWhenUnused needs a kernel object with a name to remove; ${segment.description} has none (it goes with its last handle anyway)`);
    }
    checkHeaderFits(segment);
    const flags = checked.removeWhenUnused ? coreConstant(core, 'FLAG_REMOVE_WITH_LAST_USER') : 0;
    this.initialised = joinFormat(segment, { directorySlots: checked.slots, userSlots: checked.userSlots, flags }, checked.timeoutMs, revivable.get(segment));
    this.#desc = segment.arena.descriptors.take(this);
    try {
      const status = core.formatOpen(this.#desc, segment.offset, segment.size);
      if (status !== coreConstant(core, 'FORMAT_OK')) {
        unusableSegment(segment, status === coreConstant(core, 'FORMAT_CORRUPT') ? CORRUPT : 'ELAYOUT', formatError(core, status));
      }
      this.#userSlot = this.initialised ? 0 : this.#join(flags);
    } catch (error) {
      segment.arena.descriptors.release(this, this.#desc);
      throw error;
    }
    this.#directory = new Directory(segment, this.#desc, checked.timeoutMs);
  }

  // Registers an opener that did not format the segment; a segment that
  // goes with its last user, whose users all died, is removed instead
  // (ESTALE: openOrCreate then makes it anew).
  #join(flags: number): number {
    const segment = this.segment;
    if (segment.readOnly) return -1;
    const core = this.#core;
    if (flags !== 0) core.formatSetFlags(this.#desc, flags);
    const removable = (core.formatFlags(this.#desc) & coreConstant(core, 'FLAG_REMOVE_WITH_LAST_USER')) !== 0;
    if (removable && typeof segment.remove === 'function') {
      const users = readUsers(core, this.#desc, segment.holder);
      const word = core.formatInitWord(segment.offset);
      if (users.length > 0 && !users.some(holdsOn)) {
        const result = removeUnlessUsed(segment as S & { remove(): void }, this.#desc, word, word);
        if (result.removed) throw condemnedError(segment, segment.holder.id);
      }
    }
    return joinUsers(segment, this.#desc);
  }

  /** The processes registered as users of the segment, and what each is now (alive, dead, recycled pid, unknown). */
  users(): UserEntry[] {
    this.#directory.assertOpen();
    return readUsers(this.#core, this.#desc, this.segment.holder);
  }

  /** Whether the segment goes with its last user (removeWhenUnused, asked by any of its openers). */
  get removeWhenUnused(): boolean {
    this.#directory.assertOpen();
    return (this.#core.formatFlags(this.#desc) & coreConstant(this.#core, 'FLAG_REMOVE_WITH_LAST_USER')) !== 0;
  }

  /** Pid of the process that formatted the segment. */
  get creatorPid(): number {
    return new DataView(this.segment.arena.memory.buffer).getUint32(this.segment.offset + coreConstant(this.#core, 'H_CREATOR_PID'), true);
  }

  /** Creates a named object; EEXIST if the name is taken. */
  create<S extends StructType>(name: string, spec: S): StructRef<S>;
  create<S extends StructType>(name: string, spec: TableSpec<S>): Table<S>;
  create(name: string, spec: BytesSpec): Uint8Array;
  create(name: string, spec: ObjectSpec): StructRef | Table | Uint8Array {
    const dir = this.#directory;
    dir.assertWritable('create');
    const slot = dir.withLock(() => dir.createLocked(name, spec));
    if (slot === dir.constant('DIR_EXISTS')) throw new ShmError({ code: 'EEXIST', message: `${this.segment.description} already has an object named '${name}'; find it instead, or remove it first`, objectName: name });
    return openObject(dir, slot, name, spec);
  }

  /** The named object, checked against `spec`; undefined when there is none. */
  find<S extends StructType>(name: string, spec: S): StructRef<S> | undefined;
  find<S extends StructType>(name: string, spec: TableSpec<S> | { table: S }): Table<S> | undefined;
  find(name: string, spec?: Partial<BytesSpec>): Uint8Array | undefined;
  find(name: string, spec: OpenSpec = {}): StructRef | Table | Uint8Array | undefined {
    const slot = this.#directory.find(name);
    return slot < 0 ? undefined : openObject(this.#directory, slot, name, spec);
  }

  /** find, or create when missing; racing callers all end up with the same object. */
  findOrCreate<S extends StructType>(name: string, spec: S): StructRef<S>;
  findOrCreate<S extends StructType>(name: string, spec: TableSpec<S>): Table<S>;
  findOrCreate(name: string, spec: BytesSpec): Uint8Array;
  findOrCreate(name: string, spec: ObjectSpec): StructRef | Table | Uint8Array {
    const dir = this.#directory;
    dir.assertWritable('create');
    const slot = dir.withLock(() => {
      const found = dir.find(name);
      return found >= 0 ? found : dir.createLocked(name, spec);
    });
    return openObject(dir, slot, name, spec);
  }

  /** Every object in the directory. */
  list(): ObjectInfo[] {
    return this.#directory.list();
  }

  /** Removes a named object; its bytes may be reused. Returns whether it existed. */
  remove(name: string): boolean {
    this.#directory.assertWritable('remove');
    return this.#directory.remove(name);
  }

  /** The named mutex, made (and initialised) if missing. */
  mutex(name: string, options: MutexOptions = {}): Mutex {
    return mutexIn(this.#directory, name, options);
  }

  /** The named counting semaphore, made with `value` tokens if missing; an existing one must have been made with `value` when it is given. */
  semaphore(name: string, value?: number): Semaphore {
    return semaphoreIn(this.#directory, name, value);
  }

  condition(name: string): Condition {
    return conditionIn(this.#directory, name);
  }

  barrier(name: string, parties: number): Barrier {
    return barrierIn(this.#directory, name, parties);
  }

  /** The named event, made with `options` if missing; an existing one must have the autoReset asked for, when it is given. */
  event(name: string, options: EventOptions = {}): Event {
    return eventIn(this.#directory, name, options);
  }

  once(name: string): Once {
    return onceIn(this.#directory, name);
  }

  rwlock(name: string): RwLock {
    return rwlockIn(this.#directory, name);
  }

  /** A seqlock guarding `capacity` bytes. */
  seqlock(name: string, capacity: number): SeqLock {
    return seqlockIn(this.#directory, name, capacity);
  }

  /**
   * A single-producer single-consumer ring of `capacity` data bytes (a power
   * of two). With `record`, it carries records of that struct type: its
   * layout is stored, and opening it with another is ELAYOUT.
   */
  ring<S extends StructType>(name: string, capacity: number, options: { record: S }): SpscRing<S>;
  ring(name: string, capacity: number, options?: { record?: StructType }): SpscRing;
  ring(name: string, capacity: number, options: { record?: StructType } = {}): SpscRing {
    return ringIn(this.#directory, name, capacity, options);
  }

  /** A multi-producer multi-consumer queue of `slots` slots (a power of two) of `slotSize`-byte messages; an existing one must have this shape. */
  queue(name: string, shape: QueueShape): MpmcQueue {
    return queueIn(this.#directory, name, shape);
  }

  /** A broadcast channel: one writer, many readers each with its own cursor; an existing one must have this shape. */
  broadcast(name: string, options: BroadcastOptions): Broadcast {
    return broadcastIn(this.#directory, name, options);
  }

  /**
   * Leaves the user table and unmaps. With removeWhenUnused, the last user
   * to leave also removes the segment's name (never while another user is
   * alive: a reaper's condemnation makes racing openers back off).
   */
  close(): void {
    const segment = this.segment;
    if (segment.closed) {
      segment.arena.descriptors.release(this, this.#desc); // harmless when released already
      return;
    }
    try {
      if (this.#userSlot >= 0) this.#leave();
    } finally {
      segment.arena.descriptors.release(this, this.#desc);
      segment.close();
    }
  }

  #leave(): void {
    const core = this.#core;
    const segment = this.segment;
    core.userRelease(this.#desc, this.#userSlot, tokenOf(core, segment.holder.user));
    if (!this.removeWhenUnused || typeof segment.remove !== 'function') return;
    if (readUsers(core, this.#desc, segment.holder).some(holdsOn)) return;
    const word = core.formatInitWord(segment.offset);
    removeUnlessUsed(segment as S & { remove(): void }, this.#desc, word, word);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

export const MANAGED_OPTIONS = ['directorySlots', 'userSlots', 'removeWhenUnused', 'timeoutMs'] as const;

/** Checks ManagedOptions and fills in defaults. */
export function checkManagedOptions(options: ManagedOptions): { slots: number; userSlots: number; removeWhenUnused: boolean; timeoutMs: number } {
  const core = layoutCore().core;
  const slots = options.directorySlots ?? 64;
  const most = coreConstant(core, 'MAX_DIR_CAPACITY');
  if (!Number.isInteger(slots) || slots < 1 || slots > most) invalidArgument(`directorySlots must be from 1 to ${most}: directorySlots=${describeValue(slots)}`);
  const userSlots = options.userSlots ?? 128;
  const mostUsers = coreConstant(core, 'MAX_USER_CAPACITY');
  if (!Number.isInteger(userSlots) || userSlots < 1 || userSlots > mostUsers) invalidArgument(`userSlots must be from 1 to ${mostUsers}: userSlots=${describeValue(userSlots)}`);
  const removeWhenUnused = options.removeWhenUnused ?? false;
  if (typeof removeWhenUnused !== 'boolean') invalidArgument(`removeWhenUnused must be true or false: removeWhenUnused=${describeValue(removeWhenUnused)}`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) invalidArgument(`timeoutMs must be ≥ 0: timeoutMs=${describeValue(options.timeoutMs)}`);
  return { slots, userSlots, removeWhenUnused, timeoutMs };
}

// Segments openOrCreate opened by name after seeing them condemned by
// these reapers, found dead: such a segment may be revived (init.ts).
const revivable = new WeakMap<SegmentLike, ReadonlySet<number>>();

/** Lets the ManagedSegment made over `segment` revive it from a condemnation by one of `deadReapers`. */
export function allowRevival(segment: SegmentLike, deadReapers: ReadonlySet<number>): void {
  revivable.set(segment, deadReapers);
}
