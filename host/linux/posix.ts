// POSIX shared memory objects (shm_open / shm_unlink), which glibc keeps as
// files under /dev/shm.
import { invalidArgument } from '../errors.js';
import { NAME_MAX } from './constants.js';
import { libc } from './libc.js';
import { throwErrno } from './system-error.js';

export const POSIX_SHM_DIR = '/dev/shm';

/**
 * Checks a POSIX object name before any call: '/name', no other '/', at most
 * `max` bytes after the '/'. Semaphore names share the rules with a shorter
 * limit, so the kind of name is a parameter.
 */
export function validatePosixName(name: unknown, kind = 'POSIX shared memory name', max = NAME_MAX): asserts name is string {
  if (typeof name !== 'string') invalidArgument(`${kind} must be a string like '/my-name': got ${typeof name}`);
  const target = { objectName: name };
  if (!name.startsWith('/')) invalidArgument(`${kind} must start with '/': name='${name}'`, target);
  const rest = name.slice(1);
  if (rest.length === 0 || rest === '.' || rest === '..') invalidArgument(`${kind} needs characters after '/': name='${name}'`, target);
  if (rest.includes('/')) invalidArgument(`${kind} may contain only the leading '/': name='${name}'`, target);
  if (rest.includes('\0')) invalidArgument(`${kind} may not contain NUL: name=${JSON.stringify(name)}`, target);
  const bytes = Buffer.byteLength(rest);
  if (bytes > max) invalidArgument(`${kind} is ${bytes} bytes after '/'; at most ${max} are allowed`, target);
}

/** shm_open(3). Returns a file descriptor. */
export function shmOpen(name: string, flags: number, mode: number): number {
  validatePosixName(name);
  const fd = libc.shm_open(name, flags, mode);
  if (fd === -1) {
    throwErrno('shm_open', { objectName: name }, `'${name}'`, (code) => {
      switch (code) {
        case 'EEXIST':
          return `'${name}' exists; open it instead, or remove it with \`shmkit rm ${name}\``;
        case 'ENOENT':
          return `no POSIX object is named '${name}'; create it first (shmkit create posix ${name} --size N)`;
        case 'EACCES':
          return `this user may not open '${name}' with that access; open it read-only or check its mode with \`shmkit stat ${name}\``;
        default:
          return '';
      }
    });
  }
  return fd;
}

/** shm_unlink(3): the name goes now; the memory stays until the last mapping and fd close. */
export function shmUnlink(name: string): void {
  validatePosixName(name);
  if (libc.shm_unlink(name) === -1) {
    throwErrno('shm_unlink', { objectName: name }, `'${name}'`, (code) =>
      code === 'ENOENT' ? `no POSIX object is named '${name}' (already removed?)` : '');
  }
}
