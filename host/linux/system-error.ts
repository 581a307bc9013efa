import { constants } from 'node:os';
import { ShmError, type ShmErrorTarget } from '../errors.js';
import { lastErrno, libc } from './libc.js';

const errnoNames = new Map<number, string>();
for (const [name, value] of Object.entries(constants.errno)) {
  if (!errnoNames.has(value)) errnoNames.set(value, name);
}

/** `EEXIST` for 17, and so on; `E<n>` for numbers Node does not name. */
function errnoCode(errno: number): string {
  return errnoNames.get(errno) ?? `E${errno}`;
}

/** What the user can do about a failure; '' when the errno text says enough. */
export type Advice = (code: string) => string;

/** Builds the ShmError for a failed call, in the shape of Node's system errors. */
export function systemError(
  syscall: string, errno: number, target: ShmErrorTarget, what: string, advice?: Advice,
): ShmError {
  const code = errnoCode(errno);
  const tip = advice?.(code) || genericAdvice(code);
  return new ShmError({
    code,
    errno: -errno,
    syscall,
    message: `${syscall} ${what}: ${libc.strerror(errno)} (${code})${tip ? '; ' + tip : ''}`,
    ...target,
  });
}

/** Throws for a call that reported failure through errno. */
export function throwErrno(syscall: string, target: ShmErrorTarget, what: string, advice?: Advice): never {
  throw systemError(syscall, lastErrno(), target, what, advice);
}

function genericAdvice(code: string): string {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'check the mode and owner with `shmkit stat`, or run as a user that is allowed';
    case 'ENOMEM':
      return 'the system is short of memory or over a limit; see `shmkit info`';
    case 'ENOSPC':
      return 'a system limit is reached; see `shmkit info` and remove segments you no longer need';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files; close some handles';
    default:
      return '';
  }
}
