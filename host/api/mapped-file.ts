// A regular file mapped MAP_SHARED: every process that maps it shares the
// pages, and msync (flush) writes them back to the file.
import { invalidArgument, type ShmErrorTarget } from '../errors.js';
import { O_CREAT, O_EXCL, O_RDONLY, O_RDWR } from '../linux/constants.js';
import type { Arena, Window } from '../arena/arena.js';
import { closeFd, openFile, unlinkQuietly } from '../linux/fd.js';
import { FdSegment, ensureSize, mappableSize } from './fd-segment.js';
import { checkBoolean, checkMode, checkOptions, checkPath, checkSize } from '../core/validate.js';

export interface MappedFileOptions {
  /** Bytes to map. With `create`, the file is grown to this size; else at most the file's size (default: all of it). */
  size?: number;
  /** Create the file if missing (mode below). */
  create?: boolean;
  /** Fail if the file exists (with create). */
  exclusive?: boolean;
  mode?: number;
  readOnly?: boolean;
  arena?: Arena;
}

export class MappedFile extends FdSegment {
  readonly path: string;

  private constructor(arena: Arena, window: Window, fd: number, path: string, size: number, mappedSize: number, readOnly: boolean) {
    super(arena, window, fd, size, mappedSize, readOnly);
    this.path = path;
  }

  get description(): string {
    return `file '${this.path}'`;
  }

  protected get target(): ShmErrorTarget {
    return { path: this.path };
  }

  static open(path: string, options: MappedFileOptions = {}): MappedFile {
    const where = 'MappedFile.open';
    checkPath(path, where);
    const o = checkOptions<MappedFileOptions>(options, ['size', 'create', 'exclusive', 'mode', 'readOnly', 'arena'], where);
    const create = checkBoolean(o.create, 'create', where);
    const exclusive = checkBoolean(o.exclusive, 'exclusive', where);
    const readOnly = checkBoolean(o.readOnly, 'readOnly', where);
    const mode = checkMode(o.mode ?? 0o600, where, { path });
    const wanted = o.size === undefined ? undefined : checkSize(o.size, where, { path });
    if (create && readOnly) invalidArgument(`${where}: create and readOnly exclude each other`, { path });
    if (create && wanted === undefined) invalidArgument(`${where}: create needs a size`, { path });
    if (exclusive && !create) invalidArgument(`${where}: exclusive goes with create`, { path });
    const target = { path };
    const what = `file '${path}'`;
    const { fd, created } = create ? createFile(path, exclusive, mode) : { fd: openFile(path, readOnly ? O_RDONLY : O_RDWR, mode), created: false };
    try {
      if (create) ensureSize(fd, wanted!, target, what);
      const size = mappableSize(fd, wanted, target, what);
      const { arena, window, mappedSize } = FdSegment.mapInto({ fd, size, readOnly, hugePages: false, arena: o.arena }, target, what);
      return new MappedFile(arena, window, fd, path, size, mappedSize, readOnly);
    } catch (error) {
      closeFd(fd);
      if (created) unlinkQuietly(path); // nothing half-made stays behind
      throw error;
    }
  }
}

// O_CREAT|O_EXCL first, so a failure later on knows whether the file is ours to remove.
function createFile(path: string, exclusive: boolean, mode: number): { fd: number; created: boolean } {
  for (;;) {
    try {
      return { fd: openFile(path, O_RDWR | O_CREAT | O_EXCL, mode), created: true };
    } catch (error) {
      if (exclusive || (error as { code?: string }).code !== 'EEXIST') throw error;
    }
    try {
      return { fd: openFile(path, O_RDWR, 0), created: false };
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
    }
  }
}
