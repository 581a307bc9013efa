// Anonymous shared memory for a process and the children it starts: the
// Node form of "fork after mmap(MAP_SHARED|MAP_ANONYMOUS)". The parent
// hands `fd` to a child through spawn's stdio array; the child maps it with
// Memfd.fromFd.
import type { ShmErrorTarget } from '../errors.js';
import type { Arena, Window } from '../arena/arena.js';
import { checkMemfd, closeFd, ensureSize, fstat, memfdCreate, sealShrink } from '../linux/fd.js';
import { FdSegment, arenaFor, mappableSize } from './fd-segment.js';
import { checkBoolean, checkInteger, checkLabel, checkOptions, checkSize } from '../core/validate.js';

// memfd_create(2) takes names of at most 249 bytes (NAME_MAX less 'memfd:').
const MEMFD_NAME_MAX = 249;
// Descriptors are C ints.
const FD_MAX = 0x7fffffff;

export interface MemfdCreateOptions {
  size: number;
  /** A label shown in /proc/PID/fd and /proc/PID/maps (default 'shmkit'). */
  name?: string;
  /** Back with huge pages (MFD_HUGETLB). */
  hugetlb?: boolean;
  arena?: Arena;
}

export interface MemfdOpenOptions {
  readOnly?: boolean;
  size?: number;
  /** Skip reserving the pages of a writable mapping (see Posix.open's `noreserve`). */
  noreserve?: boolean;
  arena?: Arena;
}

export class Memfd extends FdSegment {
  readonly label: string;

  private constructor(arena: Arena, window: Window, fd: number, label: string, size: number, mappedSize: number, readOnly: boolean) {
    super(arena, window, fd, size, mappedSize, readOnly);
    this.label = label;
  }

  get description(): string {
    return `memfd '${this.label}' (fd ${this.fd})`;
  }

  protected get target(): ShmErrorTarget {
    return { objectName: this.label };
  }

  /** memfd_create + size + map. The fd is close-on-exec; pass it to children explicitly. */
  static create(options: MemfdCreateOptions): Memfd {
    const where = 'Memfd.create';
    const o = checkOptions<MemfdCreateOptions>(options, ['size', 'name', 'hugetlb', 'arena'], where);
    const size = checkSize(o.size, where);
    const hugetlb = checkBoolean(o.hugetlb, 'hugetlb', where);
    const label = checkLabel(o.name === undefined ? 'shmkit' : o.name, 'name', MEMFD_NAME_MAX, '/', where);
    const target = { objectName: label };
    const arena = arenaFor(o.arena, where);
    const what = `memfd '${label}'`;
    const fd = memfdCreate(label, hugetlb);
    try {
      ensureSize(fd, size, target, what);
      sealShrink(fd, target, what); // children can grow it, never shrink it under a mapping
      const { window, mappedSize } = FdSegment.mapInto({ fd, size, readOnly: false, hugePages: hugetlb, reserve: false, arena }, target, what);
      return new Memfd(arena, window, fd, label, size, mappedSize, false);
    } catch (error) {
      closeFd(fd);
      throw error;
    }
  }

  /**
   * Maps a memfd this process received (in a child: the stdio slot it was
   * passed in, e.g. 3). The segment takes ownership of the descriptor; if
   * this throws, the caller still owns it. A descriptor that is not open is
   * EBADF, one that is not a memfd EINVAL. A writable mapping reserves its
   * pages first (see `noreserve`).
   */
  static fromFd(fd: number, options: MemfdOpenOptions = {}): Memfd {
    const where = 'Memfd.fromFd';
    checkInteger(fd, 'fd', 0, FD_MAX, where);
    const o = checkOptions<MemfdOpenOptions>(options, ['readOnly', 'size', 'noreserve', 'arena'], where);
    const readOnly = checkBoolean(o.readOnly, 'readOnly', where);
    const noreserve = checkBoolean(o.noreserve, 'noreserve', where);
    const label = `fd ${fd}`;
    const target = { objectName: label };
    const wanted = o.size === undefined ? undefined : checkSize(o.size, where, target);
    const arena = arenaFor(o.arena, where);
    fstat(fd, target, label); // a descriptor that is not open is EBADF, from the kernel
    checkMemfd(fd, where);
    const size = mappableSize(fd, wanted, target, label);
    const { window, mappedSize } = FdSegment.mapInto({ fd, size, readOnly, hugePages: false, reserve: !readOnly && !noreserve, arena }, target, label);
    return new Memfd(arena, window, fd, label, size, mappedSize, readOnly);
  }
}
