// A regular file mapped MAP_SHARED: every process that maps it shares the
// pages, and msync (flush) writes them back to the file.
import { invalidArgument, type ShmErrorTarget } from '../errors.js';
import { O_CREAT, O_EXCL, O_RDONLY, O_RDWR } from '../linux/constants.js';
import type { Arena, Window } from '../arena/arena.js';
import { closeFd, ensureSize, fstat, openFile, unlinkPath, unlinkQuietly } from '../linux/fd.js';
import { checkJoinable } from '../linux/ownership.js';
import { FdSegment, arenaFor, mappableSize, ownerOf } from './fd-segment.js';
import { checkBoolean, checkPath, checkMode, checkOptions, checkSize } from '../core/validate.js';

export interface MappedFileOptions {
  /** Bytes to map. With `create`, the file is grown to this size; else at most the file's size (default: all of it). */
  size?: number;
  /** Create the file if missing (mode below). */
  create?: boolean;
  /** Fail if the file exists (with create). */
  exclusive?: boolean;
  /**
   * Permission bits of a created file (default 0o600; the umask applies).
   * Given with `create`, an existing file whose mode grants more than these
   * is not joined (EACCES). Without it any mode is joined, as files made by
   * other tools are commonly 0644 (openOrCreate always passes a mode).
   */
  mode?: number;
  /**
   * With `create`: join an existing file owned by another user. Without it
   * that is EPERM, since whoever made the path first controls the file.
   */
  allowForeignOwner?: boolean;
  readOnly?: boolean;
  /**
   * A writable open of an existing file reserves the pages it maps
   * (fallocate), so a file left sparse is ENOSPC here on a full file system,
   * not SIGBUS at the first write. `noreserve: true` skips that (for files
   * meant to stay sparse), at that risk.
   */
  noreserve?: boolean;
  arena?: Arena;
}

const OPTIONS = ['size', 'create', 'exclusive', 'mode', 'allowForeignOwner', 'readOnly', 'noreserve', 'arena'] as const;

export class MappedFile extends FdSegment {
  readonly path: string;
  /** True when this call made the file. */
  readonly created: boolean;

  private constructor(arena: Arena, window: Window, fd: number, path: string, size: number, mappedSize: number, readOnly: boolean, created: boolean) {
    super(arena, window, fd, size, mappedSize, readOnly);
    this.path = path;
    this.created = created;
  }

  get description(): string {
    return `file '${this.path}'`;
  }

  protected get target(): ShmErrorTarget {
    return { path: this.path };
  }

  /**
   * Maps a file, creating it with `create`. An existing file met by
   * `create` is joined only if this user owns it (else EPERM; see
   * `allowForeignOwner`) and, when `mode` is given, its mode is within it
   * (else EACCES). A plain open trusts the path it was given.
   */
  static open(path: string, options: MappedFileOptions = {}): MappedFile {
    const where = 'MappedFile.open';
    checkPath(path, where);
    const o = checkOptions<MappedFileOptions>(options, OPTIONS, where);
    const target = { path };
    const create = checkBoolean(o.create, 'create', where);
    const exclusive = checkBoolean(o.exclusive, 'exclusive', where);
    const allowForeignOwner = checkBoolean(o.allowForeignOwner, 'allowForeignOwner', where);
    const readOnly = checkBoolean(o.readOnly, 'readOnly', where);
    const noreserve = checkBoolean(o.noreserve, 'noreserve', where);
    const mode = checkMode(o.mode === undefined ? 0o600 : o.mode, where, target);
    const wanted = o.size === undefined ? undefined : checkSize(o.size, where, target);
    if (create && readOnly) invalidArgument(`${where}: create and readOnly exclude each other`, target);
    if (create && wanted === undefined) invalidArgument(`${where}: create needs a size`, target);
    if (exclusive && !create) invalidArgument(`${where}: exclusive goes with create`, target);
    if (o.allowForeignOwner !== undefined && !create) invalidArgument(`${where}: allowForeignOwner goes with create (a plain open does not check the owner)`, target);
    const arena = arenaFor(o.arena, where);
    const what = `file '${path}'`;
    const { fd, created } = create ? createFile(path, exclusive, mode) : { fd: openFile(path, readOnly ? O_RDONLY : O_RDWR, mode), created: false };
    try {
      // Before anything is changed: a refused file is left as it was found.
      if (create && !created) {
        const accepted = o.mode === undefined ? 0o777 : mode;
        checkJoinable(ownerOf(fstat(fd, target, what)), { mode: accepted, allowForeignOwner }, target, what, `rm ${path}`);
      }
      if (create) ensureSize(fd, wanted!, target, what);
      const size = mappableSize(fd, wanted, target, what);
      // create reserved the pages already (ensureSize); a plain writable open reserves them here.
      const reserve = !create && !readOnly && !noreserve;
      const { window, mappedSize } = FdSegment.mapInto({ fd, size, readOnly, hugePages: false, reserve, arena }, target, what);
      return new MappedFile(arena, window, fd, path, size, mappedSize, readOnly, created);
    } catch (error) {
      closeFd(fd);
      if (created) unlinkQuietly(path); // nothing half-made stays behind
      throw error;
    }
  }

  /** unlink(2) of the path: the name goes now; this mapping stays valid until closed. */
  remove(): void {
    unlinkPath(this.path, this.target, this.description);
  }

  /** Whether the path still leads to this file (not to one made after it was removed). */
  namesItself(): boolean {
    return this.isNamedBy(this.path);
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
