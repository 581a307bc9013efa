// A broadcast channel: one writer, many readers, each with its own cursor,
// over fixed-size message slots. Each slot carries a stamp written
// seqlock-style (odd while the writer fills it, even once whole), so a
// reader copies a message out and re-checks the stamp: an overwritten or
// half-written message is never returned. In BACKPRESSURE mode the writer
// refuses to overwrite a slot the slowest registered reader still needs; in
// LOSSY mode it never refuses, and a reader that was overrun jumps ahead and
// counts exactly the messages it skipped. Nothing here waits: the host
// sleeps readers on `readSignal`, the writer on `progress`. Both are event
// counts (steps of 2; the low bit says a party announced a sleep on the
// present value): a side signals, and the host wakes, only when that bit is
// set, so a burst of publishes or reads makes one wake-up, not one each.
//
//   BROADCAST (BCAST_HEADER = 256 bytes, then the reader table, then the slots)
//   ┌───────────────────────────────────────────────────────────────┐ +0    read-mostly
//   │ slots       u32  slot count, a power of two                   │
//   │ slotSize    u32  payload bytes per slot, a multiple of 8      │ +4
//   │ maxReaders  u32  reader table entries                         │ +8
//   │ mode        u32  BACKPRESSURE | LOSSY                         │ +12
//   │ writer      u32  holder id | 0 (never held) | CLOSED          │ +16
//   ├───────────────────────────────────────────────────────────────┤ +64   BCAST_PUBLISHED
//   │ published   u64  messages published; low word is a futex word │       writer writes
//   ├───────────────────────────────────────────────────────────────┤ +128  writer's own
//   │ minSeen     u64  slowest reader cursor as last computed       │
//   ├───────────────────────────────────────────────────────────────┤ +192  BCAST_READ_SIGNAL
//   │ readSignal  u32  readers' futex word: moved on a publish      │
//   │ progress    u32  the writer's futex word: moved as readers go │ +196  BCAST_PROGRESS
//   ├───────────────────────────────────────────────────────────────┤ +256  reader table
//   │ READER × maxReaders, 64 bytes each                            │
//   ├───────────────────────────────────────────────────────────────┤
//   │ SLOT × slots, 16 + slotSize bytes each                        │
//   └───────────────────────────────────────────────────────────────┘
//
//   READER (its own cache line; written by its reader only, except that a
//   dead reader's holder is cleared by whoever finds it dead)
//   ┌──────────────┬──────────────┬──────────────────────────┬──────────────────────────────┐
//   │ holder u32|0 │ reserved u32 │ cursor u64 next to read  │ skipped u64 lost, unreported │
//   └──────────────┴──────────────┴──────────────────────────┴──────────────────────────────┘
//
//   SLOT (message `seq` lives in slot seq & (slots - 1))
//   ┌──────────────────────────────────────┬──────────────┬──────────┬──────────────────┐
//   │ stamp u64  2·seq+1 filling, 2·seq+2  │ length u32   │ reserved │ payload u8[size] │
//   └──────────────────────────────────────┴──────────────┴──────────┴──────────────────┘
import { ID_MASK } from "../sync/ids";
import { announceSleep, signalAlways, signalEvent } from "../sync/event-count";

export const BCAST_HEADER: u32 = 256;
const B_SLOTS: usize = 0;
const B_SLOT_SIZE: usize = 4;
const B_MAX_READERS: usize = 8;
const B_MODE: usize = 12;
const B_WRITER: usize = 16;
export const BCAST_PUBLISHED: usize = 64;
const B_MIN_SEEN: usize = 128;
export const BCAST_READ_SIGNAL: usize = 192;
export const BCAST_PROGRESS: usize = BCAST_READ_SIGNAL + 4;

const READER_SIZE: usize = 64;
const RD_HOLDER: usize = 0;
const RD_CURSOR: usize = 8;
const RD_SKIPPED: usize = 16;

export const BCAST_SLOT_HEADER: u32 = 16;
const SL_STAMP: usize = 0;
const SL_LENGTH: usize = 8;

export const BCAST_BACKPRESSURE: u32 = 0;
export const BCAST_LOSSY: u32 = 1;
export const BCAST_CLOSED: u32 = ID_MASK + 1;
/** Who sleeps, for the bcastSleep* calls: a reader's table index, or the writer. */
export const BCAST_WRITER: i32 = -1;

export const BCAST_MAX_SLOTS: u32 = 1 << 24;
export const BCAST_MAX_SLOT_SIZE: u32 = 1 << 20;
export const BCAST_MAX_READERS: u32 = 1024;

// Results of bcastClaim / bcastReadBegin besides an address (slots start past the header, so never addresses).
export const BCAST_NONE: usize = 0;     // full / nothing new
export const BCAST_TOO_LONG: usize = 1; // longer than slotSize

// Flags of bcastReadEnd.
export const BCAST_READ_OK: i32 = 1;       // the copy is whole; the cursor moved past it
export const BCAST_WAKE_WRITER: i32 = 2;   // the writer sleeps on progress: wake it
export const BCAST_LOST: i32 = 4;          // messages were skipped before this one: bcastTakeSkipped

/** Bytes a channel of this shape occupies, or 0 when the shape is out of range. */
export function bcastSize(slots: u32, slotSize: u32, maxReaders: u32): usize {
  if (slots < 2 || slots > BCAST_MAX_SLOTS || (slots & (slots - 1)) != 0) return 0;
  if (slotSize < 8 || slotSize > BCAST_MAX_SLOT_SIZE || (slotSize & 7) != 0) return 0;
  if (maxReaders < 1 || maxReaders > BCAST_MAX_READERS) return 0;
  const size = <u64>BCAST_HEADER + <u64>maxReaders * READER_SIZE + <u64>slots * (BCAST_SLOT_HEADER + slotSize);
  return size > <u64>0xffffffff ? 0 : <usize>size;
}

/** Formats a channel: -1 unless bcastSize accepts the shape and `mode` is known. */
export function bcastInit(b: usize, slots: u32, slotSize: u32, maxReaders: u32, mode: u32): i32 {
  const size = bcastSize(slots, slotSize, maxReaders);
  if (size == 0 || mode > BCAST_LOSSY) return -1;
  memory.fill(b, 0, <usize>BCAST_HEADER + <usize>maxReaders * READER_SIZE);
  // Stamp 0 matches no message, so a reader never takes a never-written slot.
  for (let i: u32 = 0; i < slots; i++) store<u64>(slotAt(b, i) + SL_STAMP, 0);
  atomic.store<u32>(b + B_SLOTS, slots);
  atomic.store<u32>(b + B_SLOT_SIZE, slotSize);
  atomic.store<u32>(b + B_MAX_READERS, maxReaders);
  atomic.store<u32>(b + B_MODE, mode);
  return 0;
}

export function bcastSlots(b: usize): u32 {
  return atomic.load<u32>(b + B_SLOTS);
}

export function bcastSlotSize(b: usize): u32 {
  return atomic.load<u32>(b + B_SLOT_SIZE);
}

export function bcastMaxReaders(b: usize): u32 {
  return atomic.load<u32>(b + B_MAX_READERS);
}

export function bcastMode(b: usize): u32 {
  return atomic.load<u32>(b + B_MODE);
}

/** Messages published so far (as a double: exact below 2^53). */
export function bcastPublished(b: usize): f64 {
  return <f64>atomic.load<u64>(b + BCAST_PUBLISHED);
}

function readerAt(b: usize, i: u32): usize {
  return b + BCAST_HEADER + <usize>i * READER_SIZE;
}

function slotAt(b: usize, index: u32): usize {
  const maxReaders = load<u32>(b + B_MAX_READERS);
  const stride = <usize>(BCAST_SLOT_HEADER + load<u32>(b + B_SLOT_SIZE));
  return b + BCAST_HEADER + <usize>maxReaders * READER_SIZE + <usize>index * stride;
}

function slotOf(b: usize, seq: u64): usize {
  return slotAt(b, <u32>seq & (load<u32>(b + B_SLOTS) - 1));
}

// ── the writer role ──────────────────────────────────────────────────────

/** Takes the writer role: 0 if taken, else the word as found (a holder id, or CLOSED/0 and it lost a race). */
export function bcastAcquireWriter(b: usize, id: u32): u32 {
  let seen = atomic.load<u32>(b + B_WRITER);
  while (seen == 0 || seen == BCAST_CLOSED) {
    const now = atomic.cmpxchg<u32>(b + B_WRITER, seen, id);
    if (now == seen) {
      resetWriter(b);
      return 0;
    }
    seen = now;
  }
  return seen;
}

/** Takes the writer role from `deadHolder`, whom the host found dead: 1 if this caller won. */
export function bcastTakeOverWriter(b: usize, deadHolder: u32, id: u32): i32 {
  if (atomic.cmpxchg<u32>(b + B_WRITER, deadHolder, id) != deadHolder) return 0;
  resetWriter(b);
  return 1;
}

// A dead writer's half-filled slot stays odd-stamped and unpublished; the
// new writer refills that same slot first.
function resetWriter(b: usize): void {
  store<u64>(b + B_MIN_SEEN, atomic.load<u64>(b + BCAST_PUBLISHED));
}

/** Leaves the writer role (readers then see CLOSED): 1 if `id` held it; the host then wakes every reader. */
export function bcastLeaveWriter(b: usize, id: u32): i32 {
  if (atomic.cmpxchg<u32>(b + B_WRITER, id, BCAST_CLOSED) != id) return 0;
  signalAlways(b + BCAST_READ_SIGNAL); // a reader about to sleep then sleeps on a stale value
  return 1;
}

/** The writer word: a holder id, 0 (never held) or BCAST_CLOSED. */
export function bcastWriter(b: usize): u32 {
  return atomic.load<u32>(b + B_WRITER);
}

// The slowest registered reader's cursor; `published` when there is none.
function slowestCursor(b: usize, published: u64): u64 {
  let min = published;
  const n = load<u32>(b + B_MAX_READERS);
  for (let i: u32 = 0; i < n; i++) {
    const entry = readerAt(b, i);
    if (atomic.load<u32>(entry + RD_HOLDER) == 0) continue;
    const cursor = atomic.load<u64>(entry + RD_CURSOR);
    if (cursor < min) min = cursor;
  }
  return min;
}

/**
 * Writer: the payload address of the next message's slot, stamped as being
 * filled (invisible until bcastCommit). BCAST_NONE when a backpressure
 * channel is full, BCAST_TOO_LONG past slotSize.
 */
export function bcastClaim(b: usize, length: u32): usize {
  if (length > load<u32>(b + B_SLOT_SIZE)) return BCAST_TOO_LONG;
  const seq = atomic.load<u64>(b + BCAST_PUBLISHED);
  const slots = <u64>load<u32>(b + B_SLOTS);
  if (load<u32>(b + B_MODE) == BCAST_BACKPRESSURE && seq - load<u64>(b + B_MIN_SEEN) >= slots) {
    const min = slowestCursor(b, seq);
    store<u64>(b + B_MIN_SEEN, min);
    if (seq - min >= slots) return BCAST_NONE;
  }
  const slot = slotOf(b, seq);
  // Odd first: a lossy reader still copying the slot's old message sees the change.
  atomic.store<u64>(slot + SL_STAMP, seq * 2 + 1);
  store<u32>(slot + SL_LENGTH, length);
  return slot + BCAST_SLOT_HEADER;
}

/** Writer: publishes the claimed message. Returns 1 when readers sleep and must be woken. */
export function bcastCommit(b: usize): i32 {
  const seq = atomic.load<u64>(b + BCAST_PUBLISHED);
  atomic.store<u64>(slotOf(b, seq) + SL_STAMP, seq * 2 + 2);
  atomic.store<u64>(b + BCAST_PUBLISHED, seq + 1);
  return signalEvent(b + BCAST_READ_SIGNAL);
}

// ── readers ──────────────────────────────────────────────────────────────

/**
 * Registers a reader at the current end: its table index, or -1 when the
 * table is full. A writer asleep meanwhile is told (progress moves), as it
 * may have seen the entry's previous cursor: the host wakes it.
 */
export function bcastSubscribe(b: usize, id: u32): i32 {
  const n = load<u32>(b + B_MAX_READERS);
  for (let i: u32 = 0; i < n; i++) {
    const entry = readerAt(b, i);
    if (atomic.load<u32>(entry + RD_HOLDER) != 0 || atomic.cmpxchg<u32>(entry + RD_HOLDER, 0, id) != 0) continue;
    // A writer scanning before this store sees an older cursor: it only waits more.
    store<u64>(entry + RD_SKIPPED, 0);
    atomic.store<u64>(entry + RD_CURSOR, atomic.load<u64>(b + BCAST_PUBLISHED));
    wakeWriter(b);
    return <i32>i;
  }
  return -1;
}

/** The holder of reader entry `i` (0 when free). */
export function bcastReaderHolder(b: usize, i: u32): u32 {
  return atomic.load<u32>(readerAt(b, i) + RD_HOLDER);
}

/**
 * Frees reader entry `i` if `holder` still holds it (a reader leaving, or
 * one found dead). Returns BCAST_WAKE_WRITER when the writer sleeps (it may
 * have waited on this reader), else 0.
 */
export function bcastUnsubscribe(b: usize, i: u32, holder: u32): i32 {
  const entry = readerAt(b, i);
  if (atomic.cmpxchg<u32>(entry + RD_HOLDER, holder, 0) != holder) return 0;
  return wakeWriter(b);
}

function wakeWriter(b: usize): i32 {
  return signalEvent(b + BCAST_PROGRESS) ? BCAST_WAKE_WRITER : 0;
}

/**
 * Reader `i`: the payload address of its next message, or BCAST_NONE when
 * it has read everything published. A message already overwritten is
 * skipped (counted) here; the copy taken from the address must be confirmed
 * by bcastReadEnd, as the writer may overwrite it meanwhile.
 */
export function bcastReadBegin(b: usize, i: u32): usize {
  const entry = readerAt(b, i);
  let cursor = load<u64>(entry + RD_CURSOR);
  let published = atomic.load<u64>(b + BCAST_PUBLISHED);
  while (cursor < published) {
    const slot = slotOf(b, cursor);
    if (atomic.load<u64>(slot + SL_STAMP) == cursor * 2 + 2) return slot + BCAST_SLOT_HEADER;
    skipTo(b, entry, cursor, published);
    cursor = load<u64>(entry + RD_CURSOR);
    published = atomic.load<u64>(b + BCAST_PUBLISHED);
  }
  return BCAST_NONE;
}

// The reader at `cursor` was overrun: it resumes at the oldest message the
// writer cannot be overwriting now, and counts what it passed over.
function skipTo(b: usize, entry: usize, cursor: u64, published: u64): void {
  const oldest = published - <u64>load<u32>(b + B_SLOTS) + 1;
  const next = oldest > cursor ? oldest : cursor + 1;
  store<u64>(entry + RD_SKIPPED, load<u64>(entry + RD_SKIPPED) + (next - cursor));
  atomic.store<u64>(entry + RD_CURSOR, next);
}

/** Length of the message whose payload starts at `payload`, never past slotSize (a torn copy is refused later). */
export function bcastLength(b: usize, payload: usize): u32 {
  const length = load<u32>(payload - BCAST_SLOT_HEADER + SL_LENGTH);
  const size = load<u32>(b + B_SLOT_SIZE);
  return length > size ? size : length;
}

/** Reader `i`: confirms the copy of its next message (BCAST_* flags; no READ_OK means it was overwritten and skipped). */
export function bcastReadEnd(b: usize, i: u32): i32 {
  const entry = readerAt(b, i);
  const cursor = load<u64>(entry + RD_CURSOR);
  const lost = load<u64>(entry + RD_SKIPPED) != 0 ? BCAST_LOST : 0;
  if (atomic.load<u64>(slotOf(b, cursor) + SL_STAMP) != cursor * 2 + 2) {
    skipTo(b, entry, cursor, atomic.load<u64>(b + BCAST_PUBLISHED));
    return 0;
  }
  atomic.store<u64>(entry + RD_CURSOR, cursor + 1);
  return BCAST_READ_OK | lost | wakeWriter(b);
}

/** Reader `i`: messages skipped since last asked (as a double: exact below 2^53); resets the count. */
export function bcastTakeSkipped(b: usize, i: u32): f64 {
  const entry = readerAt(b, i);
  const skipped = load<u64>(entry + RD_SKIPPED);
  store<u64>(entry + RD_SKIPPED, 0);
  return <f64>skipped;
}

/** Messages published that reader `i` has not read (nor skipped). */
export function bcastBacklog(b: usize, i: u32): f64 {
  return <f64>(atomic.load<u64>(b + BCAST_PUBLISHED) - atomic.load<u64>(readerAt(b, i) + RD_CURSOR));
}

// ── sleeping ─────────────────────────────────────────────────────────────

/**
 * Announces that `who` (a reader's index, or BCAST_WRITER) may sleep, and
 * returns the value to sleep on. Call it before the try that fails: the
 * other side's next step either is seen by that try or sees the bit and
 * moves the word (both sequentially consistent), so the sleep ends.
 */
export function bcastSleepValue(b: usize, who: i32): u32 {
  return announceSleep(b + (who == BCAST_WRITER ? BCAST_PROGRESS : BCAST_READ_SIGNAL));
}
