// POSIX named semaphores (sem_open & co.). glibc keeps each as a small file
// /dev/shm/sem.NAME that every opener maps; a handle is that mapping's sem_t *.
import type { ShmErrorTarget } from '../errors.js';
import { SEM_NAME_MAX, SEM_VALUE_MAX } from './constants.js';
import { addressOf, lastErrno, libc } from './libc.js';
import { SEM_TIMEDWAIT_CALL, callOnWaiterThread } from './waiter-threads.js';
import { POSIX_SHM_DIR, validatePosixName } from './posix.js';
import { systemError, throwErrno, type Advice } from './system-error.js';
import { realtimeDeadline } from './timespec.js';

const EINTR = 4;
const EAGAIN = 11;
const ETIMEDOUT = 110;

/** Where glibc keeps the semaphore '/NAME'. */
export const semPath = (name: string) => `${POSIX_SHM_DIR}/sem.${name.slice(1)}`;
/** The prefix of every semaphore file under /dev/shm. */
export const SEM_FILE_PREFIX = 'sem.';

/** Checks a semaphore name before any call: '/name', no other '/', at most 251 bytes. */
export function validateSemName(name: unknown): asserts name is string {
  validatePosixName(name, 'POSIX semaphore name', SEM_NAME_MAX);
}

const target = (name: string): ShmErrorTarget => ({ objectName: name });

/** sem_open(3). Returns the sem_t * of this process's mapping of it. */
export function semOpen(name: string, flags: number, mode: number, value: number): number {
  validateSemName(name);
  const sem = libc.sem_open(name, flags, mode, value);
  // SEM_FAILED is (sem_t *) 0 in glibc.
  if (sem === 0) {
    throwErrno('sem_open', target(name), `'${name}'`, (code) => {
      switch (code) {
        case 'EEXIST':
          return `semaphore '${name}' exists; open it instead, or remove it with \`shmkit rm --sem ${name}\``;
        case 'ENOENT':
          return `no semaphore is named '${name}'; create it first (create: true)`;
        case 'EACCES':
          return `this user may not open semaphore '${name}'; check its mode with \`shmkit ls\``;
        case 'EINVAL':
          return `the initial value ${value} is above SEM_VALUE_MAX (${SEM_VALUE_MAX})`;
        default:
          return '';
      }
    });
  }
  return Number(sem);
}

/** sem_close(3): unmaps this process's view; the semaphore stays. */
export function semClose(sem: number): void {
  libc.sem_close(sem); // fails only for an invalid handle, which the API layer rules out
}

/** sem_unlink(3): the name goes now; open handles keep working. */
export function semUnlink(name: string): void {
  validateSemName(name);
  if (libc.sem_unlink(name) === -1) {
    throwErrno('sem_unlink', target(name), `'${name}'`, (code) =>
      code === 'ENOENT' ? `no semaphore is named '${name}' (already removed?)` : '');
  }
}

const waitAdvice: Advice = (code) => (code === 'EINVAL' ? 'the handle is not a valid semaphore' : '');

/**
 * sem_wait(3), or sem_timedwait(3) when `timeoutMs` is finite. Blocks this
 * thread. Returns false when the timeout passed. EINTR is retried.
 */
export function semWait(sem: number, name: string, timeoutMs = Infinity): boolean {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const result = Number.isFinite(timeoutMs)
      ? libc.sem_timedwait(sem, realtimeDeadline(deadline - performance.now()))
      : libc.sem_wait(sem);
    if (result === 0) return true;
    const errno = lastErrno();
    if (errno === ETIMEDOUT) return false;
    if (errno !== EINTR) throw systemError('sem_wait', errno, target(name), `'${name}'`, waitAdvice);
  }
}

/** One sem_timedwait(3) of at most `sliceMs` on libuv's thread pool. */
export async function semWaitSlice(sem: number, name: string, sliceMs: number): Promise<boolean> {
  const deadline = realtimeDeadline(sliceMs);
  const { result, errno } = await callOnWaiterThread(SEM_TIMEDWAIT_CALL, [sem, addressOf(deadline)], deadline);
  if (result === 0) return true;
  if (errno === ETIMEDOUT || errno === EINTR) return false;
  throw systemError('sem_timedwait', errno, target(name), `'${name}'`, waitAdvice);
}

/** sem_trywait(3): false when the value is 0. */
export function semTryWait(sem: number, name: string): boolean {
  if (libc.sem_trywait(sem) === 0) return true;
  const errno = lastErrno();
  if (errno === EAGAIN) return false;
  throw systemError('sem_trywait', errno, target(name), `'${name}'`, waitAdvice);
}

/** sem_post(3). */
export function semPost(sem: number, name: string): void {
  if (libc.sem_post(sem) === -1) {
    throwErrno('sem_post', target(name), `'${name}'`, (code) =>
      code === 'EOVERFLOW' ? `the value is at SEM_VALUE_MAX (${SEM_VALUE_MAX}); something posts without waiting` : '');
  }
}

/** sem_getvalue(3). */
export function semGetValue(sem: number, name: string): number {
  const value = new Int32Array(1);
  if (libc.sem_getvalue(sem, value) === -1) throwErrno('sem_getvalue', target(name), `'${name}'`);
  return value[0]!;
}
