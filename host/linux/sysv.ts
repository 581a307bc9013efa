// System V shared memory calls, each turning failure into a ShmError that
// names the key or id and says what to do.
import { readFileSync } from 'node:fs';
import { formatKey, type ShmErrorTarget } from '../errors.js';
import {
  IPC_INFO, IPC_RMID, IPC_SET, IPC_STAT, SHM_INFO, SHM_LOCK, SHM_STAT, SHM_STAT_ANY, SHM_UNLOCK,
} from './constants.js';
import { statCommand, walkIndex } from './ipc-index.js';
import { libc } from './libc.js';
import {
  decodeShmidDs, decodeShmLimits, decodeShmUsage, encodeIpcSet, structSize,
  type ShmidDs, type ShmLimits, type ShmUsage,
} from './structs.js';
import { throwErrno } from './system-error.js';

const idTarget = (id: number): ShmErrorTarget => ({ id });

/** ftok(3): a key from an existing path's inode and device and the low 8 bits of proj. */
export function ftok(path: string, proj: number): number {
  const key = libc.ftok(path, proj);
  if (key === -1) {
    throwErrno('ftok', { path }, `'${path}' (proj ${proj})`, (code) =>
      code === 'ENOENT' ? 'ftok needs a path that exists; create the file first' : '');
  }
  return key >>> 0;
}

/** shmget(2). Returns the segment id. */
export function shmget(key: number, size: number, flags: number): number {
  const id = libc.shmget(key | 0, size, flags);
  if (id === -1) {
    const hex = formatKey(key);
    throwErrno('shmget', { key: key >>> 0 }, key === 0 ? 'IPC_PRIVATE' : `key ${hex}`, (code) => {
      switch (code) {
        case 'EEXIST':
          return `segment with key ${hex} exists; open it instead, or remove it with \`shmkit rm --key ${hex}\``;
        case 'ENOENT':
          return `no segment has key ${hex}; create it first (shmkit create sysv --key ${hex} --size N)`;
        case 'EINVAL':
          return `the size is outside the system's limits (see \`shmkit info\`) or larger than the existing segment with key ${hex}`;
        case 'ENOMEM':
          return 'not enough memory for the segment (with --hugetlb: not enough huge pages reserved in /proc/sys/vm/nr_hugepages)';
        case 'ENOSPC':
          return 'the system-wide segment or memory limit is reached; remove unused segments (`shmkit ls`, `shmkit rm`) or raise kernel.shmmni / kernel.shmall';
        case 'EPERM':
          return 'huge-page segments need CAP_IPC_LOCK or membership of vm.hugetlb_shm_group';
        default:
          return '';
      }
    });
  }
  return id;
}

/** shmat(2) at `address` (0 lets the kernel choose). Returns the attach address. */
export function shmat(id: number, address: number, flags: number): number {
  const at = libc.shmat(id, address, flags);
  if (at === -1) {
    throwErrno('shmat', idTarget(id), `id ${id}`, (code) => {
      switch (code) {
        case 'EINVAL':
          return `no segment has id ${id} (it was removed?), or the address is not page-aligned`;
        case 'EIDRM':
          return `segment ${id} was removed`;
        case 'EACCES':
          return `this user may not attach segment ${id} with that access; attach read-only or change its mode with IPC_SET`;
        default:
          return '';
      }
    });
  }
  return Number(at);
}

/**
 * Length of the mapping that starts at `address`, from /proc/self/maps; a
 * huge-page segment's attachment spans whole huge pages, whatever its size.
 */
export function attachedLength(address: number): number | undefined {
  const start = address.toString(16);
  for (const line of readFileSync('/proc/self/maps', 'latin1').split('\n')) {
    const range = line.slice(0, line.indexOf(' ')).split('-');
    if (range.length === 2 && range[0] === start) return parseInt(range[1]!, 16) - address;
  }
  return undefined;
}

/** shmdt(2). */
export function shmdt(address: number): void {
  if (libc.shmdt(address) === -1) {
    throwErrno('shmdt', {}, `address 0x${address.toString(16)}`, () => 'nothing is attached there');
  }
}

function shmctlError(id: number, command: string): never {
  throwErrno('shmctl', idTarget(id), `${command} on id ${id}`, (code) => {
    switch (code) {
      case 'EINVAL':
        return `no segment has id ${id}; list segments with \`shmkit ls\``;
      case 'EIDRM':
        return `segment ${id} was removed`;
      case 'EPERM':
        return `only the owner, the creator or a privileged user may ${command === 'IPC_RMID' ? 'remove' : 'change'} segment ${id}`;
      case 'EACCES':
        return `this user may not read segment ${id}'s status`;
      default:
        return '';
    }
  });
}

/** shmctl(IPC_STAT). */
export function shmStat(id: number): ShmidDs {
  const buffer = new Uint8Array(structSize('shmid_ds'));
  if (libc.shmctl(id, IPC_STAT, buffer) === -1) shmctlError(id, 'IPC_STAT');
  return decodeShmidDs(buffer);
}

/** shmctl(IPC_SET): the owner uid/gid and the low 9 permission bits. */
export function shmSet(id: number, set: { uid?: number; gid?: number; mode?: number }): void {
  const current = shmStat(id);
  const buffer = new Uint8Array(structSize('shmid_ds'));
  encodeIpcSet(buffer, {
    uid: set.uid ?? current.perm.uid,
    gid: set.gid ?? current.perm.gid,
    mode: set.mode ?? current.perm.mode & 0o777,
  });
  if (libc.shmctl(id, IPC_SET, buffer) === -1) shmctlError(id, 'IPC_SET');
}

/** shmctl(IPC_RMID): removed now if nothing is attached, else after the last detach. */
export function shmRemove(id: number): void {
  if (libc.shmctl(id, IPC_RMID, null) === -1) shmctlError(id, 'IPC_RMID');
}

/** shmctl(SHM_LOCK / SHM_UNLOCK): keep the segment's pages out of swap. */
export function shmLock(id: number, locked: boolean): void {
  if (libc.shmctl(id, locked ? SHM_LOCK : SHM_UNLOCK, null) === -1) {
    shmctlError(id, locked ? 'SHM_LOCK' : 'SHM_UNLOCK');
  }
}

/** shmctl(IPC_INFO): system limits. */
export function shmLimits(): ShmLimits {
  const buffer = new Uint8Array(structSize('shminfo'));
  if (libc.shmctl(0, IPC_INFO, buffer) === -1) throwErrno('shmctl', {}, 'IPC_INFO');
  return decodeShmLimits(buffer);
}

/** shmctl(SHM_INFO): system usage, and the highest index in use (for SHM_STAT). */
export function shmUsage(): ShmUsage & { highestIndex: number } {
  const buffer = new Uint8Array(structSize('shm_info'));
  const highestIndex = libc.shmctl(0, SHM_INFO, buffer);
  if (highestIndex === -1) throwErrno('shmctl', {}, 'SHM_INFO');
  return { ...decodeShmUsage(buffer), highestIndex };
}

/** One segment found by enumeration: its id and status. */
export interface ShmEntry extends ShmidDs {
  id: number;
}

/**
 * Every segment on the host, by walking the kernel's index with SHM_STAT_ANY
 * (Linux ≥ 4.17: no read permission needed), or SHM_STAT on older kernels.
 */
export function shmList(): ShmEntry[] {
  const { highestIndex } = shmUsage();
  const buffer = new Uint8Array(structSize('shmid_ds'));
  const command = statCommand(SHM_STAT_ANY, SHM_STAT);
  return walkIndex('shmctl', highestIndex, (index) => libc.shmctl(index, command, buffer), (id) => ({ id, ...decodeShmidDs(buffer) }));
}
