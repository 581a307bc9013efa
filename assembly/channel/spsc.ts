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
//   SPSC RING (SPSC_HEADER = 384 bytes, then the data)
//   ┌───────────────────────────────────────────────────────────────┐ +0    read-mostly
//   │ capacity  u32  data bytes, a power of two                     │
//   │ reserved  u32                                                 │ +4
//   │ producer  u32  holder id | 0 (never held) | CLOSED            │ +8
//   │ consumer  u32  holder id | 0 (never held) | CLOSED            │ +12
//   ├───────────────────────────────────────────────────────────────┤ +64   SPSC_TAIL
//   │ tail      u64  bytes committed; low word is the futex word    │       producer writes
//   ├───────────────────────────────────────────────────────────────┤ +128  SPSC_HEAD
//   │ head      u64  bytes released; low word is the futex word     │       consumer writes
//   ├───────────────────────────────────────────────────────────────┤ +192  producer's own
//   │ claimed   u64  end of the last claim (≥ tail)                 │
//   │ headSeen  u64  the head as last read (saves loading head)     │ +200
//   │ firstHeader u64  header of the record at the tail, for commit │ +208
//   ├───────────────────────────────────────────────────────────────┤ +256  consumer's own
//   │ peeked    u64  end of the last peeked record (≥ head)         │
//   ├───────────────────────────────────────────────────────────────┤ +320
//   │ consumerSleeps u32   1 while the consumer may sleep on tail   │
//   │ producerSleeps u32   1 while the producer may sleep on head   │ +324
//   ├───────────────────────────────────────────────────────────────┤ +384  SPSC_HEADER
//   │ data      u8[capacity]  records                               │
//   └───────────────────────────────────────────────────────────────┘
//
//   RECORD (8-byte aligned; never split across the end of the data)
//   ┌──────────────────────────────┬────────────────────────────────────┬─────────────────────┐
//   │ length u32 (payload bytes)   │ type u32 MESSAGE | PADDING;         │ payload, padded to 8 │
//   │                              │ 0 = no record (yet)                 │                      │
//   └──────────────────────────────┴────────────────────────────────────┴─────────────────────┘
//   A message that does not fit before the end is preceded by a PADDING
//   record filling the rest; both are claimed, and published, together.
//   A claim needs room for its record and the 8-byte terminator after it.
import { ID_MASK, NOT_OWNER } from "../sync/ids";

export const SPSC_HEADER: u32 = 384;
const R_CAPACITY: usize = 0;
const R_PRODUCER: usize = 8;
const R_CONSUMER: usize = 12;
export const SPSC_TAIL: usize = 64;
export const SPSC_HEAD: usize = 128;
const R_CLAIMED: usize = 192;
const R_HEAD_SEEN: usize = R_CLAIMED + 8;
const R_FIRST_HEADER: usize = R_HEAD_SEEN + 8;
const R_PEEKED: usize = 256;
const R_CONSUMER_SLEEPS: usize = 320;
const R_PRODUCER_SLEEPS: usize = R_CONSUMER_SLEEPS + 4;

export const SPSC_RECORD_HEADER: u32 = 8;
const REC_LENGTH: usize = 0;
const REC_TYPE: usize = 4;
const NO_RECORD: u32 = 0;
const MESSAGE: u32 = 1;
const PADDING: u32 = 2;

export const SPSC_MIN_CAPACITY: u32 = 64;
export const SPSC_MAX_CAPACITY: u32 = 1 << 30;

// Roles, and the role word's "left cleanly" value (above every holder id).
export const SPSC_PRODUCER: u32 = 0;
export const SPSC_CONSUMER: u32 = 1;
export const SPSC_CLOSED: u32 = ID_MASK + 1;

// Results of spscClaim / spscPeek besides an address (data starts past the header, so these are never addresses).
export const SPSC_NONE: usize = 0;     // full / empty
export const SPSC_TOO_LONG: usize = 1; // larger than spscMaxMessage

function roleWord(r: usize, role: u32): usize {
  return r + (role == SPSC_PRODUCER ? R_PRODUCER : R_CONSUMER);
}

function recordSize(length: u32): u64 {
  return (<u64>length + SPSC_RECORD_HEADER + 7) & ~(<u64>7);
}

/** Formats a ring of `capacity` data bytes: -1 unless a power of two in range. */
export function spscInit(r: usize, capacity: u32): i32 {
  if (capacity < SPSC_MIN_CAPACITY || capacity > SPSC_MAX_CAPACITY || (capacity & (capacity - 1)) != 0) return -1;
  memory.fill(r, 0, SPSC_HEADER + SPSC_RECORD_HEADER); // and the first terminator
  atomic.store<u32>(r + R_CAPACITY, capacity);
  return 0;
}

export function spscCapacity(r: usize): u32 {
  return atomic.load<u32>(r + R_CAPACITY);
}

/** Largest payload: a record is at most half the ring, so it fits after any padding once the consumer catches up. */
export function spscMaxMessage(r: usize): u32 {
  return (spscCapacity(r) >> 1) - SPSC_RECORD_HEADER;
}

/** Takes a role: 0 if taken, else the word as found (a holder id, or it is CLOSED/0 and lost a race). */
export function spscAcquire(r: usize, role: u32, id: u32): u32 {
  const word = roleWord(r, role);
  let seen = atomic.load<u32>(word);
  while (seen == 0 || seen == SPSC_CLOSED) {
    const now = atomic.cmpxchg<u32>(word, seen, id);
    if (now == seen) {
      resetRole(r, role);
      return 0;
    }
    seen = now;
  }
  return seen;
}

/** Takes a role from `deadHolder`, whom the host found dead: 1 if this caller won. */
export function spscTakeOver(r: usize, role: u32, deadHolder: u32, id: u32): i32 {
  if (atomic.cmpxchg<u32>(roleWord(r, role), deadHolder, id) != deadHolder) return 0;
  resetRole(r, role);
  return 1;
}

// A new holder starts from what is published: a dead producer's unpublished
// claims are dropped; a dead consumer's peeked, unreleased messages come again.
function resetRole(r: usize, role: u32): void {
  if (role == SPSC_PRODUCER) {
    const published = publishedEnd(r);
    atomic.store<u64>(r + SPSC_TAIL, published);
    atomic.store<u64>(r + R_CLAIMED, published);
    atomic.store<u64>(r + R_HEAD_SEEN, atomic.load<u64>(r + SPSC_HEAD));
    atomic.store<u32>(r + R_PRODUCER_SLEEPS, 0);
  } else {
    atomic.store<u64>(r + R_PEEKED, atomic.load<u64>(r + SPSC_HEAD));
    atomic.store<u32>(r + R_CONSUMER_SLEEPS, 0);
  }
}

// Where publication really ends: the tail, or past it when a producer died
// between its publishing store and storing the tail. Walks published
// records (at most one batch) up to the first zero type word.
function publishedEnd(r: usize): u64 {
  const mask = <u64>(load<u32>(r + R_CAPACITY) - 1);
  const data = r + SPSC_HEADER;
  const limit = atomic.load<u64>(r + SPSC_HEAD) + mask + 1;
  let at = atomic.load<u64>(r + SPSC_TAIL);
  while (at < limit) {
    const record = data + <usize>(at & mask);
    const type = atomic.load<u32>(record + REC_TYPE);
    if (type == NO_RECORD) break;
    at += recordSize(load<u32>(record + REC_LENGTH));
  }
  return at;
}

/** Leaves a role cleanly (the other side then sees CLOSED): 0, or NOT_OWNER. */
export function spscLeave(r: usize, role: u32, id: u32): i32 {
  return atomic.cmpxchg<u32>(roleWord(r, role), id, SPSC_CLOSED) == id ? 0 : NOT_OWNER;
}

/** The role word: a holder id, 0 (never held) or SPSC_CLOSED. */
export function spscHolder(r: usize, role: u32): u32 {
  return atomic.load<u32>(roleWord(r, role));
}

// Places one `length`-byte message at `claimed`: its terminator, then a
// padding record if it would cross the end, then its own record. The first
// record of the first claim since the last commit (`first`) is kept aside
// for commit instead. Returns the end of the
// message's record, or 0 when there is no room (nothing written then).
// The message's record starts at that end less recordSize(length).
@inline function place(r: usize, capacity: u32, claimed: u64, length: u32, first: bool): u64 {
  const offset = <u32>claimed & (capacity - 1);
  const size = recordSize(length);
  const toEnd = <u64>(capacity - offset);
  const padding: u64 = size > toEnd ? toEnd : 0;
  const end = claimed + padding + size;
  if (end + SPSC_RECORD_HEADER - load<u64>(r + R_HEAD_SEEN) > <u64>capacity) {
    const head = atomic.load<u64>(r + SPSC_HEAD);
    store<u64>(r + R_HEAD_SEEN, head);
    if (end + SPSC_RECORD_HEADER - head > <u64>capacity) return 0;
  }
  const data = r + SPSC_HEADER;
  // The terminator first: the consumer must find no record past this one
  // once it is published (the words there may hold an older lap's bytes).
  store<u64>(data + <usize>(<u32>end & (capacity - 1)), 0);
  let at = data + offset;
  if (padding) {
    store<u64>(first ? r + R_FIRST_HEADER : at, header(<u32>padding - SPSC_RECORD_HEADER, PADDING));
    first = false;
    at = data;
  }
  store<u64>(first ? r + R_FIRST_HEADER : at, header(length, MESSAGE));
  return end;
}

@inline function header(length: u32, type: u32): u64 {
  return <u64>length | (<u64>type << 32);
}

@inline function payloadOf(r: usize, capacity: u32, end: u64, length: u32): usize {
  return r + SPSC_HEADER + <usize>(<u32>(end - recordSize(length)) & (capacity - 1)) + SPSC_RECORD_HEADER;
}

// Whether a claim at `claimed` is the first since the last commit: nothing
// after its record can be reached before commit writes its header.
@inline function isFirst(r: usize, claimed: u64): bool {
  return claimed == load<u64>(r + SPSC_TAIL); // only the producer writes the tail
}

/**
 * Producer: room for a `length`-byte message, not yet visible. Returns the
 * payload's address, SPSC_NONE when the ring is full, SPSC_TOO_LONG.
 */
export function spscClaim(r: usize, length: u32): usize {
  const capacity = load<u32>(r + R_CAPACITY);
  if (length > (capacity >> 1) - SPSC_RECORD_HEADER) return SPSC_TOO_LONG;
  const claimed = load<u64>(r + R_CLAIMED);
  const end = place(r, capacity, claimed, length, isFirst(r, claimed));
  if (end == 0) return SPSC_NONE;
  store<u64>(r + R_CLAIMED, end);
  return payloadOf(r, capacity, end, length);
}

/**
 * Producer: claims up to `count` messages with one call. On entry the u32s
 * at `slots` hold their lengths; each claimed one's is replaced by its
 * payload address. Returns how many were claimed (fewer when the ring fills
 * or slots[n] is longer than spscMaxMessage). Nothing is visible before
 * the next commit, as with spscClaim.
 */
export function spscClaimMany(r: usize, slots: usize, count: u32): u32 {
  return claimBatch(r, slots, count, 0, false);
}

/** Producer: spscClaimMany for `count` messages of one `length`; slots need not hold anything on entry. */
export function spscClaimSame(r: usize, slots: usize, length: u32, count: u32): u32 {
  return claimBatch(r, slots, count, length, true);
}

@inline function claimBatch(r: usize, slots: usize, count: u32, sameLength: u32, same: bool): u32 {
  const capacity = load<u32>(r + R_CAPACITY);
  const maxMessage = (capacity >> 1) - SPSC_RECORD_HEADER;
  let claimed = load<u64>(r + R_CLAIMED);
  let first = isFirst(r, claimed);
  let i: u32 = 0;
  for (; i < count; i++) {
    const slot = slots + (<usize>i << 2);
    const length = same ? sameLength : load<u32>(slot);
    if (length > maxMessage) break;
    const end = place(r, capacity, claimed, length, first);
    if (end == 0) break;
    store<u32>(slot, <u32>payloadOf(r, capacity, end, length));
    claimed = end;
    first = false;
  }
  store<u64>(r + R_CLAIMED, claimed);
  return i;
}

/**
 * Producer: claims up to `count` messages of `length` bytes and copies in
 * their payloads, which lie back to back from `source`. Returns how many
 * (fewer when the ring fills); the next commit publishes them.
 */
export function spscClaimCopies(r: usize, source: usize, length: u32, count: u32): u32 {
  const capacity = load<u32>(r + R_CAPACITY);
  if (length > (capacity >> 1) - SPSC_RECORD_HEADER) return 0;
  let claimed = load<u64>(r + R_CLAIMED);
  let first = isFirst(r, claimed);
  let i: u32 = 0;
  for (; i < count; i++) {
    const end = place(r, capacity, claimed, length, first);
    if (end == 0) break;
    copySmall(payloadOf(r, capacity, end, length), source + <usize>i * length, length);
    claimed = end;
    first = false;
  }
  store<u64>(r + R_CLAIMED, claimed);
  return i;
}

// Messages are mostly small: 16-byte vector moves beat memory.copy's call
// there (the last move may overlap the one before it).
@inline function copySmall(to: usize, from: usize, length: u32): void {
  if (length > 256 || length < 16) {
    memory.copy(to, from, length);
    return;
  }
  const last = <usize>length - 16;
  for (let k: usize = 0; k < last; k += 16) v128.store(to + k, v128.load(from + k));
  v128.store(to + last, v128.load(from + last));
}

/** Producer: publishes every claim so far with one store. Returns 1 when the consumer sleeps and must be woken. */
export function spscCommit(r: usize): i32 {
  const claimed = load<u64>(r + R_CLAIMED);
  const tail = load<u64>(r + SPSC_TAIL); // only the producer writes it
  if (claimed == tail) return 0;
  const at = r + SPSC_HEADER + <usize>(<u32>tail & (load<u32>(r + R_CAPACITY) - 1));
  atomic.store<u64>(at, load<u64>(r + R_FIRST_HEADER)); // the publishing store
  atomic.store<u64>(r + SPSC_TAIL, claimed);
  return atomic.load<u32>(r + R_CONSUMER_SLEEPS) != 0 ? 1 : 0;
}

/** Producer: claims not yet committed, in bytes. */
export function spscUncommitted(r: usize): u32 {
  return <u32>(load<u64>(r + R_CLAIMED) - atomic.load<u64>(r + SPSC_TAIL));
}

// The payload address of the next published message at or after `peeked`
// (skipping padding), or SPSC_NONE; `cursor` receives the position after it.
@inline function nextMessage(r: usize, mask: u64, peeked: u64, cursor: usize): usize {
  const data = r + SPSC_HEADER;
  for (;;) {
    const at = data + <usize>(peeked & mask);
    const type = atomic.load<u32>(at + REC_TYPE);
    if (type == NO_RECORD) return SPSC_NONE;
    peeked += recordSize(load<u32>(at + REC_LENGTH));
    // Padding is always followed by a message published with it.
    if (type == PADDING) continue;
    store<u64>(cursor, peeked);
    return at + SPSC_RECORD_HEADER;
  }
}

/** Consumer: the payload address of the next unpeeked message, or SPSC_NONE when there is none. */
export function spscPeek(r: usize): usize {
  return nextMessage(r, <u64>(load<u32>(r + R_CAPACITY) - 1), load<u64>(r + R_PEEKED), r + R_PEEKED);
}

/**
 * Consumer: peeks up to `max` messages with one call, writing their payload
 * addresses (u32) to `addresses` and lengths (u32) to `lengths`. Returns how
 * many; all stay valid until spscRelease.
 */
export function spscPeekMany(r: usize, max: u32, addresses: usize, lengths: usize): u32 {
  const mask = <u64>(load<u32>(r + R_CAPACITY) - 1);
  const cursor = r + R_PEEKED;
  let i: u32 = 0;
  for (; i < max; i++) {
    const at = nextMessage(r, mask, load<u64>(cursor), cursor);
    if (at == SPSC_NONE) break;
    store<u32>(addresses + (<usize>i << 2), <u32>at);
    store<u32>(lengths + (<usize>i << 2), spscLength(at));
  }
  return i;
}

/** Payload length of the message whose payload starts at `payload`. */
export function spscLength(payload: usize): u32 {
  return load<u32>(payload - SPSC_RECORD_HEADER + REC_LENGTH);
}

/** Consumer: frees every peeked message with one store. Returns 1 when the producer sleeps and must be woken. */
export function spscRelease(r: usize): i32 {
  const peeked = load<u64>(r + R_PEEKED);
  if (peeked == atomic.load<u64>(r + SPSC_HEAD)) return 0;
  atomic.store<u64>(r + SPSC_HEAD, peeked);
  return atomic.load<u32>(r + R_PRODUCER_SLEEPS) != 0 ? 1 : 0;
}

/** Consumer: peeked messages not yet released. */
export function spscUnreleased(r: usize): u32 {
  return <u32>(load<u64>(r + R_PEEKED) - atomic.load<u64>(r + SPSC_HEAD));
}

/** Bytes published and not yet released (records and padding), as far as the tail says. */
export function spscUsed(r: usize): u32 {
  const tail = atomic.load<u64>(r + SPSC_TAIL);
  const head = atomic.load<u64>(r + SPSC_HEAD);
  // The consumer can pass the tail between commit's publishing store and its tail store.
  return tail > head ? <u32>(tail - head) : 0;
}

function sleepsWord(r: usize, role: u32): usize {
  return r + (role == SPSC_PRODUCER ? R_PRODUCER_SLEEPS : R_CONSUMER_SLEEPS);
}

/**
 * Brackets a sleep of `role`. The flag is set before the caller's last try,
 * so the other side's next publish either is seen by that try or sees the
 * flag and wakes (both are sequentially consistent).
 */
export function spscSleepBegin(r: usize, role: u32): void {
  atomic.store<u32>(sleepsWord(r, role), 1);
}

export function spscSleepEnd(r: usize, role: u32): void {
  atomic.store<u32>(sleepsWord(r, role), 0);
}

/**
 * The value to sleep on: the low word of the other side's cursor (the
 * futex word), read before the try that failed, so a publish after that
 * read either changed the word or saw the sleep flag and wakes.
 */
export function spscSleepValue(r: usize, role: u32): u32 {
  return atomic.load<u32>(r + (role == SPSC_PRODUCER ? SPSC_HEAD : SPSC_TAIL));
}
