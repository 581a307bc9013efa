// stat: the status of one object, shmid_ds for System V, the /dev/shm file's for POSIX.
import { Posix } from '../../api/posix.js';
import { SysV } from '../../api/sysv.js';
import { formatKey } from '../../errors.js';
import { POSIX_SHM_DIR } from '../../linux/posix.js';
import { JSON_OPTION, TARGET_OPTIONS, TARGET_USAGE, type Command } from '../command.js';
import { bytesWithHuman, fields, formatMode, userName, when } from '../format.js';
import { posixStatJson, sysvStatJson } from '../json-shapes.js';
import { printJson, printLine } from '../output.js';
import { parseTarget } from '../target.js';

export const stat: Command = {
  name: 'stat',
  summary: 'the status of one segment',
  usage: [`stat ${TARGET_USAGE} [--json]`],
  description: 'Prints what the kernel keeps about a System V segment (IPC_STAT: size, mode, owner,\ncreator, attachments, times) or a POSIX object (the stat of its file in /dev/shm).',
  options: { ...TARGET_OPTIONS, ...JSON_OPTION },
  examples: ['shmkit stat --key 0x1234', 'shmkit stat /telemetry --json'],
  run(parsed) {
    const target = parseTarget(parsed);
    if (target.kind === 'sysv') {
      const s = SysV.stat(target.sysv);
      if (parsed.flags.json) {
        printJson(sysvStatJson(s));
        return 0;
      }
      printLine(fields([
        ['kind', 'System V segment'],
        ['key', formatKey(s.key)],
        ['id', String(s.id)],
        ['size', bytesWithHuman(s.size)],
        ['mode', formatMode(s.mode)],
        ['owner', `${userName(s.uid)} (uid ${s.uid}, gid ${s.gid})`],
        ['creator', `${userName(s.cuid)} (uid ${s.cuid}, gid ${s.cgid}), pid ${s.cpid}`],
        ['last op pid', String(s.lpid)],
        ['attached', String(s.nattch)],
        ['attach time', when(s.atime)],
        ['detach time', when(s.dtime)],
        ['change time', when(s.ctime)],
        ['status', [s.removed ? 'removed (goes at last detach)' : '', s.locked ? 'locked' : ''].filter(Boolean).join(', ') || '-'],
      ]));
      return 0;
    }
    const p = Posix.stat(target.name);
    if (parsed.flags.json) {
      printJson(posixStatJson(p));
      return 0;
    }
    printLine(fields([
      ['kind', 'POSIX shared memory object'],
      ['name', p.name],
      ['file', POSIX_SHM_DIR + p.name],
      ['size', `${bytesWithHuman(p.size)}, ${p.allocated} allocated`],
      ['mode', formatMode(p.mode)],
      ['owner', `${userName(p.uid)} (uid ${p.uid}, gid ${p.gid})`],
      ['access time', when(p.atime)],
      ['modify time', when(p.mtime)],
      ['change time', when(p.ctime)],
    ]));
    return 0;
  },
};
