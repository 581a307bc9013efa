import { NamedSemaphore } from '../../api/posix-sem.js';
import { Posix } from '../../api/posix.js';
import { SysVSemaphores } from '../../api/sysv-sem.js';
import { SysV } from '../../api/sysv.js';
import { TARGET_OPTIONS, parseTarget, type Parsed, type Target } from '../args.js';
import { describeTarget } from '../target-io.js';

export const rmOptions = [...TARGET_OPTIONS, 'sem'] as const;

/**
 * IPC_RMID for SysV (gone at last detach), shm_unlink for POSIX. With --sem
 * the same TARGET names a semaphore: IPC_RMID of a set, sem_unlink of a name.
 */
export function rm(parsed: Parsed): number {
  const target = parseTarget(parsed, 'rm');
  if (parsed.flags.sem) return rmSemaphore(target);
  if (target.kind === 'sysv') {
    const before = SysV.stat(target.sysv);
    SysV.remove({ id: before.id });
    const attached = Number(before.nattch);
    console.log(`removed System V segment id ${before.id}${attached > 0 ? ` (still attached ${attached}×: it goes at the last detach)` : ''}`);
  } else {
    Posix.remove(target.name);
    console.log(`removed POSIX object ${describeTarget(target)}`);
  }
  return 0;
}

function rmSemaphore(target: Target): number {
  if (target.kind === 'sysv') {
    const { id, nsems } = SysVSemaphores.stat(target.sysv);
    SysVSemaphores.remove({ id });
    console.log(`removed System V semaphore set id ${id} (${nsems} semaphores; waiters get EIDRM)`);
  } else {
    NamedSemaphore.unlink(target.name);
    console.log(`removed POSIX semaphore ${target.name} (open handles keep working until closed)`);
  }
  return 0;
}
