// System V segments: shmget/shmat into the arena, shmctl for the rest.
import { ShmError, formatKey, invalidArgument, type ShmErrorTarget } from '../errors.js';
import type { Arena, Window } from '../arena/arena.js';
import {
  IPC_PRIVATE, SHM_DEST, SHM_EXEC, SHM_HUGETLB, SHM_LOCKED, SHM_NORESERVE, SHM_RDONLY, SHM_REMAP,
  HUGE_PAGE_SIZE,
} from '../linux/constants.js';
import { pageSize } from '../linux/mman.js';
import { checkJoinable } from '../linux/ownership.js';
import * as sys from '../linux/sysv.js';
import type { ShmLimits, ShmUsage, ShmidDs } from '../linux/structs.js';
import { Segment } from './segment.js';
import { withJsonForm } from './json-form.js';
import { CreationNote } from './creation-note.js';
import { arenaFor } from './fd-segment.js';
import { DEFAULT_PROJ, checkTarget, createOrOpen, creationKey, targetKey, type SysVTarget } from './sysv-target.js';
import { checkBoolean, checkPath, checkMode, checkOptions, checkProj, checkSize, checkUid } from '../core/validate.js';

export type { SysVTarget } from './sysv-target.js';

export interface SysVCreateOptions {
  /** The key; or give `path` (+ `proj`) for ftok, or `private: true` for IPC_PRIVATE. */
  key?: number;
  path?: string;
  /** ftok project id, 0–255 (default 1). */
  proj?: number;
  private?: boolean;
  /** Bytes. Mapped rounded up to whole pages. */
  size: number;
  /**
   * Permission bits (default 0o600). An existing segment whose mode grants
   * more than these is not joined (EACCES): pass its mode to accept it.
   */
  mode?: number;
  /** Fail with EEXIST if the key is taken (IPC_EXCL). */
  exclusive?: boolean;
  /**
   * Join an existing segment owned or created by another user. Without it
   * that is EPERM: whoever took the key first can read and change what is
   * put there (its creator can change its owner and mode at any time).
   */
  allowForeignOwner?: boolean;
  /** Back with huge pages (SHM_HUGETLB); needs pages reserved in /proc/sys/vm/nr_hugepages. */
  hugetlb?: boolean;
  /** Do not reserve swap (SHM_NORESERVE). */
  noreserve?: boolean;
  /** Attach with execute permission (SHM_EXEC). */
  exec?: boolean;
  arena?: Arena;
}

export interface SysVOpenOptions {
  /** Attach read-only (SHM_RDONLY); the segment then offers `.reader` only. */
  readOnly?: boolean;
  exec?: boolean;
  arena?: Arena;
}

/** A segment's status (shmid_ds), flattened. JSON.stringify writes its bigints as decimal strings. */
export interface SysVStat {
  id: number;
  /** Unsigned 32-bit key; 0 for IPC_PRIVATE. */
  key: number;
  size: bigint;
  /** Permission bits only (0o777). */
  mode: number;
  uid: number;
  gid: number;
  cuid: number;
  cgid: number;
  cpid: number;
  lpid: number;
  nattch: bigint;
  atime: Date | null;
  dtime: Date | null;
  ctime: Date | null;
  /** IPC_RMID was called; the segment goes when the last attachment does. */
  removed: boolean;
  /** Locked in memory with SHM_LOCK. */
  locked: boolean;
}

export interface SysVSetOptions {
  uid?: number;
  gid?: number;
  mode?: number;
}

const CREATE_OPTIONS = ['key', 'path', 'proj', 'private', 'size', 'mode', 'exclusive', 'allowForeignOwner', 'hugetlb', 'noreserve', 'exec', 'arena'] as const;
const OPEN_OPTIONS = ['readOnly', 'exec', 'arena'] as const;

function toStat(id: number, ds: ShmidDs): SysVStat {
  return withJsonForm({
    id,
    key: ds.perm.key,
    size: ds.size,
    mode: ds.perm.mode & 0o777,
    uid: ds.perm.uid,
    gid: ds.perm.gid,
    cuid: ds.perm.cuid,
    cgid: ds.perm.cgid,
    cpid: ds.cpid,
    lpid: ds.lpid,
    nattch: ds.nattch,
    atime: ds.atime,
    dtime: ds.dtime,
    ctime: ds.ctime,
    removed: (ds.perm.mode & SHM_DEST) !== 0,
    locked: (ds.perm.mode & SHM_LOCKED) !== 0,
  });
}

function roundUp(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}

/** Resolves a target to a segment id (shmget with size 0 for keys). */
function resolveId(target: SysVTarget): number {
  return 'id' in target ? target.id : sys.shmget(targetKey(target), 0, 0);
}

/** A System V segment attached into the arena. */
export class SysV extends Segment {
  readonly id: number;
  readonly key: number;
  /** True when this call made the segment (false: it existed). */
  readonly created: boolean;

  private constructor(arena: Arena, window: Window, id: number, key: number, size: number, mappedSize: number, readOnly: boolean, created: boolean) {
    super(arena, window, size, mappedSize, readOnly);
    this.id = id;
    this.key = key;
    this.created = created;
  }

  get description(): string {
    return this.key === IPC_PRIVATE ? `System V segment id ${this.id}` : `System V segment ${formatKey(this.key)} (id ${this.id})`;
  }

  protected get target(): ShmErrorTarget {
    return { key: this.key, id: this.id };
  }

  /** ftok(3): a key from an existing path and a project id (0–255). */
  static ftok(path: string, proj: number = DEFAULT_PROJ): number {
    return sys.ftok(checkPath(path, 'SysV.ftok'), checkProj(proj, 'SysV.ftok'));
  }

  /**
   * Creates a segment (or opens the existing one, unless `exclusive`) and
   * attaches it read-write. An existing segment is joined only if this user
   * owns and created it and its mode is within `mode` (else EPERM or
   * EACCES; see the options).
   */
  static create(options: SysVCreateOptions, note?: CreationNote): SysV {
    const where = 'SysV.create';
    if (note !== undefined && !(note instanceof CreationNote)) invalidArgument(`${where}: the second argument is openOrCreate's creation note; leave it out`);
    const o = checkOptions<SysVCreateOptions>(options, CREATE_OPTIONS, where);
    const size = checkSize(o.size, where);
    const mode = checkMode(o.mode === undefined ? 0o600 : o.mode, where);
    const exclusive = checkBoolean(o.exclusive, 'exclusive', where);
    const allowForeignOwner = checkBoolean(o.allowForeignOwner, 'allowForeignOwner', where);
    const hugetlb = checkBoolean(o.hugetlb, 'hugetlb', where);
    const noreserve = checkBoolean(o.noreserve, 'noreserve', where);
    const exec = checkBoolean(o.exec, 'exec', where);
    const arena = arenaFor(o.arena, where);
    const key = creationKey(o, where);

    const flags = mode | (hugetlb ? SHM_HUGETLB : 0) | (noreserve ? SHM_NORESERVE : 0);
    for (;;) {
      // An existing segment is opened with flags 0: its size and kind are its own.
      const { id, created } = createOrOpen(key, exclusive, (creating) => sys.shmget(key, size, creating === 0 ? 0 : flags | creating), note);
      try {
        if (created) return SysV.#attach(id, key, size, { readOnly: false, exec, hugetlb, arena }, true);
        const { perm } = sys.shmStat(id);
        checkJoinable({ uid: perm.uid, creatorUid: perm.cuid, mode: perm.mode & 0o777 }, { mode, allowForeignOwner },
          { key, id }, `System V segment ${formatKey(key)} (id ${id})`, `shmkit rm --id ${id}`);
        // An existing segment may be larger than asked (shmget allows that) and
        // of either page kind, and shmat maps all of it: size it like open does.
        return SysV.#attach(id, key, mappableSize(id), { readOnly: false, exec, hugetlb: undefined, arena }, false);
      } catch (error) {
        // Removed between shmget and shmat (by gc, or by its last user: a
        // joiner may attach and format it before its creator does, and
        // leave): this call never used it, and the key leads on to a new one.
        if (!existsNow(id)) continue;
        if (created) {
          try {
            sys.shmRemove(id); // nothing half-made stays behind
          } catch {
            // removed meanwhile after all; the first error says more
          }
        }
        throw error;
      }
    }
  }

  /** Attaches an existing segment. Its size is the segment's own. */
  static open(target: SysVTarget, options: SysVOpenOptions = {}): SysV {
    const where = 'SysV.open';
    const t = checkTarget(target, where);
    const o = checkOptions<SysVOpenOptions>(options, OPEN_OPTIONS, where);
    const readOnly = checkBoolean(o.readOnly, 'readOnly', where);
    const exec = checkBoolean(o.exec, 'exec', where);
    const arena = arenaFor(o.arena, where);
    const id = resolveId(t);
    const size = mappableSize(id);
    return SysV.#attach(id, sys.shmStat(id).perm.key, size, { readOnly, exec, hugetlb: undefined, arena }, false);
  }

  static #attach(
    id: number, key: number, size: number,
    how: { readOnly: boolean; exec: boolean; hugetlb: boolean | undefined; arena: Arena },
    created: boolean,
  ): SysV {
    const arena = how.arena;
    const flags = SHM_REMAP | (how.readOnly ? SHM_RDONLY : 0) | (how.exec ? SHM_EXEC : 0);
    // An opened segment may be a huge-page one, which only attaches at a
    // huge-page boundary: try the normal window first, then a huge one.
    const tries = how.hugetlb === undefined ? [false, true] : [how.hugetlb];
    let failure: unknown;
    for (const huge of tries) {
      let mappedSize = roundUp(size, huge ? HUGE_PAGE_SIZE : pageSize());
      let window = arena.claim(mappedSize, huge, how.readOnly);
      // At a huge-page boundary a huge-page segment of unknown kind would
      // attach too, mapping whole huge pages past the window's end over its
      // neighbours (SHM_REMAP replaces them silently). Give it whole huge
      // pages there, and ask the kernel what it mapped.
      const unknownKind = how.hugetlb === undefined && !huge;
      if (unknownKind && window.address % HUGE_PAGE_SIZE === 0 && mappedSize % HUGE_PAGE_SIZE !== 0) {
        arena.release(window);
        window = arena.claim(mappedSize, true, how.readOnly);
      }
      try {
        sys.shmat(id, window.address, flags);
        if (unknownKind && window.length > mappedSize) mappedSize = sys.attachedLength(window.address) ?? mappedSize;
        return new SysV(arena, window, id, key, size, mappedSize, how.readOnly, created);
      } catch (error) {
        arena.release(window);
        failure ??= error;
        if (!(error instanceof ShmError) || error.code !== 'EINVAL') break;
      }
    }
    throw failure;
  }

  /** shmctl(IPC_STAT) of this segment. */
  stat(): SysVStat {
    return toStat(this.id, sys.shmStat(this.id));
  }

  /** shmctl(IPC_SET): owner and permission bits. */
  set(changes: SysVSetOptions): void {
    SysV.set({ id: this.id }, changes);
  }

  /** shmctl(IPC_RMID): the key is freed now; the memory goes after the last detach. */
  remove(): void {
    sys.shmRemove(this.id);
  }

  /** shmctl(SHM_LOCK / SHM_UNLOCK). */
  lock(locked = true): void {
    sys.shmLock(this.id, checkBoolean(locked, 'locked', 'SysV.lock'));
  }

  static stat(target: SysVTarget): SysVStat {
    const id = resolveId(checkTarget(target, 'SysV.stat'));
    return toStat(id, sys.shmStat(id));
  }

  static set(target: SysVTarget, changes: SysVSetOptions): void {
    const where = 'SysV.set';
    const t = checkTarget(target, where);
    // Every argument is checked before the first system call (resolving a key is one).
    const c = checkOptions<SysVSetOptions>(changes, ['uid', 'gid', 'mode'], where);
    const set = {
      uid: checkUid(c.uid, 'uid', where),
      gid: checkUid(c.gid, 'gid', where),
      mode: c.mode === undefined ? undefined : checkMode(c.mode, where),
    };
    sys.shmSet(resolveId(t), set);
  }

  static remove(target: SysVTarget): void {
    sys.shmRemove(resolveId(checkTarget(target, 'SysV.remove')));
  }

  static lock(target: SysVTarget, locked = true): void {
    const t = checkTarget(target, 'SysV.lock');
    const lock = checkBoolean(locked, 'locked', 'SysV.lock'); // before resolving the key, a system call
    sys.shmLock(resolveId(t), lock);
  }

  /** Every System V segment on the host (SHM_STAT enumeration). */
  static list(): SysVStat[] {
    return sys.shmList().map((entry) => toStat(entry.id, entry));
  }

  /** System limits (IPC_INFO). */
  static limits(): ShmLimits {
    return withJsonForm(sys.shmLimits());
  }

  /** System usage (SHM_INFO). */
  static usage(): ShmUsage {
    const { highestIndex: _, ...usage } = sys.shmUsage();
    return withJsonForm(usage);
  }
}

/** Whether segment `id` is still there (IPC_STAT fails once it is destroyed). */
function existsNow(id: number): boolean {
  try {
    sys.shmStat(id);
    return true;
  } catch {
    return false;
  }
}

/** The size of an existing segment, which an attachment maps whole. */
function mappableSize(id: number): number {
  const { size } = sys.shmStat(id);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ShmError({ code: 'EFBIG', message: `segment ${id} is ${size} bytes, more than an arena can map`, id });
  }
  return Number(size);
}
