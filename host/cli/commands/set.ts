// set: IPC_SET for System V, fchmod/fchown for POSIX; reports what the kernel then holds.
import { Posix } from '../../api/posix.js';
import { SysV } from '../../api/sysv.js';
import { TARGET_OPTIONS, TARGET_USAGE, JSON_OPTION, type Command } from '../command.js';
import { userName } from '../format.js';
import { posixStatJson, sysvStatJson } from '../json-shapes.js';
import { printJson, printLine } from '../output.js';
import { describeTarget, parseTarget } from '../target.js';
import { usageError } from '../usage-error.js';
import { parseMode, parseOwnerId } from '../values.js';

export const set: Command = {
  name: 'set',
  summary: 'change the mode or owner of a segment',
  usage: [`set ${TARGET_USAGE} (--mode MODE | --uid UID | --gid GID)... [--json]`],
  description: 'Changes the permission bits or the owner (IPC_SET for System V, fchmod and fchown for\nPOSIX) and reports the mode and owner the kernel then holds.',
  options: {
    ...TARGET_OPTIONS,
    mode: { type: 'string', value: 'MODE', description: 'octal permission bits, like 0640' },
    uid: { type: 'string', value: 'UID', description: 'the new owner (numeric uid)' },
    gid: { type: 'string', value: 'GID', description: 'the new group (numeric gid)' },
    ...JSON_OPTION,
  },
  examples: ['shmkit set --key 0x1234 --mode 0600', 'shmkit set /telemetry --uid 1000 --gid 1000'],
  run(parsed) {
    const { flags } = parsed;
    const changes = {
      ...(typeof flags.mode === 'string' ? { mode: parseMode(flags.mode) } : {}),
      ...(typeof flags.uid === 'string' ? { uid: parseOwnerId(flags.uid, 'uid') } : {}),
      ...(typeof flags.gid === 'string' ? { gid: parseOwnerId(flags.gid, 'gid') } : {}),
    };
    if (Object.keys(changes).length === 0) usageError('set needs --mode, --uid or --gid');
    const target = parseTarget(parsed);
    let now;
    if (target.kind === 'sysv') {
      SysV.set(target.sysv, changes);
      now = sysvStatJson(SysV.stat(target.sysv));
    } else {
      using seg = Posix.open(target.name);
      seg.set(changes);
      now = posixStatJson(Posix.stat(target.name));
    }
    if (flags.json) printJson(now);
    else printLine(`updated ${describeTarget(target)}: mode ${now.mode}, owner ${userName(now.uid)} (uid ${now.uid}, gid ${now.gid})`);
    return 0;
  },
};
