// The kernel's System V structures as glibc declares them on 64-bit Linux,
// laid out by koffi (so by the platform's C rules) and decoded by field
// offset. `unsigned long` fields are bigint: they can pass 2^53.
import { defineStruct, offsetOf, sizeOf } from './libc.js';

const IpcPerm = defineStruct('shmkit_ipc_perm', {
  key: 'int',
  uid: 'uint32_t',
  gid: 'uint32_t',
  cuid: 'uint32_t',
  cgid: 'uint32_t',
  mode: 'uint32_t',
  seq: 'uint16_t',
  pad2: 'uint16_t',
  reserved1: 'unsigned long',
  reserved2: 'unsigned long',
});

const ShmidDs = defineStruct('shmkit_shmid_ds', {
  shm_perm: IpcPerm,
  shm_segsz: 'size_t',
  shm_atime: 'int64_t',
  shm_dtime: 'int64_t',
  shm_ctime: 'int64_t',
  shm_cpid: 'int',
  shm_lpid: 'int',
  shm_nattch: 'unsigned long',
  reserved4: 'unsigned long',
  reserved5: 'unsigned long',
});

const ShmInfoLimits = defineStruct('shmkit_shminfo', {
  shmmax: 'unsigned long',
  shmmin: 'unsigned long',
  shmmni: 'unsigned long',
  shmseg: 'unsigned long',
  shmall: 'unsigned long',
  reserved1: 'unsigned long',
  reserved2: 'unsigned long',
  reserved3: 'unsigned long',
  reserved4: 'unsigned long',
});

const ShmInfoUsage = defineStruct('shmkit_shm_info', {
  used_ids: 'int',
  shm_tot: 'unsigned long',
  shm_rss: 'unsigned long',
  shm_swp: 'unsigned long',
  swap_attempts: 'unsigned long',
  swap_successes: 'unsigned long',
});

/** struct ipc_perm: owner, creator and permissions of a System V object. */
export interface IpcPermissions {
  /** The key the segment was created with (0 for IPC_PRIVATE), as an unsigned 32-bit number. */
  key: number;
  uid: number;
  gid: number;
  cuid: number;
  cgid: number;
  /** Permission bits (0o777) plus SHM_DEST / SHM_LOCKED status bits. */
  mode: number;
  seq: number;
}

/** struct shmid_ds, decoded. */
export interface ShmidDs {
  perm: IpcPermissions;
  /** Size in bytes as requested at creation. */
  size: bigint;
  /** Last attach, last detach, last change; null when it never happened. */
  atime: Date | null;
  dtime: Date | null;
  ctime: Date | null;
  /** Creator pid and pid of the last shmat/shmdt. */
  cpid: number;
  lpid: number;
  /** Current number of attachments. */
  nattch: bigint;
}

/** struct shminfo (IPC_INFO): system-wide limits. */
export interface ShmLimits {
  /** Largest segment in bytes. */
  shmmax: bigint;
  /** Smallest segment in bytes. */
  shmmin: bigint;
  /** Most segments system-wide. */
  shmmni: bigint;
  /** Most segments one process may attach (unused by Linux). */
  shmseg: bigint;
  /** Most shared memory system-wide, in pages. */
  shmall: bigint;
}

/** struct shm_info (SHM_INFO): system-wide usage. */
export interface ShmUsage {
  /** Segments that currently exist. */
  usedIds: number;
  /** Pages in all segments, resident pages, swapped pages. */
  totalPages: bigint;
  residentPages: bigint;
  swappedPages: bigint;
}

export const SHMID_DS_SIZE = sizeOf(ShmidDs);
export const SHMINFO_SIZE = sizeOf(ShmInfoLimits);
export const SHM_INFO_SIZE = sizeOf(ShmInfoUsage);

const PERM_OFFSET = offsetOf(ShmidDs, 'shm_perm');
const perm = (field: string) => PERM_OFFSET + offsetOf(IpcPerm, field);
const ds = (field: string) => offsetOf(ShmidDs, field);
const limits = (field: string) => offsetOf(ShmInfoLimits, field);
const usage = (field: string) => offsetOf(ShmInfoUsage, field);

function seconds(view: DataView, offset: number): Date | null {
  const value = view.getBigInt64(offset, true);
  return value === 0n ? null : new Date(Number(value) * 1000);
}

function viewOf(buffer: Uint8Array): DataView {
  return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

export function decodeShmidDs(buffer: Uint8Array): ShmidDs {
  const view = viewOf(buffer);
  return {
    perm: {
      key: view.getUint32(perm('key'), true),
      uid: view.getUint32(perm('uid'), true),
      gid: view.getUint32(perm('gid'), true),
      cuid: view.getUint32(perm('cuid'), true),
      cgid: view.getUint32(perm('cgid'), true),
      mode: view.getUint32(perm('mode'), true),
      seq: view.getUint16(perm('seq'), true),
    },
    size: view.getBigUint64(ds('shm_segsz'), true),
    atime: seconds(view, ds('shm_atime')),
    dtime: seconds(view, ds('shm_dtime')),
    ctime: seconds(view, ds('shm_ctime')),
    cpid: view.getInt32(ds('shm_cpid'), true),
    lpid: view.getInt32(ds('shm_lpid'), true),
    nattch: view.getBigUint64(ds('shm_nattch'), true),
  };
}

/** Writes the fields IPC_SET reads (uid, gid, mode) into a shmid_ds buffer. */
export function encodeIpcSet(buffer: Uint8Array, set: { uid: number; gid: number; mode: number }): void {
  const view = viewOf(buffer);
  view.setUint32(perm('uid'), set.uid, true);
  view.setUint32(perm('gid'), set.gid, true);
  view.setUint32(perm('mode'), set.mode, true);
}

export function decodeShmLimits(buffer: Uint8Array): ShmLimits {
  const view = viewOf(buffer);
  const get = (field: string) => view.getBigUint64(limits(field), true);
  return {
    shmmax: get('shmmax'),
    shmmin: get('shmmin'),
    shmmni: get('shmmni'),
    shmseg: get('shmseg'),
    shmall: get('shmall'),
  };
}

export function decodeShmUsage(buffer: Uint8Array): ShmUsage {
  const view = viewOf(buffer);
  return {
    usedIds: view.getInt32(usage('used_ids'), true),
    totalPages: view.getBigUint64(usage('shm_tot'), true),
    residentPages: view.getBigUint64(usage('shm_rss'), true),
    swappedPages: view.getBigUint64(usage('shm_swp'), true),
  };
}
