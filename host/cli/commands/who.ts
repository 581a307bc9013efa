// who: the registered users of a shmkit-formatted segment, and what each is now.
import { posixHolders, sysvView, usageOf } from '../../api/usage.js';
import { SysV } from '../../api/sysv.js';
import { JSON_OPTION, TARGET_OPTIONS, TARGET_USAGE, type Command } from '../command.js';
import { table } from '../format.js';
import { printJson, printLine } from '../output.js';
import { parseTarget } from '../target.js';
import { openTarget } from '../target-io.js';

export const who: Command = {
  name: 'who',
  summary: 'the processes using a segment',
  usage: [`who ${TARGET_USAGE} [--json]`],
  description: 'Lists the users a shmkit-formatted segment has registered (pid, start time, pid namespace)\nand what each is now: alive, dead, recycled (its pid names a later process) or unknown\n(another pid namespace); then whether the segment is orphaned, and why. For a raw\nsegment, what the kernel tells (System V attachments; processes mapping a POSIX object).',
  options: { ...TARGET_OPTIONS, ...JSON_OPTION },
  examples: ['shmkit who /plant', 'shmkit who --key 0x1234 --json'],
  run(parsed) {
    using segment = openTarget(parseTarget(parsed), true);
    // This command's own attachment is not another process's.
    const kernel = segment instanceof SysV ? sysvView(segment.stat(), true) : { othersAttached: posixHolders(segment) };
    const usage = usageOf(segment, kernel, (u) => u);
    const users = (usage.users ?? []).map((u) => ({ slot: u.slot, pid: u.pid, start: String(u.start), namespace: u.namespace, state: u.state }));
    if (parsed.flags.json) {
      printJson({ format: usage.format, orphaned: usage.orphaned, why: usage.why, users });
      return 0;
    }
    printLine(`${segment.description}: ${usage.format}, ${usage.orphaned === null ? 'in use or not: cannot tell' : usage.orphaned ? 'orphaned' : 'in use'} (${usage.why})`);
    if (users.length) printLine(table(['slot', 'pid', 'started (ticks)', 'pid namespace', 'state'], users.map((u) => [String(u.slot), String(u.pid), u.start, String(u.namespace), u.state])));
    return 0;
  },
};
