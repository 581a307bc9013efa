// The shmkit segment format: a header that says what the segment is, the
// init word that lets exactly one process initialise it (and one reaper
// condemn it), and the lock word for directory changes. Every multi-byte
// field is little-endian.
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
//   │ userCapacity   u32  live-user slots (format/users.ts)        │ 32
//   │ userOffset     u32  first live-user slot                     │ 36
//   │ flags          u32  FLAG_* (atomic; only ever set)           │ 40
//   │ creatorNs      u32  the initialiser's pid namespace (inode;  │ 44
//   │                     0: unknown): format/users.ts             │
//   │ lastJoinMs     u64  wall clock (ms) of the latest join: a    │ 48
//   │                     hint for reapers, never an address       │
//   │ reserved                                                     │ 56 .. 64
//   ├──────────────────────────────────────────────────────────────┤ 64   own cache line
//   │ initWord       u32  (pid << 2) | INIT_* state      (atomic)  │
//   │                     GONE: the pid is a reaper removing it    │
//   ├──────────────────────────────────────────────────────────────┤ 128  own cache line
//   │ dirLock        u32  pid of the holder, 0 when free (atomic)  │
//   │ dirGeneration  u32  bumped on every directory change         │ 132
//   ├──────────────────────────────────────────────────────────────┤ 192
//   │ reserved                                                     │
//   └──────────────────────────────────────────────────────────────┘ 256
//   directory (format/directory.ts), the live-user table (format/users.ts),
//   then the heap of objects, each part starting on a cache line.
//
//   SEGMENT DESCRIPTOR (process-private; descriptor.ts has the common part)
//   ┌──────────────────────────────────────────────────────────────┐ +16  D_KIND
//   │ totalSize    u64  checked against the mapping at open        │
//   │ dirCapacity  u32  checked against totalSize                  │ +24
//   │ heapOffset   u32  recomputed from the two capacities         │ +28
//   │ userCapacity u32  checked against MAX_USER_CAPACITY          │ +32
//   │ userOffset   u32  recomputed from dirCapacity                │ +36
//   └──────────────────────────────────────────────────────────────┘ +40
//   The directory's offset is always HEADER_SIZE; a header that says
//   otherwise is corrupt.

import { D_KIND, FAULT_HEADER, FAULT_WINDOW, descBase, descFail, descStart, fits } from "../descriptor";
import { ENTRY_SIZE } from "./directory";
import { MAX_USER_CAPACITY, USER_SLOT_SIZE, userSlotPublish } from "./users";

export const SEGMENT_MAGIC: u32 = 0x4b4d4853; // 'SHMK'
// Raised whenever an object's bytes change meaning (2: SPSC records publish
// themselves, MPMC signals count events; 3: the SPSC header is 256 bytes,
// channels' private cursors left the shared bytes; 4: the live-user table).
export const FORMAT_VERSION: u32 = 4;
export const CACHE_LINE: u32 = 64;

export const H_MAGIC: usize = 0;
export const H_VERSION: usize = H_MAGIC + 4;
export const H_TOTAL_SIZE: usize = H_VERSION + 4;
export const H_CREATOR_PID: usize = H_TOTAL_SIZE + 8;
export const H_DIR_CAPACITY: usize = H_CREATOR_PID + 4;
export const H_DIR_OFFSET: usize = H_DIR_CAPACITY + 4;
export const H_HEAP_OFFSET: usize = H_DIR_OFFSET + 4;
export const H_USER_CAPACITY: usize = H_HEAP_OFFSET + 4;
export const H_USER_OFFSET: usize = H_USER_CAPACITY + 4;
export const H_FLAGS: usize = H_USER_OFFSET + 4;
export const H_CREATOR_NAMESPACE: usize = H_FLAGS + 4;
export const H_LAST_JOIN_MS: usize = H_CREATOR_NAMESPACE + 4;
export const H_INIT_WORD: usize = H_MAGIC + CACHE_LINE;
export const H_DIR_LOCK: usize = H_INIT_WORD + CACHE_LINE;
export const H_DIR_GENERATION: usize = H_DIR_LOCK + 4;
export const HEADER_SIZE: usize = H_DIR_LOCK + 2 * CACHE_LINE;

export const D_TOTAL_SIZE: usize = D_KIND;
export const D_DIR_CAPACITY: usize = D_TOTAL_SIZE + 8;
export const D_HEAP_OFFSET: usize = D_DIR_CAPACITY + 4;
export const D_USER_CAPACITY: usize = D_HEAP_OFFSET + 4;
export const D_USER_OFFSET: usize = D_USER_CAPACITY + 4;

/** Most directory slots a segment may have. */
export const MAX_DIR_CAPACITY: u32 = 65536;

// initWord states (low two bits); the pid of the initialiser sits above.
export const INIT_FRESH: u32 = 0;
export const INIT_BUSY: u32 = 1;
export const INIT_READY: u32 = 2;
export const INIT_GONE: u32 = 3;  // condemned by the pid above: it is being removed
export const INIT_PID_SHIFT: u32 = 2;
const STATE_MASK: u32 = (1 << INIT_PID_SHIFT) - 1;
/** Largest pid the init and lock words can hold (Linux pid_max is at most 2^22). */
export const MAX_PID: u32 = 0x3fffffff;

// formatPeek results
export const PEEK_FRESH: i32 = 1;   // all zero: claim it with formatClaim, then formatInit
export const PEEK_READY: i32 = 2;   // formatted: open it with formatOpen
export const PEEK_WAIT: i32 = 0;    // another process is initialising: wait, then peek again
export const PEEK_FOREIGN: i32 = -1; // the bytes are not a shmkit segment
export const PEEK_GONE: i32 = 3;    // a reaper is removing it: open it again by name

/** Set in `flags` by whoever asks: the last user to leave removes the segment. */
export const FLAG_REMOVE_WITH_LAST_USER: u32 = 1;
/**
 * Set by the core, never by hosts: a user from a pid namespace other than
 * creatorNs has joined (format/users.ts). Set before that user claims a slot.
 */
export const FLAG_MIXED_NAMESPACES: u32 = 2;
// The flags hosts may ask for and read back.
const KNOWN_FLAGS: u32 = FLAG_REMOVE_WITH_LAST_USER;

// formatCheck / formatInit results
export const FORMAT_OK: i32 = 0;
export const FORMAT_BAD_MAGIC: i32 = -1;
export const FORMAT_BAD_VERSION: i32 = -2;
export const FORMAT_SIZE_MISMATCH: i32 = -3;
export const FORMAT_TOO_SMALL: i32 = -4;
export const FORMAT_NOT_OWNER: i32 = -5;
export const FORMAT_CORRUPT: i32 = -6;
export const FORMAT_BAD_ARGUMENT: i32 = -7;

// @ts-ignore: decorator
@inline function lineUp(value: u64): u64 {
  return (value + CACHE_LINE - 1) & ~<u64>(CACHE_LINE - 1);
}

// Where the user table starts after `dirCapacity` directory slots.
// @ts-ignore: decorator
@inline function userOffsetFor(dirCapacity: u32): u64 {
  return lineUp(<u64>HEADER_SIZE + <u64>dirCapacity * ENTRY_SIZE);
}

// Where the heap starts after the directory and the user table.
// @ts-ignore: decorator
@inline function heapOffsetFor(dirCapacity: u32, userCapacity: u32): u64 {
  return lineUp(userOffsetFor(dirCapacity) + <u64>userCapacity * USER_SLOT_SIZE);
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
  if (state == INIT_GONE) return PEEK_GONE;
  if (word != 0) return PEEK_FOREIGN;
  if (!headerIsBlank(seg)) {
    // A claimer may have claimed and begun to write since the word was
    // read: that is a segment being formatted, not foreign bytes.
    return atomic.load<u32>(seg + H_INIT_WORD) != 0 ? PEEK_WAIT : PEEK_FOREIGN;
  }
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

/**
 * Writes the header, clears the directory and the user table, registers the
 * creator (`token`, `namespace`: format/users.ts) in the table's first slot,
 * then publishes READY with one store, so a formatted segment always has
 * its creator as a user until it leaves.
 */
export function formatInit(
  seg: usize, size: u64, pid: u32, dirCapacity: u32, userCapacity: u32, flags: u32,
  token: u64, namespace: u32, nowMs: u64,
): i32 {
  if (atomic.load<u32>(seg + H_INIT_WORD) != initWordOf(pid, INIT_BUSY)) return FORMAT_NOT_OWNER;
  if (dirCapacity < 1 || dirCapacity > MAX_DIR_CAPACITY) return FORMAT_BAD_ARGUMENT;
  if (userCapacity < 1 || userCapacity > MAX_USER_CAPACITY || (flags & ~KNOWN_FLAGS) != 0 || token == 0) return FORMAT_BAD_ARGUMENT;
  const dirOffset = HEADER_SIZE;
  const userOffset = userOffsetFor(dirCapacity);
  const heapOffset = heapOffsetFor(dirCapacity, userCapacity);
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
  store<u32>(seg + H_USER_CAPACITY, userCapacity);
  store<u32>(seg + H_USER_OFFSET, <u32>userOffset);
  store<u32>(seg + H_FLAGS, flags);
  store<u32>(seg + H_CREATOR_NAMESPACE, namespace);
  store<u64>(seg + H_LAST_JOIN_MS, nowMs);
  userSlotPublish(seg + <usize>userOffset, token, namespace);
  store<u32>(seg + H_MAGIC, SEGMENT_MAGIC); // last before READY: a header with magic is whole
  atomic.store<u32>(seg + H_INIT_WORD, initWordOf(pid, INIT_READY));
  return FORMAT_OK;
}

// FORMAT_OK when the header at [seg, seg + mappedSize) is one an
// initialiser wrote in full, else why not. Each field is read once; with
// `keep`, the values checked are what goes into descriptor `d`.
function headerStatus(seg: usize, mappedSize: u32, d: usize, keep: bool): i32 {
  if (<usize>mappedSize < HEADER_SIZE) return FORMAT_TOO_SMALL;
  if (load<u32>(seg + H_MAGIC) != SEGMENT_MAGIC) return FORMAT_BAD_MAGIC;
  if (load<u32>(seg + H_VERSION) != FORMAT_VERSION) return FORMAT_BAD_VERSION;
  const totalSize = load<u64>(seg + H_TOTAL_SIZE);
  if (totalSize > <u64>mappedSize) return FORMAT_SIZE_MISMATCH;
  const dirCapacity = load<u32>(seg + H_DIR_CAPACITY);
  const userCapacity = load<u32>(seg + H_USER_CAPACITY);
  const heapOffset = load<u32>(seg + H_HEAP_OFFSET);
  if (load<u32>(seg + H_DIR_OFFSET) != <u32>HEADER_SIZE || dirCapacity < 1 || dirCapacity > MAX_DIR_CAPACITY ||
      userCapacity < 1 || userCapacity > MAX_USER_CAPACITY ||
      <u64>load<u32>(seg + H_USER_OFFSET) != userOffsetFor(dirCapacity) ||
      <u64>heapOffset != heapOffsetFor(dirCapacity, userCapacity) || <u64>heapOffset >= totalSize) {
    return FORMAT_CORRUPT;
  }
  if (keep) {
    store<u64>(d + D_TOTAL_SIZE, totalSize);
    store<u32>(d + D_DIR_CAPACITY, dirCapacity);
    store<u32>(d + D_HEAP_OFFSET, heapOffset);
    store<u32>(d + D_USER_CAPACITY, userCapacity);
    store<u32>(d + D_USER_OFFSET, <u32>userOffsetFor(dirCapacity));
  }
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
  const status = headerStatus(seg, mappedSize, d, true);
  if (status == FORMAT_CORRUPT) descFail(d, FAULT_HEADER);
  return status;
}

/** The init word as it is now: `pid << INIT_PID_SHIFT | INIT_*`. */
export function formatInitWord(seg: usize): u32 {
  return atomic.load<u32>(seg + H_INIT_WORD);
}

/**
 * Condemns the segment for reaper `pid`: replaces the init word, which must
 * still be `expected` (READY, or BUSY or GONE of a pid the caller found
 * dead, or 0 for a header no one has claimed: one whose maker died before
 * formatting it), by GONE. Openers that see GONE stop joining, and none can
 * claim a condemned fresh header. The reaper then looks at the user table:
 * with a live user there it gives the word back with formatRestore; with
 * none it removes the segment. Exactly one caller wins.
 */
export function formatCondemn(seg: usize, expected: u32, pid: u32): bool {
  if (pid == 0 || pid > MAX_PID || (expected != 0 && (expected & STATE_MASK) == INIT_FRESH)) return false;
  return atomic.cmpxchg<u32>(seg + H_INIT_WORD, expected, initWordOf(pid, INIT_GONE)) == expected;
}

/** The READY word of the header at `seg`: its creator's pid, as formatRestore takes it back. */
export function formatReadyWord(seg: usize): u32 {
  return initWordOf(load<u32>(seg + H_CREATOR_PID) & MAX_PID, INIT_READY);
}

/** Gives a segment `pid` condemned back to its users: GONE becomes `ready` (a READY word, or 0 for a fresh header) again. */
export function formatRestore(seg: usize, pid: u32, ready: u32): bool {
  if (ready != 0 && (ready & STATE_MASK) != INIT_READY) return false;
  const gone = initWordOf(pid, INIT_GONE);
  return atomic.cmpxchg<u32>(seg + H_INIT_WORD, gone, ready) == gone;
}

/**
 * Revives a segment whose reaper died while it was condemned, for an
 * opener that opened it by name after the reaper's death (so the name
 * still leads to it): PEEK_READY when its header is whole (it is READY
 * again), PEEK_FRESH when it is not (the caller now holds the init claim
 * as `pid` and must formatInit), PEEK_WAIT when another caller won.
 */
export function formatRevive(seg: usize, mappedSize: u32, deadPid: u32, pid: u32): i32 {
  const gone = initWordOf(deadPid, INIT_GONE);
  // The window is checked before the first load, as formatOpen does.
  if (<usize>mappedSize < HEADER_SIZE || pid == 0 || pid > MAX_PID || atomic.load<u32>(seg + H_INIT_WORD) != gone) return PEEK_WAIT;
  const whole = headerStatus(seg, mappedSize, 0, false) == FORMAT_OK;
  const next = whole ? formatReadyWord(seg) : initWordOf(pid, INIT_BUSY);
  if (atomic.cmpxchg<u32>(seg + H_INIT_WORD, gone, next) != gone) return PEEK_WAIT;
  return whole ? PEEK_READY : PEEK_FRESH;
}

/** The segment's FLAG_* bits (those this build knows). */
export function formatFlags(d: usize): u32 {
  return atomic.load<u32>(descBase(d) + H_FLAGS) & KNOWN_FLAGS;
}

/** Sets FLAG_* bits; they are never cleared. False for unknown bits. */
export function formatSetFlags(d: usize, flags: u32): bool {
  if ((flags & ~KNOWN_FLAGS) != 0) return false;
  atomic.or<u32>(descBase(d) + H_FLAGS, flags);
  return true;
}

/** Wall-clock milliseconds of the latest join, as written (a hint: any value may be there). */
export function formatLastJoinMs(d: usize): u64 {
  return atomic.load<u64>(descBase(d) + H_LAST_JOIN_MS);
}
