// An event count in one u32 futex word, for waits on "something happened"
// (a slot published or freed, a message out, readers moving on). The count
// moves in steps of 2; the low bit says that a party announced a sleep on
// the present value. A signal moves the word, and asks the host to wake,
// only when that bit is set, clearing it: a burst of events while sleepers
// have not run yet makes one wake-up, not one each.
//
//   ┌───────────────────────────────────────────┬────────────┐
//   │ count (bits 1..31), +2 per signal         │ WAITED (0) │
//   └───────────────────────────────────────────┴────────────┘

const WAITED: u32 = 1;

/**
 * Announces a sleep on `word` and returns the value to sleep on. Call it
 * before the try that fails: a signal after it either is seen by that try
 * or sees the bit and moves the word (both sequentially consistent), so
 * the sleep ends at once or is woken.
 */
export function announceSleep(word: usize): u32 {
  return atomic.or<u32>(word, WAITED) | WAITED;
}

/** Moves the word if a sleep was announced on its present value: 1 when the host must wake the sleepers. */
export function signalEvent(word: usize): i32 {
  let seen = atomic.load<u32>(word);
  while ((seen & WAITED) != 0) {
    const now = atomic.cmpxchg<u32>(word, seen, (seen + 2) & ~WAITED);
    if (now == seen) return 1;
    seen = now; // another signalled first (and wakes), unless a new sleep set the bit again
  }
  return 0;
}

/** Moves the word whatever was announced (an end every sleeper must learn of); the host wakes them all. */
export function signalAlways(word: usize): void {
  atomic.add<u32>(word, 2);
}
