import { Posix } from '../../api/posix.js';
import { SysV } from '../../api/sysv.js';
import { TARGET_OPTIONS, parseTarget, type Parsed } from '../args.js';
import { describeTarget } from '../target-io.js';

export const rmOptions = TARGET_OPTIONS;

/** IPC_RMID for SysV (gone at last detach), shm_unlink for POSIX. */
export function rm(parsed: Parsed): number {
  const target = parseTarget(parsed, 'rm');
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
