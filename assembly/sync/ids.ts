// Who holds a primitive: a holder id (on Linux the kernel thread id, unique
// system-wide while the thread lives, so a dead holder can be detected) in
// the low 30 bits of a word, with a "someone sleeps" flag in the top bit so
// an unlock only makes a wake-up call when it must.

export const ID_MASK: u32 = 0x3fffffff;
export const WAITERS: u32 = 0x80000000;

// Results shared by the lock-like primitives (host/sync/status.ts mirrors them).
export const ACQUIRED: i32 = 0;
export const ACQUIRED_AGAIN: i32 = -2;   // recursive re-entry
export const NOT_RECOVERABLE: i32 = -3;  // a holder died and nobody repaired the data
export const WOULD_DEADLOCK: i32 = -4;   // the caller already holds it
export const NOT_OWNER: i32 = -5;        // unlock by someone who does not hold it
export const BAD_ARGUMENT: i32 = -6;

/**
 * Marks that a waiter is about to sleep on a word held by `owner`. Returns
 * the value to sleep on, or 0 when the holder changed (try again instead).
 */
export function markWaiting(word: usize, owner: u32): u32 {
  let seen = atomic.load<u32>(word);
  while ((seen & ID_MASK) == owner && owner != 0) {
    if (seen & WAITERS) return seen;
    const now = atomic.cmpxchg<u32>(word, seen, seen | WAITERS);
    if (now == seen) return seen | WAITERS;
    seen = now;
  }
  return 0;
}
