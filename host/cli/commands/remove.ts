// remove: IPC_RMID for System V (gone at the last detach), shm_unlink for
// POSIX. With --sem the same TARGET names a semaphore set or a named semaphore.
import { NamedSemaphore } from '../../api/posix-sem.js';
import { Posix } from '../../api/posix.js';
import { SysVSemaphores } from '../../api/sysv-sem.js';
import { SysV } from '../../api/sysv.js';
import { formatKey } from '../../errors.js';
import { JSON_OPTION, TARGET_OPTIONS, TARGET_USAGE, type Command } from '../command.js';
import { bytesWithHuman } from '../format.js';
import { printJson, printLine } from '../output.js';
import { parseTarget, type Target } from '../target.js';

function removeSegment(target: Target, json: boolean): void {
  if (target.kind === 'posix') {
    const { size } = Posix.stat(target.name);
    Posix.remove(target.name);
    if (json) printJson({ kind: 'posix', name: target.name, size });
    else printLine(`removed POSIX object ${target.name}: ${bytesWithHuman(size)}; open mappings keep the memory until they close`);
    return;
  }
  const before = SysV.stat(target.sysv);
  SysV.remove({ id: before.id });
  const stillAttached = before.nattch > 0n;
  if (json) {
    printJson({ kind: 'sysv', key: formatKey(before.key), id: before.id, size: before.size, nattch: before.nattch, stillAttached });
  } else {
    printLine(`removed System V segment key ${formatKey(before.key)} id ${before.id}: ${bytesWithHuman(before.size)}` +
      (stillAttached ? `; still attached ${before.nattch}×: the memory goes at the last detach` : ''));
  }
}

function removeSemaphore(target: Target, json: boolean): void {
  if (target.kind === 'posix') {
    NamedSemaphore.unlink(target.name);
    if (json) printJson({ kind: 'posix-sem', name: target.name });
    else printLine(`removed POSIX semaphore ${target.name} (open handles keep working until closed)`);
    return;
  }
  const { id, key, nsems } = SysVSemaphores.stat(target.sysv);
  SysVSemaphores.remove({ id });
  if (json) printJson({ kind: 'sysv-sem', key: formatKey(key), id, nsems });
  else printLine(`removed System V semaphore set id ${id}, key ${formatKey(key)} (${nsems} semaphores; waiters get EIDRM)`);
}

export const remove: Command = {
  name: 'remove',
  aliases: ['rm'],
  summary: 'remove a segment or a semaphore',
  usage: [`rm ${TARGET_USAGE} [--json]`, `rm --sem ${TARGET_USAGE} [--json]`],
  description: 'Removes a System V segment (IPC_RMID: its key is free now, its memory goes at the last\n' +
    'detach) or unlinks a POSIX object. With --sem: a System V semaphore set or a POSIX named\nsemaphore.',
  options: {
    ...TARGET_OPTIONS,
    sem: { type: 'boolean', description: 'TARGET is a semaphore set (--key, --id, --path) or a named semaphore (/NAME)' },
    ...JSON_OPTION,
  },
  examples: ['shmkit rm --key 0x1234', 'shmkit rm /telemetry', 'shmkit rm --sem /jobs-ready'],
  run(parsed) {
    const target = parseTarget(parsed, parsed.flags.sem ? 'sem' : 'shm');
    const json = Boolean(parsed.flags.json);
    if (parsed.flags.sem) removeSemaphore(target, json);
    else removeSegment(target, json);
    return 0;
  },
};
