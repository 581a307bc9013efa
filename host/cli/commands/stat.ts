import { Posix } from '../../api/posix.js';
import { SysV } from '../../api/sysv.js';
import { formatKey } from '../../errors.js';
import { TARGET_OPTIONS, parseTarget, type Parsed } from '../args.js';
import { octal, toJson, userName, when } from '../format.js';

export const statOptions = [...TARGET_OPTIONS, 'json'] as const;

/** Status of one target: shmid_ds for SysV, stat of the /dev/shm file for POSIX. */
export function stat(parsed: Parsed): number {
  const target = parseTarget(parsed, 'stat');
  if (target.kind === 'sysv') {
    const s = SysV.stat(target.sysv);
    if (parsed.flags.json) {
      console.log(toJson({ kind: 'sysv', ...s, perms: octal(s.mode) }));
      return 0;
    }
    print([
      ['kind', 'System V segment'],
      ['key', formatKey(s.key)],
      ['id', String(s.id)],
      ['size', `${s.size} bytes`],
      ['perms', octal(s.mode)],
      ['owner', `${userName(s.uid)} (uid ${s.uid}, gid ${s.gid})`],
      ['creator', `${userName(s.cuid)} (uid ${s.cuid}, gid ${s.cgid}), pid ${s.cpid}`],
      ['last op pid', String(s.lpid)],
      ['attached', String(s.nattch)],
      ['attach time', when(s.atime)],
      ['detach time', when(s.dtime)],
      ['change time', when(s.ctime)],
      ['status', [s.removed ? 'removed (goes at last detach)' : '', s.locked ? 'locked' : ''].filter(Boolean).join(', ') || '-'],
    ]);
    return 0;
  }
  const p = Posix.stat(target.name);
  if (parsed.flags.json) {
    console.log(toJson({ kind: 'posix', ...p, perms: octal(p.mode) }));
    return 0;
  }
  print([
    ['kind', 'POSIX shared memory object'],
    ['name', p.name],
    ['file', `/dev/shm${p.name}`],
    ['size', `${p.size} bytes (${p.allocated} allocated)`],
    ['perms', octal(p.mode)],
    ['owner', `${userName(p.uid)} (uid ${p.uid}, gid ${p.gid})`],
    ['access time', when(p.atime)],
    ['modify time', when(p.mtime)],
    ['change time', when(p.ctime)],
  ]);
  return 0;
}

function print(rows: [string, string][]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}
