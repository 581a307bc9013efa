import { invalidArgument } from '../../errors.js';
import { Posix } from '../../api/posix.js';
import { SysV } from '../../api/sysv.js';
import { TARGET_OPTIONS, parseInteger, parseMode, parseTarget, type Parsed } from '../args.js';
import { describeTarget } from '../target-io.js';

export const setOptions = [...TARGET_OPTIONS, 'mode', 'uid', 'gid'] as const;

/** IPC_SET for SysV, fchmod/fchown for POSIX. */
export function set(parsed: Parsed): number {
  const target = parseTarget(parsed, 'set');
  const { flags } = parsed;
  const changes = {
    mode: flags.mode === undefined ? undefined : parseMode(flags.mode),
    uid: flags.uid === undefined ? undefined : parseInteger(flags.uid, 'uid'),
    gid: flags.gid === undefined ? undefined : parseInteger(flags.gid, 'gid'),
  };
  if (Object.values(changes).every((v) => v === undefined)) invalidArgument('set needs --mode, --uid or --gid');
  const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  if (target.kind === 'sysv') {
    SysV.set(target.sysv, defined);
  } else {
    using seg = Posix.open(target.name);
    seg.set(defined);
  }
  console.log(`updated ${describeTarget(target)}`);
  return 0;
}
