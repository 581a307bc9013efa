// One listing of every shared memory object on the host, both kinds, in the
// shape `shmkit ls --json` prints.
import { Posix } from './posix.js';
import { SysV } from './sysv.js';

export interface ListEntry {
  kind: 'sysv' | 'posix';
  /** SysV key (unsigned); null for POSIX objects. */
  key: number | null;
  /** SysV id; null for POSIX objects. */
  id: number | null;
  /** POSIX name ('/name'); null for SysV segments. */
  name: string | null;
  size: bigint;
  mode: number;
  uid: number;
  gid: number;
  /** Attachments (SysV); null for POSIX, which the kernel does not count. */
  nattch: bigint | null;
  cpid: number | null;
  lpid: number | null;
  atime: Date | null;
  dtime: Date | null;
  /** SysV: last change; POSIX: last status change. */
  ctime: Date | null;
  /** SysV: IPC_RMID done, goes at the last detach. */
  removed: boolean;
  /** SysV: SHM_LOCK in force. */
  locked: boolean;
}

export function listAll(): ListEntry[] {
  const sysv: ListEntry[] = SysV.list().map((s) => ({
    kind: 'sysv', key: s.key, id: s.id, name: null, size: s.size, mode: s.mode, uid: s.uid, gid: s.gid,
    nattch: s.nattch, cpid: s.cpid, lpid: s.lpid, atime: s.atime, dtime: s.dtime, ctime: s.ctime,
    removed: s.removed, locked: s.locked,
  }));
  const posix: ListEntry[] = Posix.list().map((p) => ({
    kind: 'posix', key: null, id: null, name: p.name, size: p.size, mode: p.mode, uid: p.uid, gid: p.gid,
    nattch: null, cpid: null, lpid: null, atime: p.atime, dtime: null, ctime: p.ctime,
    removed: false, locked: false,
  }));
  return [...sysv, ...posix];
}
