// A read-write lock where writers do not starve: a writer first owns the
// writer word (a robust mutex among writers, so a dead writer is detected
// and replaced), then raises WRITER in the state word, which turns new
// readers away, and waits for the readers inside to leave.
//
//   RWLOCK (RWLOCK_SIZE = 256 bytes: four cache lines)
//   ┌──────────────────────────────────────────────────────────────┐ +0
//   │ state   u32  readers (bits 0-29) | WRITER (bit 30)           │
//   │              | READERS_WAITING (bit 31)             (futex)  │
//   │ reserved                                                     │ +4 .. +64
//   ├──────────────────────────────────────────────────────────────┤ +64
//   │ writer  u32  writer id | WAITERS                    (futex)  │
//   │ died    u32  1 after a writer died holding it                │ +68
//   │ reserved                                                     │ +72 .. +128
//   ├──────────────────────────────────────────────────────────────┤ +128
//   │ readerIds u32[READER_SLOTS]  ids of readers inside, 0 = free │
//   │   (a writer kept waiting finds readers that died, and        │
//   │    takes their holds back; readers beyond the slots are      │
//   │    counted but cannot be checked)                            │
//   └──────────────────────────────────────────────────────────────┘ +256
import { ACQUIRED, BAD_ARGUMENT, ID_MASK, NOT_OWNER, WAITERS, WOULD_DEADLOCK } from "./ids";

export const RWLOCK_SIZE: u32 = 256;
export const R_STATE: usize = 0;
export const R_WRITER: usize = 64;
const R_DIED: usize = 68;
const R_READER_IDS: usize = 128;
export const READER_SLOTS: u32 = 32;
const WRITER: u32 = 0x40000000;
const READERS: u32 = 0x3fffffff;
// Set (only beside WRITER) by a reader going to sleep, so a write unlock
// makes a wake-up call only when a reader sleeps.
const READERS_WAITING: u32 = 0x80000000;

export function rwInit(r: usize): void {
  memory.fill(r, 0, RWLOCK_SIZE);
}

// @ts-ignore: decorator
@inline function readerSlot(r: usize, slot: u32): usize {
  return r + R_READER_IDS + (<usize>slot << 2);
}

/** One read attempt by `id`: 1 in (and recorded in a reader slot if one is free), 0 a writer holds or waits. */
export function rwTryRead(r: usize, id: u32): i32 {
  let seen = atomic.load<u32>(r + R_STATE);
  while ((seen & WRITER) == 0) {
    if ((seen & READERS) == READERS) return 0;
    const now = atomic.cmpxchg<u32>(r + R_STATE, seen, seen + 1);
    if (now == seen) {
      for (let slot: u32 = 0; slot < READER_SLOTS; slot++) {
        if (atomic.cmpxchg<u32>(readerSlot(r, slot), 0, id) == 0) break;
      }
      return 1;
    }
    seen = now;
  }
  return 0;
}

/** The id recorded in reader slot `slot` (0: free), for a writer checking who is inside. */
export function rwReaderId(r: usize, slot: u32): u32 {
  return slot < READER_SLOTS ? atomic.load<u32>(readerSlot(r, slot)) : 0;
}

/** Takes back the read hold of `deadId`, a reader that died inside. 1 if this caller did. */
export function rwReapReader(r: usize, slot: u32, deadId: u32): i32 {
  if (slot >= READER_SLOTS || deadId == 0) return 0;
  if (atomic.cmpxchg<u32>(readerSlot(r, slot), deadId, 0) != deadId) return 0;
  return dropReader(r) < 0 ? 0 : 1;
}

/** Leaves a read hold of `id`. Returns 1 when the last reader left under a waiting writer (wake it). */
export function rwReadUnlock(r: usize, id: u32): i32 {
  for (let slot: u32 = 0; slot < READER_SLOTS; slot++) {
    if (atomic.load<u32>(readerSlot(r, slot)) == id && atomic.cmpxchg<u32>(readerSlot(r, slot), id, 0) == id) break;
  }
  return dropReader(r);
}

// One reader fewer. 1 when it was the last one under a waiting writer.
function dropReader(r: usize): i32 {
  let seen = atomic.load<u32>(r + R_STATE);
  for (;;) {
    if ((seen & READERS) == 0) return BAD_ARGUMENT; // no reader: a decrement would corrupt the word
    const now = atomic.cmpxchg<u32>(r + R_STATE, seen, seen - 1);
    if (now == seen) break;
    seen = now;
  }
  return (seen & READERS) == 1 && (seen & WRITER) != 0 ? 1 : 0;
}

/**
 * A reader turned away by a writer, about to sleep: flags it on the state
 * word and returns the value to sleep on, or 0 when no writer is there any
 * more (try again instead).
 */
export function rwReadWaiting(r: usize): u32 {
  let seen = atomic.load<u32>(r + R_STATE);
  while (seen & WRITER) {
    if (seen & READERS_WAITING) return seen;
    const now = atomic.cmpxchg<u32>(r + R_STATE, seen, seen | READERS_WAITING);
    if (now == seen) return seen | READERS_WAITING;
    seen = now;
  }
  return 0;
}

/**
 * Writer step 1, the writer word: ACQUIRED, WOULD_DEADLOCK, or the holding
 * writer's id (> 0) to sleep on (via markWaiting on R_WRITER).
 */
export function rwTryWriterWord(r: usize, id: u32, contended: bool): i32 {
  if (id == 0 || id > ID_MASK) return BAD_ARGUMENT;
  const seen = atomic.cmpxchg<u32>(r + R_WRITER, 0, contended ? id | WAITERS : id);
  if (seen == 0) {
    atomic.or<u32>(r + R_STATE, WRITER); // from now on, new readers wait
    return ACQUIRED;
  }
  if ((seen & ID_MASK) == id) return WOULD_DEADLOCK;
  return <i32>(seen & ID_MASK);
}

/** Writer step 2: 0 once no reader is left, else the state value to sleep on. */
export function rwReadersLeft(r: usize): u32 {
  const seen = atomic.load<u32>(r + R_STATE);
  return (seen & READERS) == 0 ? 0 : seen;
}

/** Takes the writer word from a writer that died; 1 if the caller won (it then holds the write lock). */
export function rwTakeOverWriter(r: usize, deadWriter: u32, id: u32): i32 {
  const seen = atomic.load<u32>(r + R_WRITER);
  if ((seen & ID_MASK) != deadWriter) return 0;
  if (atomic.cmpxchg<u32>(r + R_WRITER, seen, id | (seen & WAITERS)) != seen) return 0;
  atomic.or<u32>(r + R_STATE, WRITER);
  atomic.store<u32>(r + R_DIED, 1);
  return 1;
}

/** Whether a writer died holding the lock since the last repair. */
export function rwOwnerDied(r: usize): bool {
  return atomic.load<u32>(r + R_DIED) != 0;
}

export function rwMarkConsistent(r: usize, id: u32): i32 {
  if ((atomic.load<u32>(r + R_WRITER) & ID_MASK) != id) return NOT_OWNER;
  atomic.store<u32>(r + R_DIED, 0);
  return ACQUIRED;
}

/**
 * Releases the write lock. Returns a bit set for the host: 1 = wake the
 * readers (state word), 2 = wake one writer (writer word); 0 = nobody
 * sleeps; or NOT_OWNER.
 */
export function rwWriteUnlock(r: usize, id: u32): i32 {
  if ((atomic.load<u32>(r + R_WRITER) & ID_MASK) != id) return NOT_OWNER;
  const state = atomic.and<u32>(r + R_STATE, ~(WRITER | READERS_WAITING));
  const writer = atomic.xchg<u32>(r + R_WRITER, 0);
  return ((state & READERS_WAITING) != 0 ? 1 : 0) | ((writer & WAITERS) != 0 ? 2 : 0);
}

export function rwWriter(r: usize): u32 {
  return atomic.load<u32>(r + R_WRITER) & ID_MASK;
}

export function rwReaders(r: usize): u32 {
  return atomic.load<u32>(r + R_STATE) & READERS;
}
