// File-descriptor calls shared by POSIX objects, memfds and regular files.
import { chmodSync, fchmodSync, fstatSync, openSync, statSync, unlinkSync, type BigIntStats } from 'node:fs';
import type { ShmError, ShmErrorTarget } from '../errors.js';
import { F_ADD_SEALS, F_SEAL_SHRINK, MFD_ALLOW_SEALING, MFD_CLOEXEC, MFD_HUGETLB } from './constants.js';
import { libc } from './libc.js';
import { systemError, throwErrno } from './system-error.js';

/** ftruncate(2): sets the object's size (new bytes read as zero). */
export function ftruncate(fd: number, size: number, target: ShmErrorTarget, what: string): void {
  if (libc.ftruncate(fd, size) === -1) {
    throwErrno('ftruncate', target, what, (code) =>
      code === 'EINVAL' || code === 'EBADF' ? 'the object is not open for writing' : '');
  }
}

/**
 * posix_fallocate(3): reserves the pages now, so a full filesystem (/dev/shm
 * included) fails here with ENOSPC instead of as SIGBUS on first touch.
 */
export function fallocate(fd: number, size: number, target: ShmErrorTarget, what: string): void {
  if (size === 0) return;
  const errno = libc.posix_fallocate(fd, 0, size);
  if (errno !== 0) {
    throw systemError('posix_fallocate', errno, target, what, (code) =>
      code === 'ENOSPC' ? `no room for ${size} bytes; free space in the filesystem (df -h) or ask for less` : '');
  }
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
