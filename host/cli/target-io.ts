// Opening and describing whatever TARGET names, SysV or POSIX alike.
import { Posix } from '../api/posix.js';
import { SysV } from '../api/sysv.js';
import type { Segment } from '../api/segment.js';
import type { Target } from './args.js';

export function openTarget(target: Target, readOnly: boolean): Segment {
  return target.kind === 'sysv' ? SysV.open(target.sysv, { readOnly }) : Posix.open(target.name, { readOnly });
}

export function describeTarget(target: Target): string {
  if (target.kind === 'posix') return target.name;
  const t = target.sysv;
  if ('key' in t) return `--key 0x${(t.key >>> 0).toString(16).padStart(8, '0')}`;
  if ('id' in t) return `--id ${t.id}`;
  return `--path ${t.path}${t.proj === undefined ? '' : ` --proj ${t.proj}`}`;
}
