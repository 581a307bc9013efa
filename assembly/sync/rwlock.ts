// A read-write lock where writers do not starve: a writer first owns the
// writer word (a robust mutex among writers, so a dead writer is detected
// and replaced), then raises WRITER in the state word, which turns new
// readers away, and waits for the readers inside to leave. Only then has it
// entered; until then DRAINING in the writer word says it has not.
//
//   RWLOCK (RWLOCK_SIZE = 256 bytes: four cache lines)
//   ┌──────────────────────────────────────────────────────────────┐ +0    RWLOCK_STATE
//   │ state   u32  readers (bits 0-29) | WRITER (bit 30)           │
//   │              | READERS_WAITING (bit 31)             (futex)  │
//   │ reserved                                                     │ +4 .. +64
//   ├──────────────────────────────────────────────────────────────┤ +64   RWLOCK_WRITER
//   │ writer  u32  writer id (bits 0-29) | DRAINING (bit 30)       │
//   │              | WAITERS (bit 31)                     (futex)  │
//   │ died    u32  1: a writer died inside (after entering), and   │ +68   RWLOCK_DIED
//   │              no writer has repaired the data since           │
//   │ reserved                                                     │ +72 .. +128
//   ├──────────────────────────────────────────────────────────────┤ +128  RWLOCK_READER_IDS
//   │ readerIds u32[RWLOCK_READER_SLOTS]  ids of readers inside,   │
//   │   0 = free                                                   │
//   │   (a writer kept waiting finds readers that died, and        │
//   │    takes their holds back; readers beyond the slots are      │
//   │    counted but cannot be checked)                            │
//   └──────────────────────────────────────────────────────────────┘ +256
//
// Owner died: a writer found dead is taken over (by the next writer, or by
// a reader that then lets readers in). If it had entered, the data may be
// half-written: `died` is set and stays set until a writer repairs the data
// and calls rwMarkConsistent. Every writer that enters meanwhile is told
// (the host's 'owner-died'); so is every reader that gets in meanwhile
// (rwOwnerDied: stable while a read hold is kept, as only an entered writer
// sets or clears it). Readers cannot repair under a shared hold. A writer
// that died while DRAINING never entered, touched nothing, and sets nothing.
//
// Values read from the lock are untrusted: every loop is bounded by a
// constant (RWLOCK_READER_SLOTS, CAS_TRIES), ids read from it are only compared
// (or handed to the host's liveness check), never used as addresses.
import { ACQUIRED, BAD_ARGUMENT, ID_MASK, NOT_OWNER, WAITERS, WOULD_DEADLOCK } from "./ids";
import { CACHE_LINE } from "../format/header";

export const RWLOCK_READER_SLOTS: u32 = 32;
export const RWLOCK_STATE: usize = 0;
export const RWLOCK_WRITER: usize = RWLOCK_STATE + CACHE_LINE;
export const RWLOCK_DIED: usize = RWLOCK_WRITER + 4;
export const RWLOCK_READER_IDS: usize = RWLOCK_WRITER + CACHE_LINE;
export const RWLOCK_SIZE: u32 = <u32>RWLOCK_READER_IDS + (RWLOCK_READER_SLOTS << 2);

// State word.
export const RWLOCK_STATE_WRITER: u32 = 0x40000000;
export const RWLOCK_STATE_READERS: u32 = 0x3fffffff;
// Set (only beside WRITER) by a reader going to sleep, so a write unlock
// makes a wake-up call only when a reader sleeps.
export const RWLOCK_STATE_READERS_WAITING: u32 = 0x80000000;

// Writer word (beside the holder's id and WAITERS, ids.ts): the holder has
// raised WRITER but readers may still be inside. Set in the same
// compare-exchange that takes the word, so no death goes unclassified.
export const RWLOCK_WRITER_DRAINING: u32 = 0x40000000;

// rwWriteUnlock's result bits (0: nobody sleeps).
export const RWLOCK_WAKE_READERS: i32 = 1; // wake every sleeper on the state word
export const RWLOCK_WAKE_WRITER: i32 = 2;  // wake one sleeper on the writer word

// rwReadersLeft's answer to a caller that does not hold the writer word: a
// value to sleep on always counts readers, this one counts none.
const NOT_WRITER: u32 = RWLOCK_STATE_WRITER;

// A compare-exchange fails only when another party changed the word in
// between; this many failures in a row is a peer scribbling on it, not
// contention. The caller then gets "not now" (or an error), never a hang.
const CAS_TRIES: u32 = 1 << 16;

export function rwInit(r: usize): void {
  memory.fill(r, 0, RWLOCK_SIZE);
}

// @ts-ignore: decorator
@inline function readerSlot(r: usize, slot: u32): usize {
  return r + RWLOCK_READER_IDS + (<usize>slot << 2);
}

/** One read attempt by `id`: 1 in (and recorded in a reader slot if one is free), 0 a writer holds or waits. */
export function rwTryRead(r: usize, id: u32): i32 {
  let seen = atomic.load<u32>(r + RWLOCK_STATE);
  for (let tries: u32 = 0; tries < CAS_TRIES && (seen & RWLOCK_STATE_WRITER) == 0; tries++) {
    if ((seen & RWLOCK_STATE_READERS) == RWLOCK_STATE_READERS) return 0;
    const now = atomic.cmpxchg<u32>(r + RWLOCK_STATE, seen, seen + 1);
    if (now == seen) {
      for (let slot: u32 = 0; slot < RWLOCK_READER_SLOTS; slot++) {
        if (atomic.cmpxchg<u32>(readerSlot(r, slot), 0, id) == 0) break;
      }
      return 1;
    }
    seen = now;
  }
  return 0;
}

/** The id recorded in reader slot `slot` (0: free, or not a valid id), for a writer checking who is inside. */
export function rwReaderId(r: usize, slot: u32): u32 {
  if (slot >= RWLOCK_READER_SLOTS) return 0;
  const id = atomic.load<u32>(readerSlot(r, slot));
  return id <= ID_MASK ? id : 0;
}

/** Takes back the read hold of `deadId`, a reader that died inside. 1 if this caller did. */
export function rwReapReader(r: usize, slot: u32, deadId: u32): i32 {
  if (slot >= RWLOCK_READER_SLOTS || deadId == 0) return 0;
  if (atomic.cmpxchg<u32>(readerSlot(r, slot), deadId, 0) != deadId) return 0;
  return dropReader(r) < 0 ? 0 : 1;
}

/** Leaves a read hold of `id`. Returns 1 when the last reader left under a waiting writer (wake it). */
export function rwReadUnlock(r: usize, id: u32): i32 {
  for (let slot: u32 = 0; slot < RWLOCK_READER_SLOTS; slot++) {
    if (atomic.load<u32>(readerSlot(r, slot)) == id && atomic.cmpxchg<u32>(readerSlot(r, slot), id, 0) == id) break;
  }
  return dropReader(r);
}

// One reader fewer. 1 when it was the last one under a waiting writer.
function dropReader(r: usize): i32 {
  let seen = atomic.load<u32>(r + RWLOCK_STATE);
  for (let tries: u32 = 0; tries < CAS_TRIES; tries++) {
    if ((seen & RWLOCK_STATE_READERS) == 0) return BAD_ARGUMENT; // no reader: a decrement would corrupt the word
    const now = atomic.cmpxchg<u32>(r + RWLOCK_STATE, seen, seen - 1);
    if (now == seen) return (seen & RWLOCK_STATE_READERS) == 1 && (seen & RWLOCK_STATE_WRITER) != 0 ? 1 : 0;
    seen = now;
  }
  return BAD_ARGUMENT;
}

/**
 * A reader turned away by a writer, about to sleep: flags it on the state
 * word and returns the value to sleep on, or 0 when no writer is there any
 * more (try again instead).
 */
export function rwReadWaiting(r: usize): u32 {
  let seen = atomic.load<u32>(r + RWLOCK_STATE);
  for (let tries: u32 = 0; tries < CAS_TRIES && (seen & RWLOCK_STATE_WRITER) != 0; tries++) {
    if (seen & RWLOCK_STATE_READERS_WAITING) return seen;
    const now = atomic.cmpxchg<u32>(r + RWLOCK_STATE, seen, seen | RWLOCK_STATE_READERS_WAITING);
    if (now == seen) return seen | RWLOCK_STATE_READERS_WAITING;
    seen = now;
  }
  return 0;
}

/**
 * Writer step 1, the writer word: ACQUIRED (held, DRAINING: go on with
 * rwReadersLeft), WOULD_DEADLOCK, or the holding writer's id (> 0) to
 * sleep on (via markWaiting on RWLOCK_WRITER).
 */
export function rwTryWriterWord(r: usize, id: u32, contended: bool): i32 {
  if (id == 0 || id > ID_MASK) return BAD_ARGUMENT;
  const seen = atomic.cmpxchg<u32>(r + RWLOCK_WRITER, 0, id | RWLOCK_WRITER_DRAINING | (contended ? WAITERS : 0));
  if (seen == 0) {
    atomic.or<u32>(r + RWLOCK_STATE, RWLOCK_STATE_WRITER); // from now on, new readers wait
    return ACQUIRED;
  }
  if ((seen & ID_MASK) == id) return WOULD_DEADLOCK;
  return <i32>(seen & ID_MASK);
}

/**
 * Writer step 2, by the holder `id` of the writer word: 0 once no reader
 * is left (the caller has entered: DRAINING is cleared, the write lock is
 * held), else the state value to sleep on. A nonzero value that counts no
 * readers means the caller does not hold the writer word.
 */
export function rwReadersLeft(r: usize, id: u32): u32 {
  const seen = atomic.load<u32>(r + RWLOCK_STATE);
  if ((seen & RWLOCK_STATE_READERS) != 0) return seen;
  // WRITER is up and nobody is inside, so nobody can get in: enter.
  let word = atomic.load<u32>(r + RWLOCK_WRITER);
  for (let tries: u32 = 0; tries < CAS_TRIES; tries++) {
    if ((word & ID_MASK) != id || id == 0) return NOT_WRITER;
    if ((word & RWLOCK_WRITER_DRAINING) == 0) return 0;
    const now = atomic.cmpxchg<u32>(r + RWLOCK_WRITER, word, word & ~RWLOCK_WRITER_DRAINING);
    if (now == word) return 0;
    word = now; // a waiter raised WAITERS meanwhile
  }
  return NOT_WRITER;
}

/**
 * Takes the writer word from `deadWriter`, a writer that died; 1 if the
 * caller won. It then holds the writer word, DRAINING, as after
 * rwTryWriterWord: a writer goes on with rwReadersLeft, a reader unlocks.
 * Only a dead writer that had entered sets `died`.
 */
export function rwTakeOverWriter(r: usize, deadWriter: u32, id: u32): i32 {
  if (id == 0 || id > ID_MASK || deadWriter == 0) return 0;
  const seen = atomic.load<u32>(r + RWLOCK_WRITER);
  if ((seen & ID_MASK) != deadWriter) return 0;
  if (atomic.cmpxchg<u32>(r + RWLOCK_WRITER, seen, id | RWLOCK_WRITER_DRAINING | (seen & WAITERS)) != seen) return 0;
  atomic.or<u32>(r + RWLOCK_STATE, RWLOCK_STATE_WRITER);
  if ((seen & RWLOCK_WRITER_DRAINING) == 0) atomic.store<u32>(r + RWLOCK_DIED, 1);
  return 1;
}

/** Whether a writer died inside the lock since the last repair (readers and writers alike should check). */
export function rwOwnerDied(r: usize): bool {
  return atomic.load<u32>(r + RWLOCK_DIED) != 0;
}

/** The data is repaired: only by the writer `id` that has entered. ACQUIRED or NOT_OWNER. */
export function rwMarkConsistent(r: usize, id: u32): i32 {
  if (id == 0 || (atomic.load<u32>(r + RWLOCK_WRITER) & (ID_MASK | RWLOCK_WRITER_DRAINING)) != id) return NOT_OWNER;
  atomic.store<u32>(r + RWLOCK_DIED, 0);
  return ACQUIRED;
}

/**
 * Releases the write lock (or gives up the writer word while DRAINING).
 * Returns a bit set for the host: RWLOCK_WAKE_READERS (state word),
 * RWLOCK_WAKE_WRITER (writer word); 0 = nobody sleeps; or NOT_OWNER.
 */
export function rwWriteUnlock(r: usize, id: u32): i32 {
  if (id == 0 || (atomic.load<u32>(r + RWLOCK_WRITER) & ID_MASK) != id) return NOT_OWNER;
  const state = atomic.and<u32>(r + RWLOCK_STATE, ~(RWLOCK_STATE_WRITER | RWLOCK_STATE_READERS_WAITING));
  const writer = atomic.xchg<u32>(r + RWLOCK_WRITER, 0);
  return ((state & RWLOCK_STATE_READERS_WAITING) != 0 ? RWLOCK_WAKE_READERS : 0) | ((writer & WAITERS) != 0 ? RWLOCK_WAKE_WRITER : 0);
}

/** The id of the writer holding the writer word (entered or DRAINING), or 0. */
export function rwWriter(r: usize): u32 {
  return atomic.load<u32>(r + RWLOCK_WRITER) & ID_MASK;
}

export function rwReaders(r: usize): u32 {
  return atomic.load<u32>(r + RWLOCK_STATE) & RWLOCK_STATE_READERS;
}
