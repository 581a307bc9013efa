// Enumerating System V objects of one kind by walking the kernel's index:
// *_STAT_ANY (Linux ≥ 4.17) needs no read permission, *_STAT does.
import { release } from 'node:os';
import { lastErrno } from './libc.js';
import { systemError } from './system-error.js';

const EACCES = 13;
const EINVAL = 22;
const EIDRM = 43;

function kernelAtLeast(major: number, minor: number): boolean {
  const [a = 0, b = 0] = release().split('.').map((part) => parseInt(part, 10));
  return a > major || (a === major && b >= minor);
}

/** The stat command to enumerate with on this kernel. */
export function statCommand(statAny: number, stat: number): number {
  return kernelAtLeast(4, 17) ? statAny : stat;
}

/**
 * Calls `stat(index)` for index 0..highestIndex; it returns the object's id
 * or -1. Free slots, unreadable objects and ones removed meanwhile are skipped.
 */
export function walkIndex<T>(syscall: string, highestIndex: number, stat: (index: number) => number, read: (id: number) => T): T[] {
  const entries: T[] = [];
  for (let index = 0; index <= highestIndex; index++) {
    const id = stat(index);
    if (id === -1) {
      const errno = lastErrno();
      if (errno === EINVAL || errno === EACCES || errno === EIDRM) continue;
      throw systemError(syscall, errno, {}, `stat of index ${index}`);
    }
    entries.push(read(id));
  }
  return entries;
}
