import { listAll, type ListEntry } from '../../api/list.js';
import { type Parsed } from '../args.js';
import { octal, table, toJson, userName, when } from '../format.js';

export const lsOptions = ['json'] as const;

/** Every SysV segment (like `ipcs -m`), every POSIX object under /dev/shm, and the semaphores of both kinds. */
export function ls({ flags }: Parsed): number {
  const entries = listAll();
  if (flags.json) {
    console.log(toJson(entries.map((e) => ({ ...e, perms: octal(e.mode) }))));
    return 0;
  }
  const sysv = entries.filter((e) => e.kind === 'sysv');
  const posix = entries.filter((e) => e.kind === 'posix');
  console.log('System V segments');
  console.log(sysv.length === 0 ? '  (none)' : table(
    ['key', 'shmid', 'owner', 'perms', 'bytes', 'nattch', 'cpid', 'lpid', 'status'],
    sysv.map((e) => [
      '0x' + e.key!.toString(16).padStart(8, '0'), String(e.id), userName(e.uid), octal(e.mode), String(e.size),
      String(e.nattch), String(e.cpid), String(e.lpid), status(e),
    ]),
  ));
  console.log('\nPOSIX shared memory (/dev/shm)');
  console.log(posix.length === 0 ? '  (none)' : table(
    ['name', 'owner', 'perms', 'bytes'],
    posix.map((e) => [e.name!, userName(e.uid), octal(e.mode), String(e.size)]),
  ));
  const sets = entries.filter((e) => e.kind === 'sysv-sem');
  const named = entries.filter((e) => e.kind === 'posix-sem');
  console.log('\nSystem V semaphore sets');
  console.log(sets.length === 0 ? '  (none)' : table(
    ['key', 'semid', 'owner', 'perms', 'nsems', 'last-op', 'changed'],
    sets.map((e) => [
      '0x' + e.key!.toString(16).padStart(8, '0'), String(e.id), userName(e.uid), octal(e.mode), String(e.nsems),
      when(e.otime), when(e.ctime),
    ]),
  ));
  console.log('\nPOSIX named semaphores (/dev/shm/sem.*)');
  console.log(named.length === 0 ? '  (none)' : table(
    ['name', 'owner', 'perms', 'value'],
    named.map((e) => [e.name!, userName(e.uid), octal(e.mode), e.value === null ? '?' : String(e.value)]),
  ));
  return 0;
}

function status(entry: ListEntry): string {
  return [entry.removed ? 'dest' : '', entry.locked ? 'locked' : ''].filter(Boolean).join(',');
}
