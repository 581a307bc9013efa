// File-descriptor calls shared by POSIX objects, memfds and regular files.
import { constants } from 'node:os';
import { chmodSync, fchmodSync, fstatSync, openSync, readlinkSync, statSync, unlinkSync, type BigIntStats } from 'node:fs';
import { invalidArgument, type ShmError, type ShmErrorTarget } from '../errors.js';
import { F_ADD_SEALS, F_SEAL_SHRINK, MFD_ALLOW_SEALING, MFD_CLOEXEC, MFD_HUGETLB } from './constants.js';
import { lastErrno, libc } from './libc.js';
import { systemError, throwErrno } from './system-error.js';

const { EBADF, EINTR, EOPNOTSUPP } = constants.errno;

/** ftruncate(2): sets the object's size (new bytes read as zero). */
export function ftruncate(fd: number, size: number, target: ShmErrorTarget, what: string): void {
  if (libc.ftruncate(fd, size) === -1) {
    throwErrno('ftruncate', target, what, (code) =>
      code === 'EINVAL' || code === 'EBADF' ? 'the object is not open for writing' : '');
  }
}

/**
 * Makes an object at least `size` bytes with its pages reserved, so that a
 * full filesystem (/dev/shm included) fails here with ENOSPC instead of as
 * SIGBUS on first touch. posix_fallocate grows the size as it reserves and
 * never shrinks it, so a creator racing another (one asking for more) cannot
 * cut the other's segment; a failed reservation leaves a tmpfs object's size
 * as it was, and nothing is undone by hand (an ftruncate back could cut what
 * a concurrent creator has formatted since).
 */
export function ensureSize(fd: number, size: number, target: ShmErrorTarget, what: string): void {
  if (size === 0) return;
  for (;;) {
    const errno = libc.posix_fallocate(fd, 0, size);
    if (errno === 0) return;
    if (errno === EINTR) continue; // tmpfs gives up a long reservation for any signal
    throw systemError('posix_fallocate', errno, target, what, (code) =>
      code === 'ENOSPC' ? `no room for ${size} bytes; free space in the filesystem (df -h) or ask for less` : '');
  }
}

/**
 * fallocate(2) over the first `size` bytes of an object that already exists,
 * at a writable open: pages another program left unbacked (it only
 * ftruncate'd) are reserved now, so a full file system is ENOSPC here
 * instead of SIGBUS at this process's first write there. Unlike
 * posix_fallocate it never falls back to writing zeros, which could
 * overwrite what another process writes meanwhile; where the file system
 * cannot reserve (EOPNOTSUPP), nothing is reserved.
 */
export function reservePages(fd: number, size: number, target: ShmErrorTarget, what: string): void {
  if (size === 0) return;
  for (;;) {
    if (libc.fallocate(fd, 0, 0, size) === 0) return;
    const errno = lastErrno();
    if (errno === EINTR) continue; // tmpfs gives up a long reservation for any signal
    if (errno === EOPNOTSUPP) return;
    throw systemError('fallocate', errno, target, what, (code) =>
      code === 'ENOSPC' || code === 'EDQUOT'
        ? `${what} is sparse (pages without storage behind them, as ftruncate alone leaves them) and the file system has no room ` +
          `for its ${size} bytes; a write there would kill this process with SIGBUS. Free space (df -h), open it read-only, ` +
          'or pass noreserve: true to map it unreserved at that risk'
        : '');
  }
}

/**
 * Checks that `fd` is an open memfd (its /proc/self/fd link reads
 * '/memfd:NAME (deleted)') and returns that link: EBADF if it is not open,
 * EINVAL if it is something else (a file, a pipe, a POSIX object).
 */
export function checkMemfd(fd: number, where: string): string {
  let link: string;
  try {
    link = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    throw systemError('readlink', EBADF, { objectName: `fd ${fd}` }, `/proc/self/fd/${fd}`, () =>
      `fd ${fd} is not an open descriptor of this process; pass the stdio slot the memfd came in`);
  }
  if (!link.startsWith('/memfd:')) {
    invalidArgument(`${where}: fd ${fd} is not a memfd (it is ${JSON.stringify(link)}); map files with MappedFile.open and POSIX objects with Posix.open`, { objectName: `fd ${fd}` });
  }
  return link;
}

/** fstat(2) through Node, with sizes as bigint. */
export function fstat(fd: number, target: ShmErrorTarget, what: string): BigIntStats {
  try {
    return fstatSync(fd, { bigint: true });
  } catch (error) {
    throw fromNodeError(error, 'fstat', target, what);
  }
}

/** stat(2) of a path through Node, with sizes as bigint. */
export function statPath(path: string, target: ShmErrorTarget, what: string): BigIntStats {
  try {
    return statSync(path, { bigint: true });
  } catch (error) {
    throw fromNodeError(error, 'stat', target, what);
  }
}

/** close(2); closing is never worth throwing over, so failures are ignored. */
export function closeFd(fd: number): void {
  libc.close(fd);
}

/** memfd_create(2): an anonymous file to share with child processes by fd. */
export function memfdCreate(name: string, hugetlb: boolean): number {
  const fd = libc.memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | (hugetlb ? MFD_HUGETLB : 0));
  if (fd === -1) throwErrno('memfd_create', { objectName: name }, `'${name}'`);
  return fd;
}

/**
 * Seals a memfd against shrinking: no process holding it can truncate it
 * under another's mapping, which would turn the next access into SIGBUS.
 */
export function sealShrink(fd: number, target: ShmErrorTarget, what: string): void {
  if (libc.fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) === -1) throwErrno('fcntl', target, `F_ADD_SEALS on ${what}`);
}

/** open(2) of a regular file through Node. */
export function openFile(path: string, flags: number, mode: number): number {
  try {
    return openSync(path, flags, mode);
  } catch (error) {
    throw fromNodeError(error, 'open', { path }, `'${path}'`);
  }
}

/** fchmod(2) through Node: sets the mode exactly, whatever the umask. */
export function fchmod(fd: number, mode: number, target: ShmErrorTarget, what: string): void {
  try {
    fchmodSync(fd, mode);
  } catch (error) {
    throw fromNodeError(error, 'fchmod', target, what);
  }
}

/** unlink(2) of a path. */
export function unlinkPath(path: string, target: ShmErrorTarget, what: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    throw fromNodeError(error, 'unlink', target, what);
  }
}

/** unlink(2) of a path, for undoing a half-made file; failures are ignored. */
export function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone, or not ours to remove
  }
}

function fromNodeError(error: unknown, syscall: string, target: ShmErrorTarget, what: string): ShmError {
  const errno = (error as NodeJS.ErrnoException).errno;
  if (typeof errno !== 'number') throw error;
  return systemError(syscall, -errno, target, what, (code) =>
    code === 'ENOENT' ? `${what} does not exist` : '');
}

/** chmod(2) of a path through Node: sets the mode exactly, whatever the umask. */
export function chmodPath(path: string, mode: number, target: ShmErrorTarget, what: string): void {
  try {
    chmodSync(path, mode);
  } catch (error) {
    throw fromNodeError(error, 'chmod', target, what);
  }
}
