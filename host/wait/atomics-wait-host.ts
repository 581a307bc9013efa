// Waiting with Atomics.wait / waitAsync / notify: for a plain shared memory
// in browsers and WASI hosts, where every party is a thread of one process.
// Holder ids come from the core (there is no kernel thread id to use), and
// a holder is assumed alive: timeouts are the guard against lost parties.
import { ShmError } from '../errors.js';
import type { CoreMemory } from '../core/core-memory.js';
import { threadCanBlock } from './can-block.js';
import { notePartnerWoken } from './spin.js';
import type { WaitHost, WaitResult } from './wait-host.js';

const hosts = new WeakMap<CoreMemory, WaitHost>();
const MAX_TIMER_MS = 0x7fffffff;

export function atomicsWaitHost(memory: CoreMemory): WaitHost {
  let host = hosts.get(memory);
  if (!host) {
    const words = () => new Int32Array(memory.memory.buffer); // the buffer grows with the memory
    const result = (r: string): WaitResult => (r === 'ok' ? 'woken' : r === 'not-equal' ? 'not-equal' : 'timed-out');
    const limit = (ms: number) => (Number.isFinite(ms) ? ms : undefined);
    host = {
      id: memory.core.arenaNextId(),
      isAlive: () => true,
      wait: threadCanBlock()
        ? (offset, expected, timeoutMs) => result(Atomics.wait(words(), offset >> 2, expected | 0, limit(timeoutMs)))
        : refuseToBlock,
      waitAsync: async (offset, expected, timeoutMs) => {
        const waited = Atomics.waitAsync(words(), offset >> 2, expected | 0, limit(timeoutMs));
        if (!waited.async) return result(waited.value);
        // A pending Atomics.waitAsync holds no event loop open: without a
        // timer, Node (or a worker) would exit under the awaiting caller.
        const keepAlive = setInterval(() => {}, MAX_TIMER_MS);
        try {
          return result(await waited.value);
        } finally {
          clearInterval(keepAlive);
        }
      },
      wake: (offset, count) => void (Atomics.notify(words(), offset >> 2, count) > 0 && notePartnerWoken()),
    };
    hosts.set(memory, host);
  }
  return host;
}

// A sync call that would have to sleep, on a thread that may not block.
function refuseToBlock(): never {
  throw new ShmError({
    code: 'ENOTSUP',
    message: 'this thread may not block (a page\'s main thread): use the Async form of the call ' +
      '(lockAsync, waitAsync, receiveAsync, popAsync, readAsync, …), or make the sync call from a worker',
  });
}
