// The shmkit segment format: a header that says what the segment is, the
// init word that lets exactly one process initialise it, and the lock word
// for directory changes. Every multi-byte field is little-endian.
//
//   SEGMENT HEADER (HEADER_SIZE = 256 bytes, at the segment's first byte)
//   ┌──────────────────────────────────────────────────────────────┐ 0
//   │ magic          u32  'SHMK' once initialised                  │
//   │ version        u32  FORMAT_VERSION                           │ 4
//   │ totalSize      u64  bytes the initialiser formatted          │ 8
//   │ creatorPid     u32  pid of the process that initialised it   │ 16
//   │ dirCapacity    u32  directory slots                          │ 20
//   │ dirOffset      u32  first directory slot                     │ 24
//   │ heapOffset     u32  first byte objects may occupy            │ 28
//   │ reserved                                                     │ 32 .. 64
//   ├──────────────────────────────────────────────────────────────┤ 64   own cache line
//   │ initWord       u32  (pid << 2) | INIT_* state      (atomic)  │
//   ├──────────────────────────────────────────────────────────────┤ 128  own cache line
//   │ dirLock        u32  pid of the holder, 0 when free (atomic)  │
//   │ dirGeneration  u32  bumped on every directory change         │ 132
//   ├──────────────────────────────────────────────────────────────┤ 192
//   │ reserved                                                     │
//   └──────────────────────────────────────────────────────────────┘ 256
//   directory (format/directory.ts), then the heap of objects.
//
//   SEGMENT DESCRIPTOR (process-private; descriptor.ts has the common part)
//   ┌──────────────────────────────────────────────────────────────┐ +16  D_KIND
//   │ totalSize    u64  checked against the mapping at open        │
//   │ dirCapacity  u32  checked against totalSize                  │ +24
//   │ heapOffset   u32  recomputed from dirCapacity                │ +28
//   └──────────────────────────────────────────────────────────────┘ +32
//   The directory's offset is always HEADER_SIZE; a header that says
//   otherwise is corrupt.

import { D_KIND, FAULT_HEADER, FAULT_WINDOW, descFail, descStart, fits } from "../descriptor";
import { ENTRY_SIZE } from "./directory";

export const SEGMENT_MAGIC: u32 = 0x4b4d4853; // 'SHMK'
// Raised whenever an object's bytes change meaning (2: SPSC records publish
// themselves, MPMC signals count events; 3: the SPSC header is 256 bytes,
// channels' private cursors left the shared bytes).
export const FORMAT_VERSION: u32 = 3;
export const CACHE_LINE: u32 = 64;

export const H_MAGIC: usize = 0;
export const H_VERSION: usize = H_MAGIC + 4;
export const H_TOTAL_SIZE: usize = H_VERSION + 4;
export const H_CREATOR_PID: usize = H_TOTAL_SIZE + 8;
export const H_DIR_CAPACITY: usize = H_CREATOR_PID + 4;
export const H_DIR_OFFSET: usize = H_DIR_CAPACITY + 4;
export const H_HEAP_OFFSET: usize = H_DIR_OFFSET + 4;
export const H_INIT_WORD: usize = H_MAGIC + CACHE_LINE;
export const H_DIR_LOCK: usize = H_INIT_WORD + CACHE_LINE;
export const H_DIR_GENERATION: usize = H_DIR_LOCK + 4;
export const HEADER_SIZE: usize = H_DIR_LOCK + 2 * CACHE_LINE;

export const D_TOTAL_SIZE: usize = D_KIND;
export const D_DIR_CAPACITY: usize = D_TOTAL_SIZE + 8;
export const D_HEAP_OFFSET: usize = D_DIR_CAPACITY + 4;

/** Most directory slots a segment may have. */
export const MAX_DIR_CAPACITY: u32 = 65536;

// initWord states (low two bits); the pid of the initialiser sits above.
export const INIT_FRESH: u32 = 0;
export const INIT_BUSY: u32 = 1;
export const INIT_READY: u32 = 2;
export const INIT_PID_SHIFT: u32 = 2;
const STATE_MASK: u32 = (1 << INIT_PID_SHIFT) - 1;
/** Largest pid the init and lock words can hold (Linux pid_max is at most 2^22). */
export const MAX_PID: u32 = 0x3fffffff;

// formatPeek results
export const PEEK_FRESH: i32 = 1;   // all zero: claim it with formatClaim, then formatInit
export const PEEK_READY: i32 = 2;   // formatted: open it with formatOpen
export const PEEK_WAIT: i32 = 0;    // another process is initialising: wait, then peek again
export const PEEK_FOREIGN: i32 = -1; // the bytes are not a shmkit segment

// formatCheck / formatInit results
export const FORMAT_OK: i32 = 0;
export const FORMAT_BAD_MAGIC: i32 = -1;
export const FORMAT_BAD_VERSION: i32 = -2;
export const FORMAT_SIZE_MISMATCH: i32 = -3;
export const FORMAT_TOO_SMALL: i32 = -4;
export const FORMAT_NOT_OWNER: i32 = -5;
export const FORMAT_CORRUPT: i32 = -6;
export const FORMAT_BAD_ARGUMENT: i32 = -7;

// Where the heap starts for `dirCapacity` directory slots (a cache line boundary).
// @ts-ignore: decorator
@inline function heapOffsetFor(dirCapacity: u32): u64 {
  return (<u64>HEADER_SIZE + <u64>dirCapacity * ENTRY_SIZE + CACHE_LINE - 1) & ~<u64>(CACHE_LINE - 1);
}

// @ts-ignore: decorator
@inline export function initWordOf(pid: u32, state: u32): u32 {
  return (pid << INIT_PID_SHIFT) | state;
}

function headerIsBlank(seg: usize): bool {
  for (let at: usize = 0; at < HEADER_SIZE; at += 8) {
    if (at != H_INIT_WORD && load<u64>(seg + at) != 0) return false;
  }
  return true;
}

/**
 * First step of opening, without writing (so it is safe on read-only
 * attachments): READY, WAIT (being initialised), FOREIGN, or FRESH (an
 * all-zero header the caller may try to claim with formatClaim).
 */
export function formatPeek(seg: usize): i32 {
  const word = atomic.load<u32>(seg + H_INIT_WORD);
  const state = word & STATE_MASK;
  if (state == INIT_READY) return load<u32>(seg + H_MAGIC) == SEGMENT_MAGIC ? PEEK_READY : PEEK_FOREIGN;
  if (state == INIT_BUSY) return PEEK_WAIT;
  if (word != 0 || !headerIsBlank(seg)) return PEEK_FOREIGN;
  return PEEK_FRESH;
}

/** Claims a FRESH header for `pid` (compare-exchange): exactly one caller wins and must formatInit. */
export function formatClaim(seg: usize, pid: u32): bool {
  return atomic.cmpxchg<u32>(seg + H_INIT_WORD, 0, initWordOf(pid, INIT_BUSY)) == 0;
}

/** The pid that holds the init word while it is busy, else 0. */
export function formatInitPid(seg: usize): u32 {
  const word = atomic.load<u32>(seg + H_INIT_WORD);
  return (word & STATE_MASK) == INIT_BUSY ? word >> INIT_PID_SHIFT : 0;
}

/**
 * Takes over an initialisation whose process died: exactly one caller wins
 * the compare-exchange from the dead pid to its own, and initialises anew.
 */
export function formatTakeOver(seg: usize, deadPid: u32, pid: u32): bool {
  const expected = initWordOf(deadPid, INIT_BUSY);
  return atomic.cmpxchg<u32>(seg + H_INIT_WORD, expected, initWordOf(pid, INIT_BUSY)) == expected;
}

/** Writes the header, clears the directory, then publishes READY with one store. */
export function formatInit(seg: usize, size: u64, pid: u32, dirCapacity: u32): i32 {
  if (atomic.load<u32>(seg + H_INIT_WORD) != initWordOf(pid, INIT_BUSY)) return FORMAT_NOT_OWNER;
  if (dirCapacity < 1 || dirCapacity > MAX_DIR_CAPACITY) return FORMAT_BAD_ARGUMENT;
  const dirOffset = HEADER_SIZE;
  const heapOffset = heapOffsetFor(dirCapacity);
  if (heapOffset >= size) return FORMAT_TOO_SMALL;
  // A takeover may find a half-written header: rewrite all of it.
  memory.fill(seg + H_MAGIC, 0, H_INIT_WORD - H_MAGIC);
  memory.fill(seg + H_DIR_LOCK, 0, HEADER_SIZE - H_DIR_LOCK);
  memory.fill(seg + dirOffset, 0, <usize>(heapOffset - dirOffset));
  store<u32>(seg + H_VERSION, FORMAT_VERSION);
  store<u64>(seg + H_TOTAL_SIZE, size);
  store<u32>(seg + H_CREATOR_PID, pid);
  store<u32>(seg + H_DIR_CAPACITY, dirCapacity);
  store<u32>(seg + H_DIR_OFFSET, <u32>dirOffset);
  store<u32>(seg + H_HEAP_OFFSET, <u32>heapOffset);
  store<u32>(seg + H_MAGIC, SEGMENT_MAGIC);
  atomic.store<u32>(seg + H_INIT_WORD, initWordOf(pid, INIT_READY));
  return FORMAT_OK;
}

/**
 * Opens a READY segment mapped at [seg, seg + mappedSize) into descriptor
 * `d`: the header is read once and checked against what this build
 * understands and against the mapping. FORMAT_OK, or why not (the
 * descriptor's fault says FAULT_HEADER for a header no initialiser wrote).
 */
export function formatOpen(d: usize, seg: usize, mappedSize: u32): i32 {
  descStart(d, seg, seg + mappedSize);
  if (!fits(seg, HEADER_SIZE, seg + mappedSize)) {
    descFail(d, FAULT_WINDOW);
    return FORMAT_TOO_SMALL;
  }
  if (load<u32>(seg + H_MAGIC) != SEGMENT_MAGIC) return FORMAT_BAD_MAGIC;
  if (load<u32>(seg + H_VERSION) != FORMAT_VERSION) return FORMAT_BAD_VERSION;
  const totalSize = load<u64>(seg + H_TOTAL_SIZE);
  if (totalSize > <u64>mappedSize) return FORMAT_SIZE_MISMATCH;
  const dirCapacity = load<u32>(seg + H_DIR_CAPACITY);
  const heapOffset = load<u32>(seg + H_HEAP_OFFSET);
  if (load<u32>(seg + H_DIR_OFFSET) != <u32>HEADER_SIZE || dirCapacity < 1 || dirCapacity > MAX_DIR_CAPACITY ||
      <u64>heapOffset != heapOffsetFor(dirCapacity) || <u64>heapOffset >= totalSize) {
    descFail(d, FAULT_HEADER);
    return FORMAT_CORRUPT;
  }
  store<u64>(d + D_TOTAL_SIZE, totalSize);
  store<u32>(d + D_DIR_CAPACITY, dirCapacity);
  store<u32>(d + D_HEAP_OFFSET, heapOffset);
  return FORMAT_OK;
}
