// Opening whatever TARGET names, System V or POSIX alike.
import { Posix } from '../api/posix.js';
import { SysV } from '../api/sysv.js';
import type { Target } from './target.js';

export function openTarget(target: Target, readOnly: boolean): SysV | Posix {
  return target.kind === 'sysv' ? SysV.open(target.sysv, { readOnly }) : Posix.open(target.name, { readOnly });
}
