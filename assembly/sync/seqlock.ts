// A sequence lock for one writer and many readers of a small record:
// readers never block the writer and never return a torn value. The writer
// makes the sequence odd, writes, makes it even; a reader copies, fences,
// and keeps the copy only if the sequence was even and unchanged.
//
//   SEQLOCK (SEQLOCK_HEADER = 64 bytes, then the data)
//   ┌─────────────────────────────────────────────────────┐ +0
//   │ sequence u32  odd while a write is in progress      │
//   │ writer   u32  id of the writing thread (0: none)    │ +4
//   │ capacity u32  data bytes                            │ +8
//   │ reserved                                            │ +12 .. +64
//   ├─────────────────────────────────────────────────────┤ +64
//   │ data     u8[capacity]                               │
//   └─────────────────────────────────────────────────────┘

import { copyBytes } from "../copy";
import { CACHE_LINE } from "../format/header";

export const SEQLOCK_SEQUENCE: usize = 0;
export const SEQLOCK_WRITER: usize = SEQLOCK_SEQUENCE + 4;
export const SEQLOCK_CAPACITY: usize = SEQLOCK_WRITER + 4;
export const SEQLOCK_HEADER: u32 = CACHE_LINE;

export const SEQ_RETRY: i32 = 0;
export const SEQ_OK: i32 = 1;
export const SEQ_TOO_LONG: i32 = -1;

export function seqInit(q: usize, capacity: u32): void {
  memory.fill(q, 0, SEQLOCK_HEADER + capacity);
  store<u32>(q + SEQLOCK_CAPACITY, capacity);
}

/** Writes `length` bytes from `src` as one update. */
export function seqWrite(q: usize, id: u32, src: usize, length: u32): i32 {
  if (length > load<u32>(q + SEQLOCK_CAPACITY)) return SEQ_TOO_LONG;
  atomic.store<u32>(q + SEQLOCK_WRITER, id);
  atomic.add<u32>(q + SEQLOCK_SEQUENCE, 1); // odd: readers will retry
  copyBytes(q + SEQLOCK_HEADER, src, length);
  atomic.add<u32>(q + SEQLOCK_SEQUENCE, 1); // even: published
  atomic.store<u32>(q + SEQLOCK_WRITER, 0);
  return SEQ_OK;
}

/** Copies `length` bytes to `dst`: SEQ_OK if the copy is one whole update, SEQ_RETRY if not. */
export function seqRead(q: usize, dst: usize, length: u32): i32 {
  if (length > load<u32>(q + SEQLOCK_CAPACITY)) return SEQ_TOO_LONG;
  const before = atomic.load<u32>(q + SEQLOCK_SEQUENCE);
  if (before & 1) return SEQ_RETRY;
  // Atomic (sequentially consistent) loads keep the copy ordered before the
  // second sequence load; plain loads could be moved after it. They only
  // read, so this also works on a read-only attachment.
  const src = q + SEQLOCK_HEADER;
  let i: usize = 0;
  for (; i + 8 <= <usize>length; i += 8) store<u64>(dst + i, atomic.load<u64>(src + i));
  for (; i < <usize>length; i++) store<u8>(dst + i, atomic.load<u8>(src + i));
  return atomic.load<u32>(q + SEQLOCK_SEQUENCE) == before ? SEQ_OK : SEQ_RETRY;
}

/** The id of a writer mid-update (0 if none): a reader stuck on an odd sequence checks it is alive. */
export function seqWriter(q: usize): u32 {
  return atomic.load<u32>(q + SEQLOCK_WRITER);
}

/** Repairs a sequence left odd by a writer that died: the data holds a partial update. */
export function seqRecover(q: usize, deadWriter: u32): i32 {
  if (atomic.cmpxchg<u32>(q + SEQLOCK_WRITER, deadWriter, 0) != deadWriter) return 0;
  const sequence = atomic.load<u32>(q + SEQLOCK_SEQUENCE);
  if (sequence & 1) atomic.store<u32>(q + SEQLOCK_SEQUENCE, sequence + 1);
  return 1;
}

export function seqSequence(q: usize): u32 {
  return atomic.load<u32>(q + SEQLOCK_SEQUENCE);
}
