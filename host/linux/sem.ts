// System V semaphore sets (semget, semop/semtimedop, semctl), each failure a
// ShmError that names the key or id and says what to do.
import { formatKey, type ShmErrorTarget } from '../errors.js';
import {
  GETALL, GETNCNT, GETPID, GETVAL, GETZCNT, IPC_RMID, IPC_SET, IPC_STAT, SEM_INFO, SEM_STAT, SEM_STAT_ANY, SETALL, SETVAL,
} from './constants.js';
import { statCommand, walkIndex } from './ipc-index.js';
import { addressOf, lastErrno, libc } from './libc.js';
import { SEMTIMEDOP_CALL, callOnWaiterThread } from './waiter-threads.js';
import {
  decodeSemidDs, decodeSemLimits, encodeSemIpcSet, structSize,
  type SemidDs, type SemLimits,
} from './structs.js';
import { systemError, throwErrno, type Advice } from './system-error.js';
import { relativeTimespec } from './timespec.js';

const EINTR = 4;
const EAGAIN = 11;
const EINVAL = 22;
const EIDRM = 43;

const idTarget = (id: number): ShmErrorTarget => ({ id });

const removedAdvice = (id: number) => `semaphore set ${id} was removed (IPC_RMID) while this process used it`;

/** semget(2). Returns the set's id. */
export function semget(key: number, nsems: number, flags: number): number {
  const id = libc.semget(key | 0, nsems, flags);
  if (id === -1) {
    const hex = formatKey(key);
    throwErrno('semget', { key: key >>> 0 }, key === 0 ? 'IPC_PRIVATE' : `key ${hex}`, (code) => {
      switch (code) {
        case 'EEXIST':
          return `a semaphore set with key ${hex} exists; open it instead, or remove it with \`shmkit rm --sem --key ${hex}\``;
        case 'ENOENT':
          return `no semaphore set has key ${hex}; create it first`;
        case 'EINVAL':
          return `nsems=${nsems} is above the per-set limit (SEMMSL, first field of /proc/sys/kernel/sem) or above the size of the existing set with key ${hex}`;
        case 'ENOSPC':
          return 'the system-wide limit of sets (SEMMNI) or semaphores (SEMMNS) is reached; remove unused sets (`shmkit ls`, `shmkit rm --sem`) or raise kernel.sem';
        case 'EACCES':
          return `this user may not use the set with key ${hex}; check its mode with \`shmkit ls\``;
        default:
          return '';
      }
    });
  }
  return id;
}

function semopAdvice(id: number): Advice {
  return (code) => {
    switch (code) {
      case 'EIDRM':
        return removedAdvice(id);
      case 'EINVAL':
        return `no semaphore set has id ${id} (removed?); list sets with \`shmkit ls\``;
      case 'EFBIG':
        return `an operation names a semaphore past the end of set ${id}`;
      case 'E2BIG':
        return 'more operations than one call may carry (SEMOPM, third field of /proc/sys/kernel/sem)';
      case 'ERANGE':
        return 'the operation would raise a semaphore above SEMVMX (32767) or its undo value out of range';
      case 'EACCES':
        return `this user may not alter set ${id}; check its mode with \`shmkit ls\``;
      default:
        return '';
    }
  };
}

const opsCount = (ops: Uint8Array) => ops.length / structSize('sembuf');

/**
 * semop(2), or semtimedop(2) when `timeoutMs` is finite: every operation in
 * `ops` (packed struct sembuf) happens at once, or none does. Blocks this
 * thread. Returns false when it would block under IPC_NOWAIT or the timeout
 * passed (both are EAGAIN to the kernel). EINTR is retried.
 */
export function semop(id: number, ops: Uint8Array, timeoutMs = Infinity): boolean {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const result = Number.isFinite(timeoutMs)
      ? libc.semtimedop(id, ops, opsCount(ops), relativeTimespec(deadline - performance.now()))
      : libc.semop(id, ops, opsCount(ops));
    if (result === 0) return true;
    const errno = lastErrno();
    if (errno === EAGAIN) return false;
    if (errno !== EINTR) throw systemError('semop', errno, idTarget(id), `on set ${id}`, semopAdvice(id));
  }
}

/**
 * One semtimedop(2) of at most `sliceMs` on libuv's thread pool. `round` > 0
 * says the set answered an earlier slice of the same wait: if its id is now
 * unknown (EINVAL), it was removed between slices, and that is EIDRM.
 */
export async function semopSlice(id: number, ops: Uint8Array, sliceMs: number, round: number): Promise<boolean> {
  const timeout = relativeTimespec(sliceMs);
  const { result, errno } = await callOnWaiterThread(SEMTIMEDOP_CALL, [id, addressOf(ops), opsCount(ops), addressOf(timeout)], [ops, timeout]);
  if (result === 0) return true;
  if (errno === EAGAIN || errno === EINTR) return false;
  const code = errno === EINVAL && round > 0 ? EIDRM : errno;
  throw systemError('semtimedop', code, idTarget(id), `on set ${id}`, semopAdvice(id));
}

function semctlError(id: number, command: string): never {
  throwErrno('semctl', idTarget(id), `${command} on set ${id}`, (code) => {
    switch (code) {
      case 'EINVAL':
        return `no semaphore set has id ${id}, or the semaphore number is past its end; list sets with \`shmkit ls\``;
      case 'EIDRM':
        return removedAdvice(id);
      case 'EPERM':
        return `only the owner, the creator or a privileged user may ${command === 'IPC_RMID' ? 'remove' : 'change'} set ${id}`;
      case 'EACCES':
        return `this user may not ${command.startsWith('SET') ? 'alter' : 'read'} set ${id}; check its mode with \`shmkit ls\``;
      case 'ERANGE':
        return 'semaphore values go from 0 to SEMVMX (32767)';
      default:
        return '';
    }
  });
}

/** semctl with an integer argument (or none): returns what the kernel returned. */
function semctlValue(id: number, num: number, command: number, name: string, value = 0): number {
  const result = libc.semctl(id, num, command, value);
  if (result === -1) semctlError(id, name);
  return result;
}

/** semctl(GETVAL): the value of semaphore `num`. */
export const semGetValue = (id: number, num: number) => semctlValue(id, num, GETVAL, 'GETVAL');
/** semctl(SETVAL): sets semaphore `num` and clears every process's undo for it. */
export const semSetValue = (id: number, num: number, value: number) => void semctlValue(id, num, SETVAL, 'SETVAL', value);
/** semctl(GETNCNT): processes waiting for semaphore `num` to increase. */
export const semIncreaseWaiters = (id: number, num: number) => semctlValue(id, num, GETNCNT, 'GETNCNT');
/** semctl(GETZCNT): processes waiting for semaphore `num` to become zero. */
export const semZeroWaiters = (id: number, num: number) => semctlValue(id, num, GETZCNT, 'GETZCNT');
/** semctl(GETPID): the pid of the last process that operated on semaphore `num`. */
export const semLastPid = (id: number, num: number) => semctlValue(id, num, GETPID, 'GETPID');
/** semctl(IPC_RMID): removes the set now, waking every waiter with EIDRM. */
export const semRemove = (id: number) => void semctlValue(id, 0, IPC_RMID, 'IPC_RMID');

/** semctl(GETALL): every value of a set of `nsems` semaphores. */
export function semGetAll(id: number, nsems: number): number[] {
  const values = new Uint16Array(nsems);
  if (libc.semctl_buf(id, 0, GETALL, values) === -1) semctlError(id, 'GETALL');
  return [...values];
}

/** semctl(SETALL): sets every value at once (the array must cover the whole set). */
export function semSetAll(id: number, values: readonly number[]): void {
  if (libc.semctl_buf(id, 0, SETALL, Uint16Array.from(values)) === -1) semctlError(id, 'SETALL');
}

/** semctl(IPC_STAT). */
export function semStat(id: number): SemidDs {
  const buffer = new Uint8Array(structSize('semid_ds'));
  if (libc.semctl_buf(id, 0, IPC_STAT, buffer) === -1) semctlError(id, 'IPC_STAT');
  return decodeSemidDs(buffer);
}

/** semctl(IPC_SET): the owner uid/gid and the low 9 permission bits. */
export function semSet(id: number, set: { uid?: number | undefined; gid?: number | undefined; mode?: number | undefined }): void {
  const current = semStat(id);
  const buffer = new Uint8Array(structSize('semid_ds'));
  encodeSemIpcSet(buffer, {
    uid: set.uid ?? current.perm.uid,
    gid: set.gid ?? current.perm.gid,
    mode: set.mode ?? current.perm.mode & 0o777,
  });
  if (libc.semctl_buf(id, 0, IPC_SET, buffer) === -1) semctlError(id, 'IPC_SET');
}

/** semctl(SEM_INFO): limits and usage, and the highest index in use (for SEM_STAT). */
export function semInfo(): SemLimits & { highestIndex: number } {
  const buffer = new Uint8Array(structSize('seminfo'));
  const highestIndex = libc.semctl_buf(0, 0, SEM_INFO, buffer);
  if (highestIndex === -1) throwErrno('semctl', {}, 'SEM_INFO');
  return { ...decodeSemLimits(buffer), highestIndex };
}

/** One set found by enumeration: its id and status. */
export interface SemEntry extends SemidDs {
  id: number;
}

/** Every semaphore set on the host, by walking the kernel's index. */
export function semList(): SemEntry[] {
  const { highestIndex } = semInfo();
  const buffer = new Uint8Array(structSize('semid_ds'));
  const command = statCommand(SEM_STAT_ANY, SEM_STAT);
  return walkIndex('semctl', highestIndex, (index) => libc.semctl_buf(index, 0, command, buffer), (id) => ({ id, ...decodeSemidDs(buffer) }));
}
