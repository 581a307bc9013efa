// Whether a process or kernel thread id still names a task that runs. Every
// liveness question in shmkit (format take-over, directory lock, lock and
// channel holders) is answered here, so that all of them agree that a
// zombie (exited, not yet reaped by its parent) is dead: kill(id, 0)
// succeeds on a zombie, and a holder that is one will never let go.
//
// Ids come out of shared memory, so they are untrusted: anything that is not
// a plausible id is dead, and kill(2) is never called with 0 or a negative
// number (which would mean a process group, or every process).
import { readFileSync } from 'node:fs';

/** Linux's PID_MAX_LIMIT: no pid or tid is larger (pid_max is at most this). */
export const PID_MAX_LIMIT = 4 * 1024 * 1024;

type Probe = 'exists' | 'gone';

// kill(id, 0): ESRCH is gone; success and EPERM (another user's task) exist.
function signalProbe(id: number): Probe {
  try {
    process.kill(id, 0);
    return 'exists';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? 'exists' : 'gone';
  }
}

/**
 * Whether task `id` has exited, by the state letter in /proc/ID/stat (Z:
 * zombie, X: dead). /proc/TID works for thread ids too, though readdir does
 * not list them.
 */
function exited(id: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${id}/stat`, 'latin1');
  } catch (error) {
    // Reaped meanwhile, or hidden (/proc mounted hidepid=): kill tells which.
    // EACCES and friends mean the task is there but not ours to read.
    const code = (error as NodeJS.ErrnoException).code;
    return (code === 'ENOENT' || code === 'ESRCH') && signalProbe(id) === 'gone';
  }
  // The command name in parentheses may hold any byte, ')' included.
  const state = stat[stat.lastIndexOf(')') + 2];
  return state === 'Z' || state === 'X';
}

function plausibleId(id: number): boolean {
  return Number.isInteger(id) && id > 0 && id <= PID_MAX_LIMIT;
}

/**
 * Whether `id` (a pid, or a kernel thread id as the lock hosts use) names a
 * task that has not exited. A task of another user counts as alive (EPERM);
 * a zombie, a reaped task and an impossible id count as dead. Costs a
 * kill(2) and, for a live task, a read of /proc (about 10 µs).
 */
export function isAlive(id: number): boolean {
  if (!plausibleId(id)) return false;
  return signalProbe(id) === 'exists' && !exited(id);
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
  return now - watchedSince < ZOMBIE_CHECK_AFTER_MS || !exited(id);
}
