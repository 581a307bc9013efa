// A robust, optionally recursive mutex for threads and processes. The word
// holds the owner's id, so a locker that finds the owner dead takes the lock
// over and is told so (like POSIX EOWNERDEAD): it must repair the data and
// call mutexMarkConsistent, or the mutex becomes not recoverable.
//
//   MUTEX (MUTEX_SIZE = 64 bytes: one cache line)
//   ┌────────────────────────────────────────────────────────┐ +0
//   │ word   u32  owner id | WAITERS           (futex word)  │
//   │ state  u32  MUTEX_(IN)CONSISTENT / MUTEX_UNRECOVERABLE │ +4
//   │ depth  u32  holds by the owner (recursive kind)        │ +8
//   │ kind   u32  MUTEX_NORMAL / MUTEX_RECURSIVE             │ +12
//   │ reserved                                               │ +16 .. +64
//   └────────────────────────────────────────────────────────┘
import {
  ACQUIRED, ACQUIRED_AGAIN, BAD_ARGUMENT, ID_MASK, NOT_OWNER, NOT_RECOVERABLE, WAITERS, WOULD_DEADLOCK,
} from "./ids";
import { CACHE_LINE } from "../format/header";

export const MUTEX_SIZE: u32 = CACHE_LINE;
export const MUTEX_WORD: usize = 0;
export const MUTEX_STATE: usize = MUTEX_WORD + 4;
export const MUTEX_DEPTH: usize = MUTEX_STATE + 4;
export const MUTEX_KIND: usize = MUTEX_DEPTH + 4;

export const MUTEX_NORMAL: u32 = 0;
export const MUTEX_RECURSIVE: u32 = 1;
export const MUTEX_CONSISTENT: u32 = 0;
export const MUTEX_INCONSISTENT: u32 = 1;
export const MUTEX_UNRECOVERABLE: u32 = 2;

// mutexUnlock results besides 0 (nobody to wake) and NOT_OWNER.
export const MUTEX_WAKE_ONE: i32 = 1;
export const MUTEX_WAKE_ALL: i32 = 2; // it just became not recoverable: every waiter must learn it

export function mutexInit(m: usize, kind: u32): i32 {
  if (kind > MUTEX_RECURSIVE) return BAD_ARGUMENT;
  memory.fill(m, 0, MUTEX_SIZE);
  store<u32>(m + MUTEX_KIND, kind);
  return ACQUIRED;
}

/**
 * One attempt. ACQUIRED / ACQUIRED_AGAIN / NOT_RECOVERABLE / WOULD_DEADLOCK,
 * or the current owner's id (> 0) when it is held. `contended` acquires
 * with the WAITERS flag set: after a sleep other waiters may remain.
 */
export function mutexTryLock(m: usize, id: u32, contended: bool): i32 {
  if (id == 0 || id > ID_MASK) return BAD_ARGUMENT;
  if (atomic.load<u32>(m + MUTEX_STATE) == MUTEX_UNRECOVERABLE) return NOT_RECOVERABLE;
  const seen = atomic.cmpxchg<u32>(m + MUTEX_WORD, 0, contended ? id | WAITERS : id);
  if (seen == 0) {
    store<u32>(m + MUTEX_DEPTH, 1);
    return ACQUIRED;
  }
  const owner = seen & ID_MASK;
  if (owner == id) {
    if (load<u32>(m + MUTEX_KIND) != MUTEX_RECURSIVE) return WOULD_DEADLOCK;
    store<u32>(m + MUTEX_DEPTH, load<u32>(m + MUTEX_DEPTH) + 1);
    return ACQUIRED_AGAIN;
  }
  return <i32>owner;
}

/**
 * Takes the lock from `deadOwner`, whom the host found dead. Exactly one
 * caller wins; it must repair the protected data. Returns 1 if it won.
 */
export function mutexTakeOver(m: usize, deadOwner: u32, id: u32): i32 {
  const seen = atomic.load<u32>(m + MUTEX_WORD);
  if ((seen & ID_MASK) != deadOwner) return 0;
  if (atomic.cmpxchg<u32>(m + MUTEX_WORD, seen, id | (seen & WAITERS)) != seen) return 0;
  store<u32>(m + MUTEX_DEPTH, 1);
  if (atomic.load<u32>(m + MUTEX_STATE) == MUTEX_CONSISTENT) atomic.store<u32>(m + MUTEX_STATE, MUTEX_INCONSISTENT);
  return 1;
}

/** After an owner died: the data is repaired, the mutex is usable again. */
export function mutexMarkConsistent(m: usize, id: u32): i32 {
  if ((atomic.load<u32>(m + MUTEX_WORD) & ID_MASK) != id) return NOT_OWNER;
  if (atomic.load<u32>(m + MUTEX_STATE) != MUTEX_INCONSISTENT) return BAD_ARGUMENT;
  atomic.store<u32>(m + MUTEX_STATE, MUTEX_CONSISTENT);
  return ACQUIRED;
}

export function mutexState(m: usize): u32 {
  return atomic.load<u32>(m + MUTEX_STATE);
}

export function mutexOwner(m: usize): u32 {
  return atomic.load<u32>(m + MUTEX_WORD) & ID_MASK;
}

/**
 * Releases one hold. Returns 0 (nothing to wake), MUTEX_WAKE_ONE,
 * MUTEX_WAKE_ALL (the mutex just became not recoverable), or NOT_OWNER.
 */
export function mutexUnlock(m: usize, id: u32): i32 {
  if ((atomic.load<u32>(m + MUTEX_WORD) & ID_MASK) != id) return NOT_OWNER;
  const depth = load<u32>(m + MUTEX_DEPTH);
  if (depth > 1) {
    store<u32>(m + MUTEX_DEPTH, depth - 1);
    return 0;
  }
  store<u32>(m + MUTEX_DEPTH, 0);
  let broken = false;
  if (atomic.load<u32>(m + MUTEX_STATE) == MUTEX_INCONSISTENT) { // released without repair
    atomic.store<u32>(m + MUTEX_STATE, MUTEX_UNRECOVERABLE);
    broken = true;
  }
  const seen = atomic.xchg<u32>(m + MUTEX_WORD, 0);
  if (broken) return MUTEX_WAKE_ALL;
  return (seen & WAITERS) != 0 ? MUTEX_WAKE_ONE : 0;
}
