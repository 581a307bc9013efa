// The kernel's System V structures as glibc declares them on 64-bit Linux,
// laid out by koffi (so by the platform's C rules) and decoded by field
// offset. `unsigned long` fields are bigint: they can pass 2^53.
import { defineStruct, offsetOf, sizeOf } from './libc.js';

// Defined on first use: koffi loads with the first OS call, never at import.
let defined: ReturnType<typeof defineAll> | undefined;
function structs(): ReturnType<typeof defineAll> {
  return (defined ??= defineAll());
}

function defineAll() {
  const IpcPerm = defineStruct({
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

  const ShmidDs = defineStruct({
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

  const ShmInfoLimits = defineStruct({
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

  const ShmInfoUsage = defineStruct({
    used_ids: 'int',
    shm_tot: 'unsigned long',
    shm_rss: 'unsigned long',
    shm_swp: 'unsigned long',
    swap_attempts: 'unsigned long',
    swap_successes: 'unsigned long',
  });

  // System V semaphores. semid_ds keeps a high word after each time, for
  // 32-bit ABIs; on 64-bit Linux it is unused.
  const SemidDs = defineStruct({
    sem_perm: IpcPerm,
    sem_otime: 'int64_t',
    sem_otime_high: 'unsigned long',
    sem_ctime: 'int64_t',
    sem_ctime_high: 'unsigned long',
    sem_nsems: 'unsigned long',
    reserved3: 'unsigned long',
    reserved4: 'unsigned long',
  });

  const SemInfo = defineStruct({
    semmap: 'int',
    semmni: 'int',
    semmns: 'int',
    semmnu: 'int',
    semmsl: 'int',
    semopm: 'int',
    semume: 'int',
    semusz: 'int',
    semvmx: 'int',
    semaem: 'int',
  });

  /** One operation of a semop call: struct sembuf { unsigned short sem_num; short sem_op; short sem_flg; }. */
  const Sembuf = defineStruct({
    sem_num: 'uint16_t',
    sem_op: 'int16_t',
    sem_flg: 'int16_t',
  });
  const size = {
    shmid_ds: sizeOf(ShmidDs), shminfo: sizeOf(ShmInfoLimits), shm_info: sizeOf(ShmInfoUsage),
    semid_ds: sizeOf(SemidDs), seminfo: sizeOf(SemInfo), sembuf: sizeOf(Sembuf),
  };
  return { IpcPerm, ShmidDs, ShmInfoLimits, ShmInfoUsage, SemidDs, SemInfo, Sembuf, size };
}

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

/** Bytes of each kernel struct, as the platform lays it out. */
export function structSize(name: keyof ReturnType<typeof defineAll>['size']): number {
  return structs().size[name];
}

const perm = (field: string) => offsetOf(structs().IpcPerm, field);
const ds = (field: string) => offsetOf(structs().ShmidDs, field);
const limits = (field: string) => offsetOf(structs().ShmInfoLimits, field);
const usage = (field: string) => offsetOf(structs().ShmInfoUsage, field);

function seconds(view: DataView, offset: number): Date | null {
  const value = view.getBigInt64(offset, true);
  return value === 0n ? null : new Date(Number(value) * 1000);
}

function viewOf(buffer: Uint8Array): DataView {
  return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** struct ipc_perm at `base` (where a *id_ds struct keeps it). */
function decodePerm(view: DataView, base: number): IpcPermissions {
  const at = (field: string) => base + perm(field);
  return {
    key: view.getUint32(at('key'), true),
    uid: view.getUint32(at('uid'), true),
    gid: view.getUint32(at('gid'), true),
    cuid: view.getUint32(at('cuid'), true),
    cgid: view.getUint32(at('cgid'), true),
    mode: view.getUint32(at('mode'), true),
    seq: view.getUint16(at('seq'), true),
  };
}

/** Writes the ipc_perm fields IPC_SET reads (uid, gid, mode) at `base`. */
function encodePerm(view: DataView, base: number, set: { uid: number; gid: number; mode: number }): void {
  view.setUint32(base + perm('uid'), set.uid, true);
  view.setUint32(base + perm('gid'), set.gid, true);
  view.setUint32(base + perm('mode'), set.mode, true);
}

export function decodeShmidDs(buffer: Uint8Array): ShmidDs {
  const view = viewOf(buffer);
  return {
    perm: decodePerm(view, ds('shm_perm')),
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
  encodePerm(viewOf(buffer), ds('shm_perm'), set);
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

/** struct semid_ds, decoded. */
export interface SemidDs {
  perm: IpcPermissions;
  /** Last semop, last change by semctl; null when it never happened. */
  otime: Date | null;
  ctime: Date | null;
  /** Semaphores in the set. */
  nsems: number;
}

/** struct seminfo as SEM_INFO fills it: limits, plus usage in semusz and semaem. */
export interface SemLimits {
  /** Most sets system-wide (SEMMNI). */
  semmni: number;
  /** Most semaphores system-wide (SEMMNS). */
  semmns: number;
  /** Most semaphores in one set (SEMMSL). */
  semmsl: number;
  /** Most operations in one semop call (SEMOPM). */
  semopm: number;
  /** Largest value a semaphore can hold (SEMVMX). */
  semvmx: number;
  /** SEM_INFO: sets that exist (IPC_INFO: SEMUSZ). */
  semusz: number;
  /** SEM_INFO: semaphores in all sets (IPC_INFO: SEMAEM). */
  semaem: number;
}

const semds = (field: string) => offsetOf(structs().SemidDs, field);
const sembuf = (field: string) => offsetOf(structs().Sembuf, field);
const seminfo = (field: string) => offsetOf(structs().SemInfo, field);

/** Sizes and offsets as koffi laid them out, for a test to compare with gcc's. */
export function semLayout() {
  return {
    semid_ds: { size: structSize('semid_ds'), sem_perm: semds('sem_perm'), sem_otime: semds('sem_otime'), sem_ctime: semds('sem_ctime'), sem_nsems: semds('sem_nsems') },
    sembuf: { size: structSize('sembuf'), sem_num: sembuf('sem_num'), sem_op: sembuf('sem_op'), sem_flg: sembuf('sem_flg') },
    seminfo: { size: structSize('seminfo'), semmsl: seminfo('semmsl'), semvmx: seminfo('semvmx'), semaem: seminfo('semaem') },
  };
}

export function decodeSemidDs(buffer: Uint8Array): SemidDs {
  const view = viewOf(buffer);
  return {
    perm: decodePerm(view, semds('sem_perm')),
    otime: seconds(view, semds('sem_otime')),
    ctime: seconds(view, semds('sem_ctime')),
    nsems: Number(view.getBigUint64(semds('sem_nsems'), true)),
  };
}

/** Writes the fields IPC_SET reads (uid, gid, mode) into a semid_ds buffer. */
export function encodeSemIpcSet(buffer: Uint8Array, set: { uid: number; gid: number; mode: number }): void {
  encodePerm(viewOf(buffer), semds('sem_perm'), set);
}

export function decodeSemLimits(buffer: Uint8Array): SemLimits {
  const view = viewOf(buffer);
  const get = (field: string) => view.getInt32(seminfo(field), true);
  return {
    semmni: get('semmni'), semmns: get('semmns'), semmsl: get('semmsl'), semopm: get('semopm'),
    semvmx: get('semvmx'), semusz: get('semusz'), semaem: get('semaem'),
  };
}

/** Packs semop operations into an array of struct sembuf. */
export function encodeSembufs(ops: readonly { num: number; op: number; flags: number }[]): Uint8Array {
  const size = structSize('sembuf');
  const buffer = new Uint8Array(ops.length * size);
  const view = viewOf(buffer);
  ops.forEach((o, i) => {
    const base = i * size;
    view.setUint16(base + sembuf('sem_num'), o.num, true);
    view.setInt16(base + sembuf('sem_op'), o.op, true);
    view.setInt16(base + sembuf('sem_flg'), o.flags, true);
  });
  return buffer;
}
