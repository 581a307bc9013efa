// Segments backed by a file descriptor: POSIX objects, memfds and regular
// files all map the same way (mmap MAP_SHARED|MAP_FIXED into a window).
import { fchmodSync, fchownSync, fstatSync, statSync, type BigIntStats } from 'node:fs';
import { ShmError, invalidArgument, type ShmErrorTarget } from '../errors.js';
import { Arena, type Window } from '../arena/arena.js';
import { closeFd, fstat, reservePages } from '../linux/fd.js';
import { flushMapping, mapSharedFixed, pageSize } from '../linux/mman.js';
import type { FoundOwner } from '../linux/ownership.js';
import { Segment } from './segment.js';
import { withJsonForm } from './json-form.js';
import { checkBoolean, checkInstance, checkMode, checkOptions, checkUid, describeValue } from '../core/validate.js';

/** Status of a descriptor-backed object (from fstat). JSON.stringify writes its bigints as decimal strings. */
export interface FdStat {
  /** Object size in bytes. */
  size: bigint;
  /** Permission bits (0o777). */
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of storage actually allocated. */
  allocated: bigint;
  atime: Date;
  mtime: Date;
  ctime: Date;
}

export interface FdSetOptions {
  uid?: number;
  gid?: number;
  mode?: number;
}

export interface MapRequest {
  fd: number;
  /** Bytes to map, at most the object's size. */
  size: number;
  readOnly: boolean;
  hugePages: boolean;
  /** Reserve the mapped pages first (fallocate), for a writable open of an object that may be sparse. */
  reserve: boolean;
  arena: Arena;
}

/** The `arena` option, checked before any system call: an Arena, or the default. */
export function arenaFor(arena: unknown, where: string): Arena {
  return checkInstance(arena, Arena, 'arena', where) ?? Arena.default;
}

/** Owner and mode of an object, from its fstat. */
export function ownerOf(st: BigIntStats): FoundOwner {
  return { uid: Number(st.uid), mode: Number(st.mode & 0o777n) };
}

function statOf(fd: number, target: ShmErrorTarget, what: string): FdStat {
  return toFdStat(fstat(fd, target, what));
}

export function toFdStat(st: BigIntStats): FdStat {
  return withJsonForm({
    size: st.size,
    mode: Number(st.mode & 0o777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    allocated: st.blocks * 512n,
    atime: st.atime,
    mtime: st.mtime,
    ctime: st.ctime,
  });
}

/** How many bytes of the object may be mapped: never past its end (SIGBUS). */
export function mappableSize(fd: number, wanted: number | undefined, target: ShmErrorTarget, what: string): number {
  const objectSize = fstat(fd, target, what).size;
  if (objectSize === 0n) {
    throw new ShmError({ code: 'EINVAL', message: `${what} is empty (0 bytes), so there is nothing to map; give it a size first (ftruncate, or create with a size)`, ...target });
  }
  if (wanted === undefined) {
    if (objectSize > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ShmError({ code: 'EFBIG', message: `${what} is ${objectSize} bytes; pass a smaller size to map part of it`, ...target });
    }
    return Number(objectSize);
  }
  if (BigInt(wanted) > objectSize) {
    throw new ShmError({ code: 'EINVAL', message: `${what} is ${objectSize} bytes, smaller than the ${wanted} asked; mapping past its end would crash on access`, ...target });
  }
  return wanted;
}

export abstract class FdSegment extends Segment {
  /** The descriptor, open while the segment is. */
  readonly fd: number;

  protected constructor(arena: Arena, window: Window, fd: number, size: number, mappedSize: number, readOnly: boolean) {
    super(arena, window, size, mappedSize, readOnly);
    this.fd = fd;
  }

  /**
   * Maps `request.fd` into a new window; on failure the window goes back and
   * the caller still owns the descriptor.
   */
  protected static mapInto(request: MapRequest, target: ShmErrorTarget, what: string): { arena: Arena; window: Window; mappedSize: number } {
    const arena = request.arena;
    const unit = request.hugePages ? 2 * 1024 * 1024 : pageSize();
    const mappedSize = Math.ceil(request.size / unit) * unit;
    const window = arena.claim(mappedSize, request.hugePages, request.readOnly);
    try {
      // After the window is had, so a size the arena cannot take reserves nothing.
      if (request.reserve) reservePages(request.fd, request.size, target, what);
      mapSharedFixed(window.address, mappedSize, request.fd, request.readOnly, target, what);
    } catch (error) {
      arena.release(window);
      throw error;
    }
    return { arena, window, mappedSize };
  }

  /** Whether `path` still leads to this object (a name can be removed and made anew while a mapping lives on). */
  protected isNamedBy(path: string): boolean {
    try {
      const named = statSync(path, { bigint: true });
      const held = fstatSync(this.fd, { bigint: true });
      return named.ino === held.ino && named.dev === held.dev;
    } catch {
      return false;
    }
  }

  /** fstat of the object. */
  stat(): FdStat {
    this.assertOpen();
    return statOf(this.fd, this.target, this.description);
  }

  /** fchmod / fchown of the object. */
  set(changes: FdSetOptions): void {
    this.assertOpen();
    const where = `${this.constructor.name}.set`;
    const c = checkOptions<FdSetOptions>(changes, ['uid', 'gid', 'mode'], where);
    const uid = checkUid(c.uid, 'uid', where);
    const gid = checkUid(c.gid, 'gid', where);
    const mode = c.mode === undefined ? undefined : checkMode(c.mode, where);
    try {
      if (mode !== undefined) fchmodSync(this.fd, mode);
      if (uid !== undefined || gid !== undefined) {
        const st = this.stat();
        fchownSync(this.fd, uid ?? st.uid, gid ?? st.gid);
      }
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      throw new ShmError({ code: e.code ?? 'EIO', errno: e.errno, syscall: e.syscall, message: `${e.syscall ?? 'fchmod'} ${this.description}: ${e.message}; only the owner or a privileged user may change it`, ...this.target, cause: error });
    }
  }

  /** msync(2): writes a file-backed mapping back to its file. */
  flush(mode: 'sync' | 'async' = 'sync', invalidate = false): void {
    this.assertOpen();
    if (mode !== 'sync' && mode !== 'async') invalidArgument(`flush: mode must be 'sync' or 'async': mode=${describeValue(mode)}`, this.target);
    const drop = checkBoolean(invalidate, 'invalidate', 'flush');
    flushMapping(this.address, this.mappedSize, mode, drop, this.target, this.description);
  }

  protected override afterDetach(): void {
    closeFd(this.fd);
  }
}
