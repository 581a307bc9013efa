// One listing of every shared memory object on the host, both kinds, and of
// the OS semaphores beside them, in the shape `shmkit ls --json` prints.
// Every entry has every field; null where it does not apply to its kind.
// JSON.stringify writes an entry's bigints as decimal strings.
import { NamedSemaphore } from './posix-sem.js';
import { Posix } from './posix.js';
import { SysVSemaphores } from './sysv-sem.js';
import { SysV } from './sysv.js';
import { withJsonForm } from './json-form.js';
import { posixHolders, sysvView, usageOf, type FormatState, type KernelView } from './usage.js';
import { holdsOn } from '../format/users.js';
import type { Segment } from './segment.js';

export interface ListEntry {
  /** System V segment or semaphore set, POSIX object or named semaphore. */
  kind: 'sysv' | 'posix' | 'sysv-sem' | 'posix-sem';
  /** SysV key (unsigned); null for POSIX objects. */
  key: number | null;
  /** SysV id; null for POSIX objects. */
  id: number | null;
  /** POSIX name ('/name'); null for SysV segments. */
  name: string | null;
  /** Bytes of a segment; null for semaphores. */
  size: bigint | null;
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
  /** Semaphores in a SysV set. */
  nsems: number | null;
  /** A named semaphore's value (null if this process may not open it). */
  value: number | null;
  /** A SysV set's last semop. */
  otime: Date | null;
  /** Segments: what they hold ('ready' and the other states of a shmkit format, or 'raw'); null if unreadable here, and for semaphores. */
  format: FormatState | null;
  /** Formatted segments: pids of the registered users not known dead; else null. */
  users: number[] | null;
  /** Segments: no user alive (formatted: by the user table, checked against the kernel; raw: by what the kernel tells); null when it cannot be told. */
  orphaned: boolean | null;
}

type Usage = Pick<ListEntry, 'format' | 'users' | 'orphaned'>;
const UNKNOWN_USAGE: Usage = { format: null, users: null, orphaned: null };

// What a segment holds and who uses it, through a read-only attachment; unknown when it cannot be opened.
function usage<S extends Segment>(open: () => S, kernel: (segment: S) => KernelView): Usage {
  let segment: S;
  try {
    segment = open();
  } catch {
    return UNKNOWN_USAGE;
  }
  try {
    return usageOf(segment, kernel(segment), (u) => ({ format: u.format, users: u.users?.filter(holdsOn).map((user) => user.pid) ?? null, orphaned: u.orphaned }));
  } catch {
    return UNKNOWN_USAGE;
  } finally {
    segment.close();
  }
}

const NOT_SEMAPHORE = { nsems: null, value: null, otime: null } as const;
const NOT_SEGMENT = { size: null, nattch: null, cpid: null, lpid: null, atime: null, dtime: null, removed: false, locked: false, ...UNKNOWN_USAGE } as const;

export function listAll(): ListEntry[] {
  const sysv: ListEntry[] = SysV.list().map((s) => ({
    kind: 'sysv', key: s.key, id: s.id, name: null, size: s.size, mode: s.mode, uid: s.uid, gid: s.gid,
    nattch: s.nattch, cpid: s.cpid, lpid: s.lpid, atime: s.atime, dtime: s.dtime, ctime: s.ctime,
    removed: s.removed, locked: s.locked, ...NOT_SEMAPHORE,
    ...usage(() => SysV.open({ id: s.id }, { readOnly: true }), () => sysvView(s, false)),
  }));
  const posix: ListEntry[] = Posix.list().map((p) => ({
    kind: 'posix', key: null, id: null, name: p.name, size: p.size, mode: p.mode, uid: p.uid, gid: p.gid,
    nattch: null, cpid: null, lpid: null, atime: p.atime, dtime: null, ctime: p.ctime,
    removed: false, locked: false, ...NOT_SEMAPHORE,
    ...usage(() => Posix.open(p.name, { readOnly: true }), (segment) => ({ othersAttached: posixHolders(segment) })),
  }));
  return [...sysv, ...posix, ...listSemaphores()].map(withJsonForm);
}

/** The semaphore sets and named semaphores, as entries of the listing. */
function listSemaphores(): ListEntry[] {
  const sets: ListEntry[] = SysVSemaphores.list().map((s) => ({
    kind: 'sysv-sem', key: s.key, id: s.id, name: null, mode: s.mode, uid: s.uid, gid: s.gid,
    ...NOT_SEGMENT, nsems: s.nsems, value: null, otime: s.otime, ctime: s.ctime,
  }));
  const named: ListEntry[] = NamedSemaphore.list().map((n) => ({
    kind: 'posix-sem', key: null, id: null, name: n.name, mode: n.mode, uid: n.uid, gid: n.gid,
    ...NOT_SEGMENT, nsems: null, value: n.value, otime: null, ctime: n.ctime,
  }));
  return [...sets, ...named];
}
