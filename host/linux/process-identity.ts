// Who a process is, beyond its pid: the start time the kernel keeps for it
// and the pid namespace its pid means something in. A formatted segment's
// user table records both (assembly/format/users.ts), so a pid the kernel
// hands to a new process after the user died is not taken for that user,
// and a reaper never judges a pid from another namespace by its own.
import { readFileSync, readlinkSync } from 'node:fs';
import { libc } from './libc.js';
import { taskStatus } from './liveness.js';
import type { Holder, UserIdentity, UserState } from '../format/segment-like.js';

// Fields of /proc/PID/stat after the command name's closing parenthesis:
// the first is field 3 (state), so field 22 (starttime) is the 20th.
const STARTTIME_AFTER_COMMAND = 22 - 3;

/** Start time of process `pid` in clock ticks since boot, or undefined when it cannot be read (gone, or hidden). */
export function startTicksOf(pid: number): bigint | undefined {
  const status = taskStatus(pid);
  return status.running ? startTicksIn(status.fields) : undefined;
}

function startTicksIn(fields: string[] | undefined): bigint | undefined {
  const field = fields?.[STARTTIME_AFTER_COMMAND];
  return field !== undefined && /^\d+$/.test(field) ? BigInt(field) : undefined;
}

const _SC_CLK_TCK = 2;
let clock: { bootMs: number; tickMs: number } | undefined;

/**
 * When process `pid` started, in ms since the epoch (to within the second
 * the kernel gives boot time in): undefined when it is not running, null
 * when its start cannot be read (hidden).
 */
export function startedAtMs(pid: number): number | null | undefined {
  const status = taskStatus(pid);
  if (!status.running) return undefined;
  const ticks = startTicksIn(status.fields);
  if (ticks === undefined) return null;
  clock ??= {
    bootMs: Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'latin1'))?.[1] ?? 0) * 1000,
    tickMs: 1000 / Number(libc.sysconf(_SC_CLK_TCK)),
  };
  return clock.bootMs + Number(ticks) * clock.tickMs;
}

/** The inode number of the pid namespace of process `which` ('self' or a pid), or 0 when it cannot be read. */
export function pidNamespaceOf(which: number | 'self'): number {
  try {
    const match = /^pid:\[(\d+)\]$/.exec(readlinkSync(`/proc/${which}/ns/pid`));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

let own: UserIdentity | undefined;

/** This process, as it registers in user tables. */
export function ownIdentity(): UserIdentity {
  own ??= { pid: process.pid, start: startTicksOf(process.pid) ?? 0n, namespace: pidNamespaceOf('self') };
  return own;
}

/**
 * What the process a user slot names is now, as far as this process can
 * tell. A pid of another namespace, or of a namespace this process could
 * not read, is unknown; so is a start time that cannot be read for a pid
 * that lives (another user's process under hidepid). Nothing is called
 * dead unless it is.
 */
export function judgeUser({ pid, start, namespace }: UserIdentity): UserState {
  const self = ownIdentity();
  if (namespace !== self.namespace || self.namespace === 0) return 'unknown';
  // One kill(2) and one read of /proc/PID/stat: its state letter and start time.
  const status = taskStatus(pid);
  if (!status.running) return 'dead';
  if (start === 0n) return 'alive';
  const now = startTicksIn(status.fields);
  if (now === undefined) return 'unknown';
  return now === start ? 'alive' : 'recycled';
}

/** This process to a formatted segment's init claim, directory lock and user table: its pid. */
export const processHolder: Holder = {
  id: process.pid,
  get user() {
    return ownIdentity();
  },
  judge: judgeUser,
};
