// A robust, optionally recursive mutex for threads and processes. The word
// holds the owner's id, so a locker that finds the owner dead takes the lock
// over and is told so (like POSIX EOWNERDEAD): it must repair the data and
// call mutexMarkConsistent, or the mutex becomes not recoverable.
//
//   MUTEX (MUTEX_SIZE = 64 bytes: one cache line)
//   ┌────────────────────────────────────────────────────────┐ +0
//   │ word   u32  owner id | WAITERS           (futex word)  │
//   │ state  u32  CONSISTENT / INCONSISTENT / UNRECOVERABLE  │ +4
//   │ depth  u32  holds by the owner (recursive kind)        │ +8
//   │ kind   u32  MUTEX_NORMAL / MUTEX_RECURSIVE             │ +12
//   │ reserved                                               │ +16 .. +64
//   └────────────────────────────────────────────────────────┘
import {
  ACQUIRED, ACQUIRED_AGAIN, BAD_ARGUMENT, ID_MASK, NOT_OWNER, NOT_RECOVERABLE, WAITERS, WOULD_DEADLOCK,
} from "./ids";

export const MUTEX_SIZE: u32 = 64;
export const M_WORD: usize = 0;
const M_STATE: usize = 4;
const M_DEPTH: usize = 8;
const M_KIND: usize = 12;

export const MUTEX_NORMAL: u32 = 0;
export const MUTEX_RECURSIVE: u32 = 1;
export const CONSISTENT: u32 = 0;
export const INCONSISTENT: u32 = 1;
export const UNRECOVERABLE: u32 = 2;

export function mutexInit(m: usize, kind: u32): i32 {
  if (kind > MUTEX_RECURSIVE) return BAD_ARGUMENT;
  memory.fill(m, 0, MUTEX_SIZE);
  store<u32>(m + M_KIND, kind);
  return ACQUIRED;
}

/**
 * One attempt. ACQUIRED / ACQUIRED_AGAIN / NOT_RECOVERABLE / WOULD_DEADLOCK,
 * or the current owner's id (> 0) when it is held. `contended` acquires
 * with the WAITERS flag set: after a sleep other waiters may remain.
 */
export function mutexTryLock(m: usize, id: u32, contended: bool): i32 {
  if (id == 0 || id > ID_MASK) return BAD_ARGUMENT;
  if (atomic.load<u32>(m + M_STATE) == UNRECOVERABLE) return NOT_RECOVERABLE;
  const seen = atomic.cmpxchg<u32>(m + M_WORD, 0, contended ? id | WAITERS : id);
  if (seen == 0) {
    store<u32>(m + M_DEPTH, 1);
    return ACQUIRED;
  }
  const owner = seen & ID_MASK;
  if (owner == id) {
    if (load<u32>(m + M_KIND) != MUTEX_RECURSIVE) return WOULD_DEADLOCK;
    store<u32>(m + M_DEPTH, load<u32>(m + M_DEPTH) + 1);
    return ACQUIRED_AGAIN;
  }
  return <i32>owner;
}

/**
 * Takes the lock from `deadOwner`, whom the host found dead. Exactly one
 * caller wins; it must repair the protected data. Returns 1 if it won.
 */
export function mutexTakeOver(m: usize, deadOwner: u32, id: u32): i32 {
  const seen = atomic.load<u32>(m + M_WORD);
  if ((seen & ID_MASK) != deadOwner) return 0;
  if (atomic.cmpxchg<u32>(m + M_WORD, seen, id | (seen & WAITERS)) != seen) return 0;
  store<u32>(m + M_DEPTH, 1);
  if (atomic.load<u32>(m + M_STATE) == CONSISTENT) atomic.store<u32>(m + M_STATE, INCONSISTENT);
  return 1;
}

/** After an owner died: the data is repaired, the mutex is usable again. */
export function mutexMarkConsistent(m: usize, id: u32): i32 {
  if ((atomic.load<u32>(m + M_WORD) & ID_MASK) != id) return NOT_OWNER;
  if (atomic.load<u32>(m + M_STATE) != INCONSISTENT) return BAD_ARGUMENT;
  atomic.store<u32>(m + M_STATE, CONSISTENT);
  return ACQUIRED;
}

export function mutexState(m: usize): u32 {
  return atomic.load<u32>(m + M_STATE);
}

export function mutexOwner(m: usize): u32 {
  return atomic.load<u32>(m + M_WORD) & ID_MASK;
}

/**
 * Releases one hold. Returns 0 (nothing to wake), 1 (wake one waiter),
 * 2 (wake all: the mutex just became not recoverable), or NOT_OWNER.
 */
export function mutexUnlock(m: usize, id: u32): i32 {
  if ((atomic.load<u32>(m + M_WORD) & ID_MASK) != id) return NOT_OWNER;
  const depth = load<u32>(m + M_DEPTH);
  if (depth > 1) {
    store<u32>(m + M_DEPTH, depth - 1);
    return 0;
  }
  store<u32>(m + M_DEPTH, 0);
  let broken = false;
  if (atomic.load<u32>(m + M_STATE) == INCONSISTENT) { // released without repair
    atomic.store<u32>(m + M_STATE, UNRECOVERABLE);
    broken = true;
  }
  const seen = atomic.xchg<u32>(m + M_WORD, 0);
  if (broken) return 2;
  return (seen & WAITERS) != 0 ? 1 : 0;
}
