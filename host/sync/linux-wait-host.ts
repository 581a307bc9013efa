// Waiting on Linux: kernel futexes at the word's process address, so the
// same word can be slept on and woken from any thread or process that maps
// it. Holder ids are kernel thread ids; liveness is kill(tid, 0).
import { readFileSync } from 'node:fs';
import type { Arena } from '../arena/arena.js';
import { futexWait, futexWaitAsync, futexWake, threadId } from '../linux/futex.js';
import type { WaitHost, WaitResult } from './wait-host.js';

const hosts = new WeakMap<Arena, WaitHost>();

// kill(id, 0) also succeeds on a zombie: a holder that died but is not yet
// reaped, e.g. a child of this very thread, whose event loop cannot reap it
// while the thread waits. /proc tells, but costs ~10 µs, so it is asked only
// about a holder that has looked alive for a while.
const ZOMBIE_CHECK_AFTER_MS = 50;
let watched = 0;
let watchedSince = 0;

function alive(id: number): boolean {
  try {
    process.kill(id, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const now = performance.now();
  if (id !== watched) {
    watched = id;
    watchedSince = now;
    return true;
  }
  return now - watchedSince < ZOMBIE_CHECK_AFTER_MS || !exited(id);
}

/** Whether thread `id` has exited (zombie or gone), by its /proc state letter. */
function exited(id: number): boolean {
  try {
    const stat = readFileSync(`/proc/${id}/stat`, 'latin1');
    const state = stat[stat.lastIndexOf(')') + 2]; // the name in parentheses may hold anything
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}

/** The wait host for words in `arena` (one per arena and thread). */
export function linuxWaitHost(arena: Arena): WaitHost {
  let host = hosts.get(arena);
  if (!host) {
    const base = arena.baseAddress;
    host = {
      id: threadId(),
      isAlive: alive,
      wait: (offset, expected, timeoutMs): WaitResult => futexWait(base + offset, expected, timeoutMs),
      waitAsync: (offset, expected, timeoutMs) => futexWaitAsync(base + offset, expected, timeoutMs),
      wake: (offset, count) => void futexWake(base + offset, count),
    };
    hosts.set(arena, host);
  }
  return host;
}
