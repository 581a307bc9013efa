// Waiting on Linux: kernel futexes at the word's process address, so the
// same word can be slept on and woken from any thread or process that maps
// it. Holder ids are kernel thread ids; liveness from host/linux/liveness.ts.
import type { Arena } from '../arena/arena.js';
import { futexWait, futexWaitAsync, futexWake, threadId } from './futex.js';
import { isAliveWhileWaiting } from './liveness.js';
import { notePartnerWoken, type WaitHost, type WaitResult } from '../wait/index.js';

const hosts = new WeakMap<Arena, WaitHost>();

/** The wait host for words in `arena` (one per arena and thread). */
export function linuxWaitHost(arena: Arena): WaitHost {
  let host = hosts.get(arena);
  if (!host) {
    const base = arena.baseAddress;
    host = {
      id: threadId(),
      isAlive: isAliveWhileWaiting,
      wait: (offset, expected, timeoutMs): WaitResult => futexWait(base + offset, expected, timeoutMs),
      waitAsync: (offset, expected, timeoutMs) => futexWaitAsync(base + offset, expected, timeoutMs),
      wake: (offset, count) => void (futexWake(base + offset, count) > 0 && notePartnerWoken()),
    };
    hosts.set(arena, host);
  }
  return host;
}
