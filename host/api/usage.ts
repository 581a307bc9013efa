// Whether a shared memory object is in use: for a formatted segment, its
// live-user table (format/users.ts); for every object, what the kernel
// tells besides (System V attachments, and the processes that map or hold
// a POSIX object open). The table is shared bytes anyone may scribble on,
// so an object is only ever called orphaned when the kernel agrees.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { coreConstant } from '../core/core.js';
import { holdsOn, readUsers, type UserEntry } from '../format/users.js';
import { isAlive } from '../linux/liveness.js';
import { formatError } from '../format/init.js';
import type { Posix } from './posix.js';
import type { SysVStat } from './sysv.js';
import { startedAtMs } from '../linux/process-identity.js';
import type { Segment } from './segment.js';

/** What an object holds: a shmkit format (and in which state), or anything else. */
export type FormatState = 'ready' | 'formatting' | 'condemned' | 'corrupt' | 'raw';

export interface SegmentUsage {
  format: FormatState;
  /** The registered users (formatted segments whose header could be read), else null. */
  users: UserEntry[] | null;
  /** No user alive, as far as can be told; null when it cannot be told. */
  orphaned: boolean | null;
  /** Why, in words. */
  why: string;
  /** The init word seen (for a reaper's condemnation), and the READY word to give back. */
  initWord: number;
}

/** What the kernel tells of an object's use, besides the caller's own attachment, mapping or descriptor. */
export interface KernelView {
  /** Attached, mapped or open elsewhere; null when that cannot be told. */
  othersAttached: boolean | null;
  /**
   * For a raw object: a process the kernel records as its creator or last
   * user that still runs, in words, or undefined. It may attach again, so
   * the object is not orphaned. Asked only of raw objects (a formatted
   * segment's users are in its table), since it reads /proc.
   */
  recordedUser?: () => string | undefined;
}

/**
 * The kernel's view of a System V segment, from `stat` taken before the
 * caller attached it (`callerAttached` false) or after (true).
 */
export function sysvView(stat: SysVStat, callerAttached: boolean): KernelView {
  return { othersAttached: stat.nattch > (callerAttached ? 1n : 0n), recordedUser: () => runningRecordedUser(stat) };
}

// System V keeps the creator's pid (shm_cpid) and the last pid to attach
// or detach (shm_lpid). The kernel's own words, but the pid may since have
// gone to a process that started after the moment recorded: that one is
// not the process recorded. This process as the last user is only its own
// looking (ls, who and gc attach to read).
function runningRecordedUser(stat: SysVStat): string | undefined {
  const lastUseMs = Math.max(stat.atime?.getTime() ?? 0, stat.dtime?.getTime() ?? 0);
  const recorded = [
    { role: 'creator', pid: stat.cpid, byMs: stat.ctime?.getTime() ?? Infinity },
    { role: 'last user', pid: stat.lpid === process.pid ? 0 : stat.lpid, byMs: lastUseMs || Infinity },
  ];
  for (const { role, pid, byMs } of recorded) {
    if (pid <= 0) continue;
    const started = startedAtMs(pid);
    // A second's slack: the kernel's times are whole seconds.
    if (started === undefined || (started !== null && started > byMs + 1000)) continue;
    return `its ${role}, process ${pid}, still runs`;
  }
  return undefined;
}

/**
 * The usage of `segment` (mapped by the caller, read-only is enough),
 * opening its header into a descriptor when it is formatted;
 * `withDescriptor` runs while the descriptor is open (the reaper removes
 * from there). `kernel`: what the kernel tells of its use besides the
 * caller's own.
 */
export function usageOf<T>(
  segment: Segment, kernel: KernelView,
  withDescriptor: (usage: SegmentUsage, d: number | undefined) => T,
): T {
  const core = segment.arena.core;
  const base = segment.offset;
  const c = (name: Parameters<typeof coreConstant>[1]) => coreConstant(core, name);
  const kernelSays = kernel.othersAttached === true ? 'the kernel shows it attached, mapped or open elsewhere' : undefined;
  if (segment.size < c('HEADER_SIZE')) return withDescriptor(raw(kernel, 'too small for a shmkit header'), undefined);
  const word = core.formatInitWord(base) >>> 0;
  const pid = word >>> c('INIT_PID_SHIFT');
  const peek = core.formatPeek(base);
  // The table says orphaned; an attachment the kernel knows of overrules it.
  const decided = (format: FormatState, orphaned: boolean | null, why: string): SegmentUsage => {
    const overruled = orphaned === true && kernelSays !== undefined;
    return { format, users: null, orphaned: overruled ? false : orphaned, why: overruled ? `${why}, but ${kernelSays}` : why, initWord: word };
  };
  if (peek === c('PEEK_WAIT')) {
    const alive = isAlive(pid);
    return withDescriptor(decided('formatting', !alive, alive ? `being formatted by process ${pid}` : `its formatter, process ${pid}, died before it was ready`), undefined);
  }
  if (peek === c('PEEK_GONE') && isAlive(pid)) return withDescriptor(decided('condemned', false, `being removed by process ${pid}`), undefined);
  if (peek !== c('PEEK_READY') && peek !== c('PEEK_GONE')) return withDescriptor(raw(kernel, 'no shmkit header'), undefined);
  const d = segment.arena.descriptors.take(usageOf);
  try {
    const status = core.formatOpen(d, base, segment.size);
    if (status !== c('FORMAT_OK')) {
      if (peek === c('PEEK_GONE')) return withDescriptor(decided('condemned', true, `its reaper, process ${pid}, died while removing it`), undefined);
      return withDescriptor(decided('corrupt', null, `its header cannot be trusted (${formatError(core, status)}); it is never removed as an orphan`), undefined);
    }
    const users = readUsers(core, d, segment.holder);
    const live = users.filter(holdsOn);
    const usage = live.length > 0
      ? { ...decided('ready', false, `${live.length} live user${live.length === 1 ? '' : 's'} (${live.map((u) => u.pid).join(', ')})`), users }
      : { ...decided(peek === c('PEEK_GONE') ? 'condemned' : 'ready', true, users.length ? `every registered user died (${users.map((u) => `${u.pid} ${u.state}`).join(', ')})` : 'no registered user'), users };
    return withDescriptor(usage, d);
  } finally {
    segment.arena.descriptors.release(usageOf, d);
  }
}

function raw({ othersAttached, recordedUser }: KernelView, what: string): SegmentUsage {
  const usage = (orphaned: boolean | null, why: string): SegmentUsage => ({ format: 'raw', users: null, orphaned, why: `${what}; ${why}`, initWord: 0 });
  if (othersAttached === true) return usage(false, 'attached, mapped or open elsewhere');
  const running = recordedUser?.();
  if (running !== undefined) return usage(false, `no process has it attached, but ${running}`);
  if (othersAttached === null) return usage(null, 'the kernel cannot tell whether it is in use');
  return usage(true, 'no process has it attached, mapped or open');
}

/**
 * Whether anything but `segment` itself maps its POSIX object or holds it
 * open: another process, or this one elsewhere (another mapping or
 * descriptor of the same name), from /proc/PID/maps and /proc/PID/fd; null
 * when some process could not be looked at (another user's, without
 * privilege), unless one that could already has it.
 */
export function posixHolders(segment: Posix): boolean | null {
  const path = `/dev/shm${segment.name}`;
  const names = (line: string) => line.endsWith(` ${path}`) || line.endsWith(` ${path} (deleted)`);
  // This process's maps show `segment`'s own window too: only other ranges count.
  const start = BigInt(segment.address);
  const end = start + BigInt(segment.mappedSize);
  const elsewhere = (line: string) => {
    const [from, to] = line.slice(0, line.indexOf(' ')).split('-').map((hex) => BigInt(`0x${hex}`));
    return from! < start || to! > end;
  };
  let unreadable = false;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const self = Number(entry) === process.pid;
    try {
      const maps = readFileSync(`/proc/${entry}/maps`, 'latin1');
      if (maps.split('\n').some((line) => names(line) && (!self || elsewhere(line)))) return true;
      for (const fd of readdirSync(`/proc/${entry}/fd`)) {
        if (self && Number(fd) === segment.fd) continue;
        try {
          if (readlinkSync(`/proc/${entry}/fd/${fd}`) === path) return true;
        } catch {
          // closed meanwhile
        }
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ESRCH') unreadable = true; // gone meanwhile is fine
    }
  }
  return unreadable ? null : false;
}
