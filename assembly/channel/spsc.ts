// A single-producer single-consumer ring of variable-length messages. The
// producer claims space and writes in place; the consumer peeks in place
// and releases with one store of the head. Neither side ever waits: the
// host sleeps on the low word of the other side's cursor, and a side wakes
// the other only when that one has said it sleeps.
//
// Publication lives in the records themselves, so a message reaches the
// consumer in the cache lines that carry it and no cursor line moves with
// it. Every claim first writes a zero header (the terminator) after its
// record. The first record claimed since the last commit leaves its header
// zero and keeps it aside; later ones are written final at once; commit
// writes the one kept aside with a single store, so every claim since the
// last commit becomes visible at once, and a producer that dies before it
// leaves nothing partial. (Writing that header only at commit also saves
// one fetch of the line that a waiting consumer keeps polling.)
// The consumer reads headers from its own cursor on and stops at a zero
// type word; it never meets stale bytes, because each published record was
// preceded by the terminator after it. The tail is the producer's record of
// what it committed, for sleeping, counting and take-over; the consumer's
// fast path never reads it.
//
//   SPSC RING (SPSC_HEADER = 256 bytes, then the data)
//   ┌───────────────────────────────────────────────────────────────┐ +0    read-mostly
//   │ capacity  u32  data bytes, a power of two                     │
//   │ reserved  u32                                                 │ +4
//   │ producer  u32  holder id | 0 (never held) | CLOSED            │ +8
//   │ consumer  u32  holder id | 0 (never held) | CLOSED            │ +12
//   ├───────────────────────────────────────────────────────────────┤ +64   SPSC_TAIL
//   │ tail      u64  bytes committed; low word is the futex word    │       producer writes
//   ├───────────────────────────────────────────────────────────────┤ +128  SPSC_HEAD
//   │ head      u64  bytes released; low word is the futex word     │       consumer writes
//   ├───────────────────────────────────────────────────────────────┤ +192
//   │ consumerSleeps u32   1 while the consumer may sleep on tail   │
//   │ producerSleeps u32   1 while the producer may sleep on head   │ +196
//   ├───────────────────────────────────────────────────────────────┤ +256  SPSC_HEADER
//   │ data      u8[capacity]  records                               │
//   └───────────────────────────────────────────────────────────────┘
//
//   SPSC DESCRIPTOR (process-private; descriptor.ts has the common part)
//   ┌───────────────────────────────────────────────────────────────┐ +16  D_KIND
//   │ capacity    u32  checked at open                              │
//   │ maxMessage  u32                                               │ +20
//   │ lastLength  u32  checked length of the last message peeked    │ +24
//   │ reserved    u32                                               │ +28
//   │ claimed     u64  producer: end of the last claim (≥ tail)     │ +32
//   │ headSeen    u64  producer: the head as last read              │ +40
//   │ firstHeader u64  producer: header of the record at the tail   │ +48
//   │ tail        u64  producer: what it committed                  │ +56
//   │ peeked      u64  consumer: end of the last record peeked      │ +64
//   │ head        u64  consumer: what it released                   │ +72
//   └───────────────────────────────────────────────────────────────┘ +80
//   Each side's cursors are its own: the other side's words are read
//   only to learn how far it got, and are checked before they are used.
//
//   RECORD (8-byte aligned; never split across the end of the data)
//   ┌──────────────────────────────┬──────────────────────────────────────┬──────────────────────┐
//   │ length u32 (payload bytes)   │ type u32 SPSC_MESSAGE | SPSC_PADDING │ payload, padded to 8 │
//   │                              │ SPSC_NO_RECORD (0): none (yet)       │                      │
//   └──────────────────────────────┴──────────────────────────────────────┴──────────────────────┘
//   A message that does not fit before the end is preceded by a PADDING
//   record filling the rest; both are claimed, and published, together.
//   A claim needs room for its record and the 8-byte terminator after it.
import { ID_MASK, NOT_OWNER } from "../sync/ids";
import { CACHE_LINE } from "../format/header";
import { copyBytes } from "../copy";
import {
  D_KIND, FAULT_NONE, FAULT_SPSC_CAPACITY, FAULT_SPSC_HEAD, FAULT_SPSC_RECORD, FAULT_SPSC_TAIL, FAULT_WINDOW,
  descBase, descFail, descStart, fits, insideWindow, powerOfTwoIn,
} from "../descriptor";

export const SPSC_CAPACITY: usize = 0;
export const SPSC_PRODUCER_HOLDER: usize = SPSC_CAPACITY + 8; // past a reserved word
export const SPSC_CONSUMER_HOLDER: usize = SPSC_PRODUCER_HOLDER + 4;
export const SPSC_TAIL: usize = SPSC_CAPACITY + CACHE_LINE;
export const SPSC_HEAD: usize = SPSC_TAIL + CACHE_LINE;
export const SPSC_CONSUMER_SLEEPS: usize = SPSC_HEAD + CACHE_LINE;
export const SPSC_PRODUCER_SLEEPS: usize = SPSC_CONSUMER_SLEEPS + 4;
export const SPSC_HEADER: u32 = <u32>SPSC_CONSUMER_SLEEPS + CACHE_LINE;

const D_CAPACITY: usize = D_KIND;
const D_MAX_MESSAGE: usize = D_CAPACITY + 4;
const D_LAST_LENGTH: usize = D_MAX_MESSAGE + 4;
const D_CLAIMED: usize = D_KIND + 16;
const D_HEAD_SEEN: usize = D_CLAIMED + 8;
const D_FIRST_HEADER: usize = D_HEAD_SEEN + 8;
const D_TAIL: usize = D_FIRST_HEADER + 8;
const D_PEEKED: usize = D_TAIL + 8;
const D_HEAD: usize = D_PEEKED + 8;

export const SPSC_RECORD_HEADER: u32 = 8;
/** Records start, and end, on this boundary. */
export const SPSC_RECORD_ALIGN: u32 = 8;
// A record header's type word (its high half).
export const SPSC_NO_RECORD: u32 = 0;
export const SPSC_MESSAGE: u32 = 1;
export const SPSC_PADDING: u32 = 2;

export const SPSC_MIN_CAPACITY: u32 = 64;
export const SPSC_MAX_CAPACITY: u32 = 1 << 30;

// Roles, and the role word's "left cleanly" value (above every holder id).
export const SPSC_PRODUCER: u32 = 0;
export const SPSC_CONSUMER: u32 = 1;
export const SPSC_CLOSED: u32 = ID_MASK + 1;

// Results of spscClaim / spscPeek besides an address (data starts past the header, so these are never addresses).
export const SPSC_NONE: usize = 0;     // full / empty
export const SPSC_TOO_LONG: usize = 1; // larger than spscMaxMessage
export const SPSC_CORRUPT: usize = 2;  // the ring's bytes break its rules: spscOpen's descriptor holds the fault
// Counts (spscClaimMany, spscPeekMany, …) answer corruption with this.
export const SPSC_CORRUPT_COUNT: i32 = -1;
/** spscInit: the capacity is out of range, or the ring does not fit at its place. */
export const SPSC_INIT_REFUSED: i32 = -1;
/** Fused calls (spscSend*, spscReceive): set in the result when the other side sleeps and must be woken. */
export const SPSC_WAKE_PEER: i32 = 0x40000000;
/** spscReceive: the destination is smaller than the largest message. */
export const SPSC_BAD_DESTINATION: i32 = -2;

// place() answers corruption with this end (a real end is at least one record past 0).
const PLACE_CORRUPT: u64 = 1;

// @ts-ignore: decorator
@inline function capacityOf(d: usize): u32 {
  return load<u32>(d + D_CAPACITY);
}

// @ts-ignore: decorator
@inline function dataOf(d: usize): usize {
  return descBase(d) + SPSC_HEADER;
}

function roleWord(d: usize, role: u32): usize {
  return descBase(d) + (role == SPSC_PRODUCER ? SPSC_PRODUCER_HOLDER : SPSC_CONSUMER_HOLDER);
}

// @ts-ignore: decorator
@inline function recordSize(length: u32): u64 {
  return (<u64>length + SPSC_RECORD_HEADER + SPSC_RECORD_ALIGN - 1) & ~(<u64>(SPSC_RECORD_ALIGN - 1));
}

/** Bytes a ring of `capacity` occupies, or 0 when the capacity is not a power of two in range. */
export function spscSize(capacity: u32): u32 {
  return powerOfTwoIn(capacity, SPSC_MIN_CAPACITY, SPSC_MAX_CAPACITY) ? SPSC_HEADER + capacity : 0;
}

/** Formats a ring of `capacity` data bytes at `r`, inside a window ending at `end`: SPSC_INIT_REFUSED unless it fits and the capacity is a power of two in range. */
export function spscInit(r: usize, end: usize, capacity: u32): i32 {
  const size = spscSize(capacity);
  if (size == 0 || (r & (CACHE_LINE - 1)) != 0 || !fits(r, size, end)) return SPSC_INIT_REFUSED;
  memory.fill(r, 0, SPSC_HEADER + SPSC_RECORD_HEADER); // and the first terminator
  atomic.store<u32>(r + SPSC_CAPACITY, capacity);
  return 0;
}

/**
 * Opens the ring at `r` (inside a window ending at `end`) into descriptor
 * `d`: its capacity is read once and checked. FAULT_NONE, or the fault.
 */
export function spscOpen(d: usize, r: usize, end: usize): u32 {
  descStart(d, r, end);
  if ((r & (CACHE_LINE - 1)) != 0 || !fits(r, SPSC_HEADER, end)) return descFail(d, FAULT_WINDOW);
  const capacity = atomic.load<u32>(r + SPSC_CAPACITY);
  if (!powerOfTwoIn(capacity, SPSC_MIN_CAPACITY, SPSC_MAX_CAPACITY)) return descFail(d, FAULT_SPSC_CAPACITY);
  if (!fits(r, <u64>SPSC_HEADER + capacity, end)) return descFail(d, FAULT_WINDOW);
  store<u32>(d + D_CAPACITY, capacity);
  store<u32>(d + D_MAX_MESSAGE, spscMaxMessageFor(capacity));
  return FAULT_NONE;
}

/** Largest payload a ring of `capacity` (a valid one) carries: a record is at most half the ring. */
export function spscMaxMessageFor(capacity: u32): u32 {
  return (capacity >> 1) - SPSC_RECORD_HEADER;
}

export function spscCapacity(d: usize): u32 {
  return capacityOf(d);
}

/** Largest payload: a record is at most half the ring, so it fits after any padding once the consumer catches up. */
export function spscMaxMessage(d: usize): u32 {
  return load<u32>(d + D_MAX_MESSAGE);
}

/** Takes a role: 0 if taken, else the word as found (a holder id, or it is CLOSED/0 and lost a race). */
export function spscAcquire(d: usize, role: u32, id: u32): u32 {
  const word = roleWord(d, role);
  let seen = atomic.load<u32>(word);
  while (seen == 0 || seen == SPSC_CLOSED) {
    const now = atomic.cmpxchg<u32>(word, seen, id);
    if (now == seen) {
      resetRole(d, role);
      return 0;
    }
    seen = now;
  }
  return seen;
}

/** Takes a role from `deadHolder`, whom the host found dead: 1 if this caller won. */
export function spscTakeOver(d: usize, role: u32, deadHolder: u32, id: u32): i32 {
  if (atomic.cmpxchg<u32>(roleWord(d, role), deadHolder, id) != deadHolder) return 0;
  resetRole(d, role);
  return 1;
}

// A new holder starts from what is published: a dead producer's unpublished
// claims are dropped; a dead consumer's peeked, unreleased messages come again.
function resetRole(d: usize, role: u32): void {
  const r = descBase(d);
  if (role == SPSC_PRODUCER) {
    const published = publishedEnd(d);
    atomic.store<u64>(r + SPSC_TAIL, published);
    store<u64>(d + D_TAIL, published);
    store<u64>(d + D_CLAIMED, published);
    store<u64>(d + D_HEAD_SEEN, atomic.load<u64>(r + SPSC_HEAD));
    atomic.store<u32>(r + SPSC_PRODUCER_SLEEPS, 0);
  } else {
    const head = sharedCursor(d, r + SPSC_HEAD, FAULT_SPSC_HEAD);
    store<u64>(d + D_PEEKED, head);
    store<u64>(d + D_HEAD, head);
    atomic.store<u32>(r + SPSC_CONSUMER_SLEEPS, 0);
  }
}

// A cursor read from the ring to start from: records are 8-aligned, so a
// cursor that is not was written by no side (and would make an atomic
// access trap); it is recorded as `fault` and taken aligned down.
function sharedCursor(d: usize, at: usize, fault: u32): u64 {
  const cursor = atomic.load<u64>(at);
  if ((cursor & 7) != 0) descFail(d, fault);
  return cursor & ~(<u64>7);
}

// Checks the record header `word` found at ring offset `offset`: its size
// in the ring, or 0 when it is no record, or PLACE_CORRUPT when it breaks
// the rules (a message longer than a message may be or crossing the end;
// padding that does not reach the end exactly).
// @ts-ignore: decorator
@inline function checkedSize(d: usize, word: u64, offset: u32): u64 {
  const type = <u32>(word >> 32);
  const length = <u32>word;
  if (type == SPSC_NO_RECORD) return 0;
  const toEnd = <u64>(capacityOf(d) - offset);
  if (type == SPSC_MESSAGE) {
    const size = recordSize(length);
    return length <= load<u32>(d + D_MAX_MESSAGE) && size <= toEnd ? size : PLACE_CORRUPT;
  }
  return type == SPSC_PADDING && <u64>length + SPSC_RECORD_HEADER == toEnd ? toEnd : PLACE_CORRUPT;
}

// Where publication really ends: the tail, or past it when a producer died
// between its publishing store and storing the tail. Walks published
// records up to the first zero type word (at most a ring's worth, so the
// walk is bounded by the private capacity); a record that breaks the rules
// ends the walk there, and the consumer will report it.
function publishedEnd(d: usize): u64 {
  const r = descBase(d);
  const capacity = capacityOf(d);
  const mask = <u64>(capacity - 1);
  const data = dataOf(d);
  const head = sharedCursor(d, r + SPSC_HEAD, FAULT_SPSC_HEAD);
  let at = sharedCursor(d, r + SPSC_TAIL, FAULT_SPSC_TAIL);
  // A tail behind the head or a ring's worth past it was not written by a producer.
  if (at < head || at - head > <u64>capacity) {
    descFail(d, FAULT_SPSC_TAIL);
    return head;
  }
  const limit = head + capacity;
  while (at < limit) {
    const size = checkedSize(d, atomic.load<u64>(data + <usize>(at & mask)), <u32>(at & mask));
    if (size == 0 || size == PLACE_CORRUPT || at + size + SPSC_RECORD_HEADER > limit) break;
    at += size;
  }
  return at;
}

/** Leaves a role cleanly (the other side then sees CLOSED): 0, or NOT_OWNER. */
export function spscLeave(d: usize, role: u32, id: u32): i32 {
  return atomic.cmpxchg<u32>(roleWord(d, role), id, SPSC_CLOSED) == id ? 0 : NOT_OWNER;
}

/** The role word: a holder id, 0 (never held) or SPSC_CLOSED. */
export function spscHolder(d: usize, role: u32): u32 {
  return atomic.load<u32>(roleWord(d, role));
}

// Places one `length`-byte message at `claimed`: its terminator, then a
// padding record if it would cross the end, then its own record. The first
// record of the first claim since the last commit (`first`) is kept aside
// for commit instead. Returns the end of the message's record, 0 when there
// is no room (nothing written then), or PLACE_CORRUPT when the consumer's
// cursor is one no consumer could have written.
// The message's record starts at that end less recordSize(length).
// @ts-ignore: decorator
@inline function place(d: usize, capacity: u32, claimed: u64, length: u32, first: bool): u64 {
  const offset = <u32>claimed & (capacity - 1);
  const size = recordSize(length);
  const toEnd = <u64>(capacity - offset);
  const padding: u64 = size > toEnd ? toEnd : 0;
  const end = claimed + padding + size;
  if (end + SPSC_RECORD_HEADER - load<u64>(d + D_HEAD_SEEN) > <u64>capacity) {
    const head = atomic.load<u64>(descBase(d) + SPSC_HEAD);
    // The consumer releases only what was committed, and never less than before.
    const tail = load<u64>(d + D_TAIL);
    if (head > tail || tail - head > <u64>capacity || head < load<u64>(d + D_HEAD_SEEN)) {
      descFail(d, FAULT_SPSC_HEAD);
      return PLACE_CORRUPT;
    }
    store<u64>(d + D_HEAD_SEEN, head);
    if (end + SPSC_RECORD_HEADER - head > <u64>capacity) return 0;
  }
  const data = dataOf(d);
  // The terminator first: the consumer must find no record past this one
  // once it is published (the words there may hold an older lap's bytes).
  store<u64>(data + <usize>(<u32>end & (capacity - 1)), 0);
  let at = data + offset;
  if (padding) {
    store<u64>(first ? d + D_FIRST_HEADER : at, header(<u32>padding - SPSC_RECORD_HEADER, SPSC_PADDING));
    first = false;
    at = data;
  }
  store<u64>(first ? d + D_FIRST_HEADER : at, header(length, SPSC_MESSAGE));
  return end;
}

// @ts-ignore: decorator
@inline function header(length: u32, type: u32): u64 {
  return <u64>length | (<u64>type << 32);
}

// @ts-ignore: decorator
@inline function payloadOf(d: usize, capacity: u32, end: u64, length: u32): usize {
  return insideWindow(d, dataOf(d) + <usize>(<u32>(end - recordSize(length)) & (capacity - 1)) + SPSC_RECORD_HEADER, length);
}

// Whether a claim at `claimed` is the first since the last commit: nothing
// after its record can be reached before commit writes its header.
// @ts-ignore: decorator
@inline function isFirst(d: usize, claimed: u64): bool {
  return claimed == load<u64>(d + D_TAIL);
}

/**
 * Producer: room for a `length`-byte message, not yet visible. Returns the
 * payload's address, SPSC_NONE when the ring is full, SPSC_TOO_LONG, or
 * SPSC_CORRUPT.
 */
export function spscClaim(d: usize, length: u32): usize {
  const capacity = capacityOf(d);
  if (length > load<u32>(d + D_MAX_MESSAGE)) return SPSC_TOO_LONG;
  const claimed = load<u64>(d + D_CLAIMED);
  const end = place(d, capacity, claimed, length, isFirst(d, claimed));
  if (end <= PLACE_CORRUPT) return end == 0 ? SPSC_NONE : SPSC_CORRUPT;
  store<u64>(d + D_CLAIMED, end);
  return payloadOf(d, capacity, end, length);
}

/**
 * Producer: claims up to `count` messages with one call. On entry the u32s
 * at `slots` hold their lengths; each claimed one's is replaced by its
 * payload address. Returns how many were claimed (fewer when the ring fills
 * or slots[n] is longer than spscMaxMessage), or SPSC_CORRUPT_COUNT.
 * Nothing is visible before the next commit, as with spscClaim.
 */
export function spscClaimMany(d: usize, slots: usize, count: u32): i32 {
  return claimBatch(d, slots, count, 0, false);
}

/** Producer: spscClaimMany for `count` messages of one `length`; slots need not hold anything on entry. */
export function spscClaimSame(d: usize, slots: usize, length: u32, count: u32): i32 {
  return claimBatch(d, slots, count, length, true);
}

// @ts-ignore: decorator
@inline function claimBatch(d: usize, slots: usize, count: u32, sameLength: u32, same: bool): i32 {
  const capacity = capacityOf(d);
  const maxMessage = load<u32>(d + D_MAX_MESSAGE);
  let claimed = load<u64>(d + D_CLAIMED);
  let first = isFirst(d, claimed);
  let i: u32 = 0;
  for (; i < count; i++) {
    const slot = slots + (<usize>i << 2);
    const length = same ? sameLength : load<u32>(slot);
    if (length > maxMessage) break;
    const end = place(d, capacity, claimed, length, first);
    if (end <= PLACE_CORRUPT) {
      if (end == 0) break;
      return SPSC_CORRUPT_COUNT;
    }
    store<u32>(slot, <u32>payloadOf(d, capacity, end, length));
    claimed = end;
    first = false;
  }
  store<u64>(d + D_CLAIMED, claimed);
  return <i32>i;
}

/**
 * Producer: claims up to `count` messages of `length` bytes and copies in
 * their payloads, which lie back to back from `source`. Returns how many
 * (fewer when the ring fills), or SPSC_CORRUPT_COUNT; the next commit
 * publishes them.
 */
export function spscClaimCopies(d: usize, source: usize, length: u32, count: u32): i32 {
  return claimCopies(d, source, 0, length, count, true);
}

// Claims and copies in `count` messages lying back to back from `source`:
// all of `length` bytes (same), or of the u32 lengths at `lengths`.
// @ts-ignore: decorator
@inline function claimCopies(d: usize, source: usize, lengths: usize, sameLength: u32, count: u32, same: bool): i32 {
  const capacity = capacityOf(d);
  const maxMessage = load<u32>(d + D_MAX_MESSAGE);
  let claimed = load<u64>(d + D_CLAIMED);
  let first = isFirst(d, claimed);
  let from = source;
  let i: u32 = 0;
  for (; i < count; i++) {
    const length = same ? sameLength : load<u32>(lengths + (<usize>i << 2));
    if (length > maxMessage) break;
    const end = place(d, capacity, claimed, length, first);
    if (end <= PLACE_CORRUPT) {
      if (end == 0) break;
      return SPSC_CORRUPT_COUNT;
    }
    copyBytes(payloadOf(d, capacity, end, length), from, length);
    from += length;
    claimed = end;
    first = false;
  }
  store<u64>(d + D_CLAIMED, claimed);
  return <i32>i;
}

/**
 * Producer, in one call for hosts whose calls are dear: spscClaimCopies of
 * up to `count` messages of `length` bytes, then spscCommit. How many went,
 * with SPSC_WAKE_PEER set when the consumer sleeps; or SPSC_CORRUPT_COUNT.
 */
export function spscSend(d: usize, source: usize, length: u32, count: u32): i32 {
  return commitSent(d, claimCopies(d, source, 0, length, count, true));
}

/** Producer: spscSend for messages of the u32 lengths at `lengths`, back to back from `source`. A message longer than the largest ends the batch. */
export function spscSendMany(d: usize, source: usize, lengths: usize, count: u32): i32 {
  return commitSent(d, claimCopies(d, source, lengths, 0, count, false));
}

// @ts-ignore: decorator
@inline function commitSent(d: usize, sent: i32): i32 {
  if (sent < 0) return sent;
  return spscCommit(d) != 0 ? sent | SPSC_WAKE_PEER : sent;
}

/** Producer: publishes every claim so far with one store. Returns 1 when the consumer sleeps and must be woken. */
export function spscCommit(d: usize): i32 {
  const claimed = load<u64>(d + D_CLAIMED);
  const tail = load<u64>(d + D_TAIL);
  if (claimed == tail) return 0;
  const r = descBase(d);
  atomic.store<u64>(dataOf(d) + <usize>(<u32>tail & (capacityOf(d) - 1)), load<u64>(d + D_FIRST_HEADER)); // the publishing store
  store<u64>(d + D_TAIL, claimed);
  atomic.store<u64>(r + SPSC_TAIL, claimed);
  return takeSleeper(r + SPSC_CONSUMER_SLEEPS);
}

/** Producer: claims not yet committed, in bytes. */
export function spscUncommitted(d: usize): u32 {
  return <u32>(load<u64>(d + D_CLAIMED) - load<u64>(d + D_TAIL));
}

// The payload address of the next published message after the consumer's
// cursor (skipping padding), SPSC_NONE, or SPSC_CORRUPT. The header is read
// with one load and checked before it moves anything; the checked length
// is kept in the descriptor, so nobody reads it from the ring again. A
// padding record is always followed by a message published with it, so
// the walk takes at most two records.
// @ts-ignore: decorator
@inline function nextMessage(d: usize): usize {
  const capacity = capacityOf(d);
  const mask = <u64>(capacity - 1);
  const data = dataOf(d);
  let peeked = load<u64>(d + D_PEEKED);
  for (let records = 0; records < 2; records++) {
    const offset = <u32>(peeked & mask);
    const word = atomic.load<u64>(data + offset);
    const size = checkedSize(d, word, offset);
    if (size == 0) return records == 0 ? SPSC_NONE : corrupt(d);
    // No producer claims past the consumer's release point by more than a ring (less a terminator).
    if (size == PLACE_CORRUPT || peeked + size + SPSC_RECORD_HEADER - load<u64>(d + D_HEAD) > <u64>capacity) return corrupt(d);
    peeked += size;
    if (<u32>(word >> 32) == SPSC_PADDING) continue;
    store<u64>(d + D_PEEKED, peeked);
    store<u32>(d + D_LAST_LENGTH, <u32>word);
    return insideWindow(d, data + offset + SPSC_RECORD_HEADER, <u32>word);
  }
  return corrupt(d);
}

function corrupt(d: usize): usize {
  descFail(d, FAULT_SPSC_RECORD);
  return SPSC_CORRUPT;
}

/** Consumer: the payload address of the next unpeeked message, SPSC_NONE when there is none, or SPSC_CORRUPT. */
export function spscPeek(d: usize): usize {
  return nextMessage(d);
}

/**
 * Consumer: peeks up to `max` messages with one call, writing their payload
 * addresses (u32) to `addresses` and lengths (u32) to `lengths`. Returns how
 * many (all stay valid until spscRelease), or SPSC_CORRUPT_COUNT.
 */
export function spscPeekMany(d: usize, max: u32, addresses: usize, lengths: usize): i32 {
  let i: u32 = 0;
  for (; i < max; i++) {
    const at = nextMessage(d);
    if (at <= SPSC_CORRUPT) {
      if (at == SPSC_NONE) break;
      return SPSC_CORRUPT_COUNT;
    }
    store<u32>(addresses + (<usize>i << 2), <u32>at);
    store<u32>(lengths + (<usize>i << 2), load<u32>(d + D_LAST_LENGTH));
  }
  return <i32>i;
}

/**
 * Consumer, in one call for hosts whose calls are dear: takes up to `max`
 * messages, copies their payloads back to back to [`dest`, `dest` +
 * `capacity`) and their lengths (u32) to `lengths`, and releases them (with
 * anything peeked before). A message that would not fit ends the batch and
 * stays for the next call; `capacity` must hold the largest message. How
 * many, with SPSC_WAKE_PEER set when the producer sleeps; or
 * SPSC_CORRUPT_COUNT, SPSC_BAD_DESTINATION.
 */
export function spscReceive(d: usize, dest: usize, capacity: u32, max: u32, lengths: usize): i32 {
  if (capacity < load<u32>(d + D_MAX_MESSAGE)) return SPSC_BAD_DESTINATION;
  let used: u32 = 0;
  let i: u32 = 0;
  for (; i < max; i++) {
    const before = load<u64>(d + D_PEEKED);
    const at = nextMessage(d);
    if (at <= SPSC_CORRUPT) {
      if (at == SPSC_NONE) break;
      return SPSC_CORRUPT_COUNT;
    }
    const length = load<u32>(d + D_LAST_LENGTH);
    if (length > capacity - used) {
      store<u64>(d + D_PEEKED, before); // not taken: it comes first next time
      break;
    }
    copyBytes(dest + used, at, length);
    store<u32>(lengths + (<usize>i << 2), length);
    used += length;
  }
  return spscRelease(d) != 0 ? <i32>i | SPSC_WAKE_PEER : <i32>i;
}

/** Consumer: payload length of the message the last spscPeek returned (checked against the ring when peeked). */
export function spscLength(d: usize): u32 {
  return load<u32>(d + D_LAST_LENGTH);
}

/** Consumer: frees every peeked message with one store. Returns 1 when the producer sleeps and must be woken. */
export function spscRelease(d: usize): i32 {
  const peeked = load<u64>(d + D_PEEKED);
  if (peeked == load<u64>(d + D_HEAD)) return 0;
  const r = descBase(d);
  store<u64>(d + D_HEAD, peeked);
  atomic.store<u64>(r + SPSC_HEAD, peeked);
  return takeSleeper(r + SPSC_PRODUCER_SLEEPS);
}

/** Consumer: peeked messages not yet released. */
export function spscUnreleased(d: usize): u32 {
  return <u32>(load<u64>(d + D_PEEKED) - load<u64>(d + D_HEAD));
}

/**
 * Bytes this role has moved over the ring's whole life, from its private
 * cursor: the producer's committed tail, the consumer's released head. Both
 * only grow, so a host that notes one before a commit or release and reads
 * it again later (after a crash, from the next holder of the role) tells
 * whether that commit or release happened. `role`: SPSC_PRODUCER or
 * SPSC_CONSUMER.
 */
export function spscMoved(d: usize, role: u32): u64 {
  return load<u64>(d + (role == SPSC_PRODUCER ? D_TAIL : D_HEAD));
}

/** Bytes published and not yet released (records and padding), as far as the tail says; never more than the capacity. */
export function spscUsed(d: usize): u32 {
  const r = descBase(d);
  const tail = atomic.load<u64>(r + SPSC_TAIL);
  const head = atomic.load<u64>(r + SPSC_HEAD);
  // The consumer can pass the tail between commit's publishing store and its tail store.
  if (tail <= head) return 0;
  return tail - head > <u64>capacityOf(d) ? capacityOf(d) : <u32>(tail - head);
}

// A publish that finds the other side asleep clears its flag as it reports
// it, so only the first publish after a sleep pays for a wake-up: the
// sleeper takes a while to run again, and every publish in between would
// otherwise make a futex call of its own. The sleeper raises the flag again
// before each try (spscSleepValue). Read first: a publish with nobody
// asleep leaves the shared line alone.
// @ts-ignore: decorator
@inline function takeSleeper(flag: usize): i32 {
  return atomic.load<u32>(flag) != 0 && atomic.xchg<u32>(flag, 0) != 0 ? 1 : 0;
}

function sleepsWord(d: usize, role: u32): usize {
  return descBase(d) + (role == SPSC_PRODUCER ? SPSC_PRODUCER_SLEEPS : SPSC_CONSUMER_SLEEPS);
}

/**
 * Brackets a sleep of `role`. The flag is set before the caller's last try,
 * so the other side's next publish either is seen by that try or sees the
 * flag and wakes (both are sequentially consistent).
 */
export function spscSleepBegin(d: usize, role: u32): void {
  atomic.store<u32>(sleepsWord(d, role), 1);
}

export function spscSleepEnd(d: usize, role: u32): void {
  atomic.store<u32>(sleepsWord(d, role), 0);
}

/**
 * The value to sleep on: the low word of the other side's cursor (the
 * futex word), read before the try that failed, so a publish after that
 * read either changed the word or saw the sleep flag and wakes.
 */
export function spscSleepValue(d: usize, role: u32): u32 {
  atomic.store<u32>(sleepsWord(d, role), 1); // a waker may have cleared it since the last try
  return atomic.load<u32>(descBase(d) + (role == SPSC_PRODUCER ? SPSC_HEAD : SPSC_TAIL));
}
