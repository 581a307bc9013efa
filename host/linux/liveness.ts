// Whether a process or kernel thread id still names a task that runs. Every
// liveness question in shmkit (format take-over, directory lock, lock and
// channel holders) is answered here, so that all of them agree that a
// zombie (exited, not yet reaped by its parent) is dead: kill(id, 0)
// succeeds on a zombie, and a holder that is one will never let go.
//
// Ids come out of shared memory, so they are untrusted: anything that is not
// a plausible id is dead, and kill(2) is never called with 0 or a negative
// number (which would mean a process group, or every process).
import { closeSync, openSync, readSync } from 'node:fs';
import { constants } from 'node:os';
import { lastErrno, libc } from './libc.js';

/** Linux's PID_MAX_LIMIT: no pid or tid is larger (pid_max is at most this). */
export const PID_MAX_LIMIT = 4 * 1024 * 1024;

type Probe = 'exists' | 'gone';

// kill(id, 0): ESRCH is gone; success and EPERM (another user's task)
// exist. Called through libc, not process.kill: a thrown error for every
// dead pid costs ten times the system call, and reapers ask about many.
function signalProbe(id: number): Probe {
  return libc.kill(id, 0) === 0 || lastErrno() === constants.errno.EPERM ? 'exists' : 'gone';
}

// One read into a reused buffer: readFileSync costs three times as much on
// procfs (it stats and grows), and user tables ask about many pids at once.
// A stat line is well under a page: a short command name and 50 numbers.
const statBuffer = Buffer.alloc(4096);

/**
 * The fields of /proc/ID/stat after the command name (the first is field
 * 3, the state letter), or the error code that kept it from being read.
 * /proc/TID works for thread ids too, though readdir does not list them.
 */
function statFields(id: number): string[] | string {
  let fd: number;
  try {
    fd = openSync(`/proc/${id}/stat`, 'r');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'EIO';
  }
  try {
    const stat = statBuffer.toString('latin1', 0, readSync(fd, statBuffer, 0, statBuffer.length, 0));
    // The command name in parentheses may hold any byte, ')' and spaces included.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'EIO'; // reaped between open and read
  } finally {
    closeSync(fd);
  }
}

/**
 * What task `id` is now: gone (or never a plausible id), exited (a zombie,
 * Z, or dead, X, in its state letter), or running, with its /proc stat
 * fields when they could be read (not under hidepid= for another user's).
 */
export function taskStatus(id: number): { running: false } | { running: true; fields: string[] | undefined } {
  if (!plausibleId(id) || signalProbe(id) === 'gone') return { running: false };
  const fields = statFields(id);
  if (typeof fields === 'string') {
    // Reaped meanwhile, or hidden: kill tells which. EACCES and friends mean
    // the task is there but not ours to read.
    return (fields === 'ENOENT' || fields === 'ESRCH') && signalProbe(id) === 'gone' ? { running: false } : { running: true, fields: undefined };
  }
  return fields[0] === 'Z' || fields[0] === 'X' ? { running: false } : { running: true, fields };
}

function plausibleId(id: number): boolean {
  return Number.isInteger(id) && id > 0 && id <= PID_MAX_LIMIT;
}

/**
 * Whether `id` (a pid, or a kernel thread id as the lock hosts use) names a
 * task that has not exited. A task of another user counts as alive (EPERM);
 * a zombie, a reaped task and an impossible id count as dead. Costs a
 * kill(2) and, for a live task, one read of /proc (15-30 µs: bench/lifetime.bench.ts).
 */
export function isAlive(id: number): boolean {
  return taskStatus(id).running;
}

// isAliveWhileWaiting's memory: the holder last asked about, and since when.
const ZOMBIE_CHECK_AFTER_MS = 50;
let watched = 0;
let watchedSince = 0;

/**
 * isAlive for a wait loop that asks about the same holder again and again,
 * where /proc's cost would show: kill(2) alone at first, and the zombie
 * check too once that holder has looked alive for 50 ms. A holder that died
 * unreaped is thus seen dead at most 50 ms after the first question.
 */
export function isAliveWhileWaiting(id: number): boolean {
  if (!plausibleId(id)) return false;
  if (signalProbe(id) === 'gone') return false;
  const now = performance.now();
  if (id !== watched) {
    watched = id;
    watchedSince = now;
    return true;
  }
  return now - watchedSince < ZOMBIE_CHECK_AFTER_MS || isAlive(id);
}
