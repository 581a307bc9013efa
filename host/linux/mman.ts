// Mapping calls. shmkit only ever maps at fixed addresses inside its arena.
import {
  MAP_ANONYMOUS, MAP_FIXED, MAP_NORESERVE, MAP_PRIVATE, MAP_SHARED, MS_ASYNC, MS_INVALIDATE, MS_SYNC,
  PROT_READ, PROT_WRITE,
} from './constants.js';
import { libc } from './libc.js';
import { throwErrno } from './system-error.js';
import type { ShmErrorTarget } from '../errors.js';

const hex = (address: number) => '0x' + address.toString(16);

/** mmap(2) of `fd` at exactly `address` with MAP_SHARED: both sides see every write. */
export function mapSharedFixed(
  address: number, length: number, fd: number, readOnly: boolean, target: ShmErrorTarget, what: string,
): void {
  const prot = readOnly ? PROT_READ : PROT_READ | PROT_WRITE;
  const at = libc.mmap(address, length, prot, MAP_SHARED | MAP_FIXED, fd, 0);
  if (at === -1) {
    throwErrno('mmap', target, what, (code) =>
      code === 'EACCES' ? 'the descriptor does not allow that access; open it read-write or map read-only' : '');
  }
}

/**
 * Re-covers [address, address+length) with fresh private zero pages. This
 * both drops whatever was mapped there (a shmat attachment or a shared
 * mapping) and keeps the range valid memory: a hole in the Wasm memory
 * would be a SIGSEGV for the whole process on the next access.
 */
export function coverWithAnonymous(address: number, length: number): void {
  const at = libc.mmap(address, length, PROT_READ | PROT_WRITE,
    MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (at === -1) throwErrno('mmap', {}, `anonymous cover at ${hex(address)}`);
}

/** msync(2): write a file-backed mapping back (sync waits for it; async schedules it). */
export function flushMapping(address: number, length: number, mode: 'sync' | 'async', invalidate: boolean, target: ShmErrorTarget, what: string): void {
  const flags = (mode === 'sync' ? MS_SYNC : MS_ASYNC) | (invalidate ? MS_INVALIDATE : 0);
  if (libc.msync(address, length, flags) === -1) throwErrno('msync', target, what);
}

let cachedPageSize = 0;
/** getpagesize(2), read once. */
export function pageSize(): number {
  return (cachedPageSize ||= libc.getpagesize());
}
