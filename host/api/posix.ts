// POSIX shared memory objects: shm_open + mmap into the arena.
import { readdirSync } from 'node:fs';
import { invalidArgument, type ShmErrorTarget } from '../errors.js';
import type { Arena, Window } from '../arena/arena.js';
import { O_CREAT, O_EXCL, O_RDONLY, O_RDWR } from '../linux/constants.js';
import { closeFd, ensureSize, fchmod, fstat, ftruncate, statPath } from '../linux/fd.js';
import { checkJoinable } from '../linux/ownership.js';
import { POSIX_SHM_DIR, shmOpen, shmUnlink, validatePosixName } from '../linux/posix.js';
import { FdSegment, arenaFor, mappableSize, ownerOf, toFdStat, type FdStat } from './fd-segment.js';
import { checkBoolean, checkMode, checkOptions, checkSize } from '../core/validate.js';
import { withJsonForm } from './json-form.js';
import { CreationNote } from './creation-note.js';

export interface PosixCreateOptions {
  /** Bytes. The object is made at least this big, with its pages reserved. */
  size: number;
  /**
   * Permission bits (default 0o600). An existing object whose mode grants
   * more than these is not joined (EACCES): pass its mode to accept it.
   */
  mode?: number;
  /** Fail with EEXIST if the name is taken (O_EXCL). */
  exclusive?: boolean;
  /** Empty an existing object first (after the owner and mode checks). */
  truncate?: boolean;
  /**
   * Join an existing object owned by another user. Without it that is
   * EPERM: whoever made the name first can read and change what is put there.
   */
  allowForeignOwner?: boolean;
  arena?: Arena;
}

export interface PosixOpenOptions {
  /** Open O_RDONLY and map read-only; the segment then offers `.reader` only. */
  readOnly?: boolean;
  /** Map only the first `size` bytes (default: the whole object). */
  size?: number;
  /**
   * A writable open reserves the mapped pages (fallocate), so an object left
   * sparse by another program is ENOSPC here when /dev/shm is full, not
   * SIGBUS at the first write. `noreserve: true` skips that, at that risk.
   */
  noreserve?: boolean;
  arena?: Arena;
}

/** A POSIX object's status, with its name. */
export interface PosixStat extends FdStat {
  name: string;
}

const CREATE_OPTIONS = ['size', 'mode', 'exclusive', 'truncate', 'allowForeignOwner', 'arena'] as const;
const OPEN_OPTIONS = ['readOnly', 'size', 'noreserve', 'arena'] as const;

/** A POSIX shared memory object (/dev/shm/NAME) mapped into the arena. */
export class Posix extends FdSegment {
  readonly name: string;
  /** True when this call made the object. */
  readonly created: boolean;

  private constructor(arena: Arena, window: Window, fd: number, name: string, size: number, mappedSize: number, readOnly: boolean, created: boolean) {
    super(arena, window, fd, size, mappedSize, readOnly);
    this.name = name;
    this.created = created;
  }

  get description(): string {
    return `POSIX object '${this.name}'`;
  }

  protected get target(): ShmErrorTarget {
    return { objectName: this.name };
  }

  /**
   * Creates the object (or opens it, unless `exclusive`), sizes it and maps
   * it read-write. An existing object is joined only if this user owns it
   * and its mode is within `mode` (else EPERM or EACCES; see the options).
   */
  static create(name: string, options: PosixCreateOptions, note?: CreationNote): Posix {
    const where = 'Posix.create';
    if (note !== undefined && !(note instanceof CreationNote)) invalidArgument(`${where}: the third argument is openOrCreate's creation note; leave it out`);
    validatePosixName(name);
    const o = checkOptions<PosixCreateOptions>(options, CREATE_OPTIONS, where);
    const target = { objectName: name };
    const size = checkSize(o.size, where, target);
    const mode = checkMode(o.mode === undefined ? 0o600 : o.mode, where, target);
    const exclusive = checkBoolean(o.exclusive, 'exclusive', where);
    const truncate = checkBoolean(o.truncate, 'truncate', where);
    const allowForeignOwner = checkBoolean(o.allowForeignOwner, 'allowForeignOwner', where);
    const arena = arenaFor(o.arena, where);
    const what = `POSIX object '${name}'`;

    const { fd, created } = openOrMake(name, mode, exclusive, note);
    try {
      if (created) {
        fchmod(fd, mode, target, what); // shm_open applies the umask; the mode asked for is the mode given (as SysV does)
      } else {
        // Before anything is changed: a refused object is left as it was found.
        checkJoinable(ownerOf(fstat(fd, target, what)), { mode, allowForeignOwner }, target, what, `shmkit rm ${name}`);
        if (truncate) ftruncate(fd, 0, target, what);
      }
      ensureSize(fd, size, target, what);
      const { window, mappedSize } = FdSegment.mapInto({ fd, size, readOnly: false, hugePages: false, reserve: false, arena }, target, what);
      return new Posix(arena, window, fd, name, size, mappedSize, false, created);
    } catch (error) {
      closeFd(fd);
      if (created) shmUnlink(name); // nothing half-made stays behind
      throw error;
    }
  }

  /**
   * Maps an existing object, read-write or read-only. A writable open
   * reserves the pages it maps (see `noreserve`); a read-only one never
   * writes or allocates.
   */
  static open(name: string, options: PosixOpenOptions = {}): Posix {
    const where = 'Posix.open';
    validatePosixName(name);
    const o = checkOptions<PosixOpenOptions>(options, OPEN_OPTIONS, where);
    const target = { objectName: name };
    const readOnly = checkBoolean(o.readOnly, 'readOnly', where);
    const noreserve = checkBoolean(o.noreserve, 'noreserve', where);
    const wanted = o.size === undefined ? undefined : checkSize(o.size, where, target);
    const arena = arenaFor(o.arena, where);
    const what = `POSIX object '${name}'`;
    const fd = shmOpen(name, readOnly ? O_RDONLY : O_RDWR, 0);
    try {
      const size = mappableSize(fd, wanted, target, what);
      const { window, mappedSize } = FdSegment.mapInto({ fd, size, readOnly, hugePages: false, reserve: !readOnly && !noreserve, arena }, target, what);
      return new Posix(arena, window, fd, name, size, mappedSize, readOnly, false);
    } catch (error) {
      closeFd(fd);
      throw error;
    }
  }

  /** shm_unlink(3): the name goes now; mappings stay valid until closed. */
  remove(): void {
    shmUnlink(this.name);
  }

  /** Whether the name still leads to this object (not to one made after it was removed). */
  namesItself(): boolean {
    return this.isNamedBy(POSIX_SHM_DIR + this.name);
  }

  static remove(name: string): void {
    shmUnlink(name);
  }

  /** Status of a named object (stat of its /dev/shm file: no read permission needed). */
  static stat(name: string): PosixStat {
    validatePosixName(name);
    return withJsonForm({ name, ...toFdStat(statPath(POSIX_SHM_DIR + name, { objectName: name }, `POSIX object '${name}'`)) });
  }

  /** Every POSIX shared memory object on the host (the files under /dev/shm, semaphores aside). */
  static list(): PosixStat[] {
    const found: PosixStat[] = [];
    for (const entry of readdirSync(POSIX_SHM_DIR, { withFileTypes: true })) {
      if (!entry.isFile() || entry.name.startsWith('sem.')) continue;
      try {
        found.push(Posix.stat('/' + entry.name));
      } catch {
        // unlinked between readdir and stat
      }
    }
    return found.sort((a, b) => a.name.localeCompare(b.name));
  }
}

// An existing object is opened; else made with O_CREAT|O_EXCL, so the
// caller knows whether it made the object, and only then is a creation
// note written (before the object can exist). Never O_TRUNC: an existing
// object is checked before it is changed.
function openOrMake(name: string, mode: number, exclusive: boolean, note: CreationNote | undefined): { fd: number; created: boolean } {
  for (;;) {
    if (!exclusive) {
      try {
        return { fd: shmOpen(name, O_RDWR, 0), created: false };
      } catch (error) {
        if ((error as { code?: string }).code !== 'ENOENT') throw error;
      }
    }
    note?.making();
    try {
      const fd = shmOpen(name, O_RDWR | O_CREAT | O_EXCL, mode);
      note?.made(fstat(fd, { objectName: name }, `POSIX object '${name}'`).ino);
      return { fd, created: true };
    } catch (error) {
      if (exclusive || (error as { code?: string }).code !== 'EEXIST') throw error;
    }
  }
}
