// Anonymous shared memory for a process and the children it starts: the
// Node form of "fork after mmap(MAP_SHARED|MAP_ANONYMOUS)". The parent
// hands `fd` to a child through spawn's stdio array; the child maps it with
// Memfd.fromFd.
import type { ShmErrorTarget } from '../errors.js';
import { invalidArgument } from '../errors.js';
import type { Arena, Window } from '../arena/arena.js';
import { closeFd, memfdCreate, sealShrink } from '../linux/fd.js';
import { FdSegment, ensureSize, mappableSize } from './fd-segment.js';
import { checkBoolean, checkOptions, checkSize } from '../core/validate.js';

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
    const label = o.name ?? 'shmkit';
    if (typeof label !== 'string' || Buffer.byteLength(label) > 249 || label.includes('/') || label.includes('\0')) {
      invalidArgument(`${where}: name must be a string of at most 249 bytes without '/': name=${JSON.stringify(label)}`);
    }
    const fd = memfdCreate(label, hugetlb);
    try {
      const target = { objectName: label };
      ensureSize(fd, size, target, `memfd '${label}'`);
      sealShrink(fd, target, `memfd '${label}'`); // children can grow it, never shrink it under a mapping
      const { arena, window, mappedSize } = FdSegment.mapInto({ fd, size, readOnly: false, hugePages: hugetlb, arena: o.arena }, target, `memfd '${label}'`);
      return new Memfd(arena, window, fd, label, size, mappedSize, false);
    } catch (error) {
      closeFd(fd);
      throw error;
    }
  }

  /**
   * Maps a memfd this process received (in a child: the stdio slot it was
   * passed in, e.g. 3). The segment takes ownership of the descriptor.
   */
  static fromFd(fd: number, options: MemfdOpenOptions = {}): Memfd {
    const where = 'Memfd.fromFd';
    if (!Number.isInteger(fd) || fd < 0) invalidArgument(`${where}: fd must be a non-negative integer: fd=${String(fd)}`);
    const o = checkOptions<MemfdOpenOptions>(options, ['readOnly', 'size', 'arena'], where);
    const readOnly = checkBoolean(o.readOnly, 'readOnly', where);
    const label = `fd ${fd}`;
    const target = { objectName: label };
    const size = mappableSize(fd, o.size === undefined ? undefined : checkSize(o.size, where), target, label);
    const { arena, window, mappedSize } = FdSegment.mapInto({ fd, size, readOnly, hugePages: false, arena: o.arena }, target, label);
    return new Memfd(arena, window, fd, label, size, mappedSize, readOnly);
  }
}
