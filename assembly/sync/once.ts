// Once-initialisation: exactly one caller runs the initialiser; the others
// wait for it; if it dies (or fails) another caller runs it instead.
//
//   ONCE (ONCE_SIZE = 64 bytes)
//   ┌──────────────────────────────────────────────────────────────────┐ +0
//   │ word  u32  0 new | runner id | WAITERS | ONCE_DONE_FLAG  (futex) │
//   │ reserved                                                         │ +4 .. +64
//   └──────────────────────────────────────────────────────────────────┘
import { ID_MASK, WAITERS } from "./ids";
import { CACHE_LINE } from "../format/header";

export const ONCE_SIZE: u32 = CACHE_LINE;
export const ONCE_WORD: usize = 0;
/** In the word: the initialiser ran to the end (above every id, beside WAITERS). */
export const ONCE_DONE_FLAG: u32 = ID_MASK + 1;

export const ONCE_RUN: i32 = -1;  // the caller must run the initialiser, then onceFinish
export const ONCE_DONE: i32 = -2; // already initialised

/** ONCE_RUN, ONCE_DONE, or the running initialiser's id (> 0). */
export function onceBegin(o: usize, id: u32): i32 {
  const seen = atomic.cmpxchg<u32>(o + ONCE_WORD, 0, id);
  if (seen == 0) return ONCE_RUN;
  if (seen & ONCE_DONE_FLAG) return ONCE_DONE;
  return <i32>(seen & ID_MASK);
}

/** Takes over from a runner that died. Returns 1 if the caller must now run it. */
export function onceTakeOver(o: usize, deadRunner: u32, id: u32): i32 {
  const seen = atomic.load<u32>(o + ONCE_WORD);
  if ((seen & ID_MASK) != deadRunner || (seen & ONCE_DONE_FLAG) != 0) return 0;
  return atomic.cmpxchg<u32>(o + ONCE_WORD, seen, id | (seen & WAITERS)) == seen ? 1 : 0;
}

/** Ends the run: succeeded (ONCE_DONE_FLAG) or failed (back to new). Returns 1 if sleepers need waking. */
export function onceFinish(o: usize, succeeded: bool): i32 {
  const seen = atomic.xchg<u32>(o + ONCE_WORD, succeeded ? ONCE_DONE_FLAG : 0);
  return (seen & WAITERS) != 0 ? 1 : 0;
}

export function onceWord(o: usize): u32 {
  return atomic.load<u32>(o + ONCE_WORD);
}
