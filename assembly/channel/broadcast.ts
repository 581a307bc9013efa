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
//   │ published   u64  messages published                           │       writer writes
//   ├───────────────────────────────────────────────────────────────┤ +128
//   │ reserved   (the writer keeps its own state in its descriptor) │
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
//   ┌──────────────┬──────────────┬──────────────────────────┬──────────────┐
//   │ holder u32|0 │ reserved u32 │ cursor u64 next to read  │ reserved     │
//   └──────────────┴──────────────┴──────────────────────────┴──────────────┘
//   The cursor is published for the writer's backpressure; the reader keeps
//   its own copy (and its count of skipped messages) in its descriptor.
//
//   SLOT (message `seq` lives in slot seq & (slots - 1))
//   ┌──────────────────────────────────────┬──────────────┬──────────┬──────────────────┐
//   │ stamp u64  2·seq+1 filling, 2·seq+2  │ length u32   │ reserved │ payload u8[size] │
//   └──────────────────────────────────────┴──────────────┴──────────┴──────────────────┘
//
//   BROADCAST DESCRIPTOR (process-private; descriptor.ts has the common part)
//   ┌───────────────────────────────────────────────────────────────┐ +16  D_KIND
//   │ slots      u32  checked at open                               │
//   │ slotSize   u32                                                │ +20
//   │ maxReaders u32                                                │ +24
//   │ mode       u32                                                │ +28
//   │ published  u64  writer: messages it published                 │ +32
//   │ minSeen    u64  writer: slowest reader cursor as last computed│ +40
//   │ index      u32  reader: its table entry                       │ +48
//   │ slot       u32  reader: the slot bcastReadBegin returned      │ +52
//   │ cursor     u64  reader: next to read                          │ +56
//   │ skipped    u64  reader: lost, unreported                      │ +64
//   └───────────────────────────────────────────────────────────────┘ +72
import { ID_MASK } from "../sync/ids";
import { CACHE_LINE } from "../format/header";
import { announceSleep, signalAlways, signalEvent } from "../sync/event-count";
import {
  D_KIND, FAULT_BCAST_CURSOR, FAULT_BCAST_GEOMETRY, FAULT_BCAST_SLOT, FAULT_NONE, FAULT_WINDOW,
  descBase, descFail, descStart, fits, insideWindow,
} from "../descriptor";

export const BCAST_SLOTS: usize = 0;
export const BCAST_SLOT_SIZE: usize = BCAST_SLOTS + 4;
export const BCAST_READER_ENTRIES: usize = BCAST_SLOT_SIZE + 4;
export const BCAST_MODE: usize = BCAST_READER_ENTRIES + 4;
export const BCAST_WRITER_HOLDER: usize = BCAST_MODE + 4;
export const BCAST_PUBLISHED: usize = BCAST_SLOTS + CACHE_LINE;
export const BCAST_READ_SIGNAL: usize = BCAST_PUBLISHED + 2 * CACHE_LINE;
export const BCAST_PROGRESS: usize = BCAST_READ_SIGNAL + 4;
export const BCAST_HEADER: u32 = <u32>BCAST_READ_SIGNAL + CACHE_LINE;

export const BCAST_READER_HOLDER: usize = 0;
export const BCAST_READER_CURSOR: usize = BCAST_READER_HOLDER + 8; // past a reserved word
export const BCAST_READER_SIZE: u32 = CACHE_LINE;

export const BCAST_SLOT_STAMP: usize = 0;
export const BCAST_SLOT_LENGTH: usize = BCAST_SLOT_STAMP + 8;
export const BCAST_SLOT_HEADER: u32 = <u32>BCAST_SLOT_LENGTH + 8; // past a reserved word
/** slotSize is a multiple of this (and at least this), so every slot header is 8-aligned. */
export const BCAST_SLOT_ALIGN: u32 = 8;

const D_SLOTS: usize = D_KIND;
const D_SLOT_SIZE: usize = D_SLOTS + 4;
const D_MAX_READERS: usize = D_SLOT_SIZE + 4;
const D_MODE: usize = D_MAX_READERS + 4;
const D_PUBLISHED: usize = D_KIND + 16;
const D_MIN_SEEN: usize = D_PUBLISHED + 8;
const D_INDEX: usize = D_MIN_SEEN + 8;
const D_SLOT: usize = D_INDEX + 4;
const D_CURSOR: usize = D_SLOT + 4;
const D_SKIPPED: usize = D_CURSOR + 8;

export const BCAST_BACKPRESSURE: u32 = 0;
export const BCAST_LOSSY: u32 = 1;
export const BCAST_CLOSED: u32 = ID_MASK + 1;
/** Who sleeps, for the bcastSleep* calls: a reader's table index, or the writer. */
export const BCAST_WRITER: i32 = -1;

export const BCAST_MIN_SLOTS: u32 = 2;
export const BCAST_MAX_SLOTS: u32 = 1 << 24;
export const BCAST_MAX_SLOT_SIZE: u32 = 1 << 20;
export const BCAST_MAX_READERS: u32 = 1024;

// Results of bcastClaim / bcastReadBegin besides an address (slots start past the header, so never addresses).
export const BCAST_NONE: usize = 0;     // full / nothing new
export const BCAST_TOO_LONG: usize = 1; // longer than slotSize
export const BCAST_CORRUPT: usize = 2;  // stamps or cursors no channel could hold: the descriptor holds the fault
// bcastSubscribe when the table is full; index calls given an index past the table.
export const BCAST_NO_READER: i32 = -1;
export const BCAST_BAD_INDEX: i32 = -2;
/** bcastInit: the shape or mode is out of range, or the channel does not fit at its place. */
export const BCAST_INIT_REFUSED: i32 = -1;

// Flags of bcastReadEnd.
export const BCAST_READ_OK: i32 = 1;       // the copy is whole; the cursor moved past it
export const BCAST_WAKE_WRITER: i32 = 2;   // the writer sleeps on progress: wake it
export const BCAST_LOST: i32 = 4;          // messages were skipped before this one: bcastTakeSkipped
export const BCAST_READ_CORRUPT: i32 = 8;  // the message was overwritten where no writer may overwrite it

// A lossy reader overrun by a writer that laps it again and again gives up
// after this many skips in one call (and finds the rest on its next call).
const SKIPS_PER_CALL: u32 = 16;

/** Bytes a channel of this shape occupies, or 0 when the shape is out of range. */
export function bcastSize(slots: u32, slotSize: u32, maxReaders: u32): usize {
  if (slots < BCAST_MIN_SLOTS || slots > BCAST_MAX_SLOTS || (slots & (slots - 1)) != 0) return 0;
  if (slotSize < BCAST_SLOT_ALIGN || slotSize > BCAST_MAX_SLOT_SIZE || (slotSize & (BCAST_SLOT_ALIGN - 1)) != 0) return 0;
  if (maxReaders < 1 || maxReaders > BCAST_MAX_READERS) return 0;
  const size = <u64>BCAST_HEADER + <u64>maxReaders * BCAST_READER_SIZE + <u64>slots * (BCAST_SLOT_HEADER + slotSize);
  return size > <u64>0xffffffff ? 0 : <usize>size;
}

/** Formats a channel at `b`, inside a window ending at `end`: BCAST_INIT_REFUSED unless bcastSize accepts the shape, `mode` is known and it fits. */
export function bcastInit(b: usize, end: usize, slots: u32, slotSize: u32, maxReaders: u32, mode: u32): i32 {
  const size = bcastSize(slots, slotSize, maxReaders);
  if (size == 0 || mode > BCAST_LOSSY || (b & (CACHE_LINE - 1)) != 0 || !fits(b, size, end)) return BCAST_INIT_REFUSED;
  memory.fill(b, 0, <usize>BCAST_HEADER + <usize>maxReaders * BCAST_READER_SIZE);
  // Stamp 0 matches no message, so a reader never takes a never-written slot.
  const first = b + BCAST_HEADER + <usize>maxReaders * BCAST_READER_SIZE;
  const stride = <usize>(BCAST_SLOT_HEADER + slotSize);
  for (let i: u32 = 0; i < slots; i++) store<u64>(first + <usize>i * stride + BCAST_SLOT_STAMP, 0);
  atomic.store<u32>(b + BCAST_SLOTS, slots);
  atomic.store<u32>(b + BCAST_SLOT_SIZE, slotSize);
  atomic.store<u32>(b + BCAST_READER_ENTRIES, maxReaders);
  atomic.store<u32>(b + BCAST_MODE, mode);
  return 0;
}

/** Opens the channel at `b` (inside a window ending at `end`) into descriptor `d`: FAULT_NONE, or the fault. */
export function bcastOpen(d: usize, b: usize, end: usize): u32 {
  descStart(d, b, end);
  if ((b & (CACHE_LINE - 1)) != 0 || !fits(b, BCAST_HEADER, end)) return descFail(d, FAULT_WINDOW);
  const slots = atomic.load<u32>(b + BCAST_SLOTS);
  const slotSize = atomic.load<u32>(b + BCAST_SLOT_SIZE);
  const maxReaders = atomic.load<u32>(b + BCAST_READER_ENTRIES);
  const mode = atomic.load<u32>(b + BCAST_MODE);
  const size = bcastSize(slots, slotSize, maxReaders);
  if (size == 0 || mode > BCAST_LOSSY) return descFail(d, FAULT_BCAST_GEOMETRY);
  if (!fits(b, size, end)) return descFail(d, FAULT_WINDOW);
  store<u32>(d + D_SLOTS, slots);
  store<u32>(d + D_SLOT_SIZE, slotSize);
  store<u32>(d + D_MAX_READERS, maxReaders);
  store<u32>(d + D_MODE, mode);
  return FAULT_NONE;
}

export function bcastSlots(d: usize): u32 {
  return load<u32>(d + D_SLOTS);
}

export function bcastSlotSize(d: usize): u32 {
  return load<u32>(d + D_SLOT_SIZE);
}

export function bcastMaxReaders(d: usize): u32 {
  return load<u32>(d + D_MAX_READERS);
}

export function bcastMode(d: usize): u32 {
  return load<u32>(d + D_MODE);
}

/** Messages published so far, as the channel says (as a double: exact below 2^53). */
export function bcastPublished(d: usize): f64 {
  return <f64>atomic.load<u64>(descBase(d) + BCAST_PUBLISHED);
}

// @ts-ignore: decorator
@inline function readerAt(d: usize, i: u32): usize {
  return descBase(d) + BCAST_HEADER + <usize>i * BCAST_READER_SIZE;
}

// @ts-ignore: decorator
@inline function slotOf(d: usize, seq: u64): usize {
  const first = descBase(d) + BCAST_HEADER + <usize>load<u32>(d + D_MAX_READERS) * BCAST_READER_SIZE;
  const stride = <usize>(BCAST_SLOT_HEADER + load<u32>(d + D_SLOT_SIZE));
  return insideWindow(d, first + <usize>(<u32>seq & (load<u32>(d + D_SLOTS) - 1)) * stride, stride);
}

// ── the writer role ──────────────────────────────────────────────────────

/** Takes the writer role: 0 if taken, else the word as found (a holder id, or CLOSED/0 and it lost a race). */
export function bcastAcquireWriter(d: usize, id: u32): u32 {
  const word = descBase(d) + BCAST_WRITER_HOLDER;
  let seen = atomic.load<u32>(word);
  while (seen == 0 || seen == BCAST_CLOSED) {
    const now = atomic.cmpxchg<u32>(word, seen, id);
    if (now == seen) {
      resetWriter(d);
      return 0;
    }
    seen = now;
  }
  return seen;
}

/** Takes the writer role from `deadHolder`, whom the host found dead: 1 if this caller won. */
export function bcastTakeOverWriter(d: usize, deadHolder: u32, id: u32): i32 {
  if (atomic.cmpxchg<u32>(descBase(d) + BCAST_WRITER_HOLDER, deadHolder, id) != deadHolder) return 0;
  resetWriter(d);
  return 1;
}

// A dead writer's half-filled slot stays odd-stamped and unpublished; the
// new writer refills that same slot first.
function resetWriter(d: usize): void {
  const published = atomic.load<u64>(descBase(d) + BCAST_PUBLISHED);
  store<u64>(d + D_PUBLISHED, published);
  store<u64>(d + D_MIN_SEEN, published);
}

/** Leaves the writer role (readers then see CLOSED): 1 if `id` held it; the host then wakes every reader. */
export function bcastLeaveWriter(d: usize, id: u32): i32 {
  const b = descBase(d);
  if (atomic.cmpxchg<u32>(b + BCAST_WRITER_HOLDER, id, BCAST_CLOSED) != id) return 0;
  signalAlways(b + BCAST_READ_SIGNAL); // a reader about to sleep then sleeps on a stale value
  return 1;
}

/** The writer word: a holder id, 0 (never held) or BCAST_CLOSED. */
export function bcastWriter(d: usize): u32 {
  return atomic.load<u32>(descBase(d) + BCAST_WRITER_HOLDER);
}

// The slowest registered reader's cursor; `published` when there is none;
// a cursor past `published` (no reader can be there) answers itself.
function slowestCursor(d: usize, published: u64): u64 {
  let min = published;
  const n = load<u32>(d + D_MAX_READERS);
  for (let i: u32 = 0; i < n; i++) {
    const entry = readerAt(d, i);
    if (atomic.load<u32>(entry + BCAST_READER_HOLDER) == 0) continue;
    const cursor = atomic.load<u64>(entry + BCAST_READER_CURSOR);
    if (cursor > published) return cursor;
    if (cursor < min) min = cursor;
  }
  return min;
}

/**
 * Writer: the payload address of the next message's slot, stamped as being
 * filled (invisible until bcastCommit). BCAST_NONE when a backpressure
 * channel is full, BCAST_TOO_LONG past slotSize, BCAST_CORRUPT when a
 * reader's cursor is past what was published.
 */
export function bcastClaim(d: usize, length: u32): usize {
  if (length > load<u32>(d + D_SLOT_SIZE)) return BCAST_TOO_LONG;
  const seq = load<u64>(d + D_PUBLISHED);
  const slots = <u64>load<u32>(d + D_SLOTS);
  if (load<u32>(d + D_MODE) == BCAST_BACKPRESSURE && seq - load<u64>(d + D_MIN_SEEN) >= slots) {
    const min = slowestCursor(d, seq);
    if (min > seq) {
      descFail(d, FAULT_BCAST_CURSOR);
      return BCAST_CORRUPT;
    }
    store<u64>(d + D_MIN_SEEN, min);
    if (seq - min >= slots) return BCAST_NONE;
  }
  const slot = slotOf(d, seq);
  // Odd first: a lossy reader still copying the slot's old message sees the change.
  atomic.store<u64>(slot + BCAST_SLOT_STAMP, seq * 2 + 1);
  store<u32>(slot + BCAST_SLOT_LENGTH, length);
  return slot + BCAST_SLOT_HEADER;
}

/** Writer: publishes the claimed message. Returns 1 when readers sleep and must be woken. */
export function bcastCommit(d: usize): i32 {
  const b = descBase(d);
  const seq = load<u64>(d + D_PUBLISHED);
  atomic.store<u64>(slotOf(d, seq) + BCAST_SLOT_STAMP, seq * 2 + 2);
  store<u64>(d + D_PUBLISHED, seq + 1);
  atomic.store<u64>(b + BCAST_PUBLISHED, seq + 1);
  return signalEvent(b + BCAST_READ_SIGNAL);
}

// ── readers ──────────────────────────────────────────────────────────────

/**
 * Registers a reader at the current end: its table index (kept in `d`,
 * which the reader calls then take), or BCAST_NO_READER when the table is
 * full. A writer asleep meanwhile is told (progress moves), as it may have
 * seen the entry's previous cursor: the host wakes it.
 */
export function bcastSubscribe(d: usize, id: u32): i32 {
  const n = load<u32>(d + D_MAX_READERS);
  for (let i: u32 = 0; i < n; i++) {
    const entry = readerAt(d, i);
    if (atomic.load<u32>(entry + BCAST_READER_HOLDER) != 0 || atomic.cmpxchg<u32>(entry + BCAST_READER_HOLDER, 0, id) != 0) continue;
    // A writer scanning before this store sees an older cursor: it only waits more.
    const cursor = atomic.load<u64>(descBase(d) + BCAST_PUBLISHED);
    store<u32>(d + D_INDEX, i);
    store<u64>(d + D_CURSOR, cursor);
    store<u64>(d + D_SKIPPED, 0);
    atomic.store<u64>(entry + BCAST_READER_CURSOR, cursor);
    wakeWriter(d);
    return <i32>i;
  }
  return BCAST_NO_READER;
}

/** The holder of reader entry `i` (0 when free), or BCAST_BAD_INDEX past the table. */
export function bcastReaderHolder(d: usize, i: u32): i32 {
  if (i >= load<u32>(d + D_MAX_READERS)) return BCAST_BAD_INDEX;
  return <i32>atomic.load<u32>(readerAt(d, i) + BCAST_READER_HOLDER);
}

/**
 * Frees reader entry `i` if `holder` still holds it (a reader leaving, or
 * one found dead). Returns BCAST_WAKE_WRITER when the writer sleeps (it may
 * have waited on this reader), else 0; BCAST_BAD_INDEX past the table.
 */
export function bcastUnsubscribe(d: usize, i: u32, holder: u32): i32 {
  if (i >= load<u32>(d + D_MAX_READERS)) return BCAST_BAD_INDEX;
  if (atomic.cmpxchg<u32>(readerAt(d, i) + BCAST_READER_HOLDER, holder, 0) != holder) return 0;
  return wakeWriter(d);
}

function wakeWriter(d: usize): i32 {
  return signalEvent(descBase(d) + BCAST_PROGRESS) ? BCAST_WAKE_WRITER : 0;
}

// Moves the reader's cursor, in its descriptor and where the writer reads it.
// @ts-ignore: decorator
@inline function moveCursor(d: usize, cursor: u64): void {
  store<u64>(d + D_CURSOR, cursor);
  atomic.store<u64>(readerAt(d, load<u32>(d + D_INDEX)) + BCAST_READER_CURSOR, cursor);
}

/**
 * The subscribed reader of `d`: the payload address of its next message,
 * BCAST_NONE when it has read everything published, or BCAST_CORRUPT. A
 * message already overwritten is skipped (counted) here in a lossy
 * channel; in a backpressure one no writer overwrites what a reader still
 * needs, so that is corruption. The copy taken from the address must be
 * confirmed by bcastReadEnd, as the writer may overwrite it meanwhile.
 */
export function bcastReadBegin(d: usize): usize {
  let cursor = load<u64>(d + D_CURSOR);
  const published = atomic.load<u64>(descBase(d) + BCAST_PUBLISHED);
  if (published < cursor) return corrupt(d, FAULT_BCAST_CURSOR);
  const lossy = load<u32>(d + D_MODE) == BCAST_LOSSY;
  for (let skips: u32 = 0; skips < SKIPS_PER_CALL && cursor < published; skips++) {
    const slot = slotOf(d, cursor);
    if (atomic.load<u64>(slot + BCAST_SLOT_STAMP) == cursor * 2 + 2) {
      store<u32>(d + D_SLOT, <u32>slot);
      return slot + BCAST_SLOT_HEADER;
    }
    if (!lossy) return corrupt(d, FAULT_BCAST_SLOT);
    cursor = skipTo(d, cursor, atomic.load<u64>(descBase(d) + BCAST_PUBLISHED));
  }
  return BCAST_NONE;
}

function corrupt(d: usize, fault: u32): usize {
  descFail(d, fault);
  return BCAST_CORRUPT;
}

// The reader at `cursor` was overrun: it resumes at the oldest message the
// writer cannot be overwriting now, and counts what it passed over.
function skipTo(d: usize, cursor: u64, published: u64): u64 {
  const slots = <u64>load<u32>(d + D_SLOTS);
  const oldest = published >= slots ? published - slots + 1 : 0;
  const next = oldest > cursor ? oldest : cursor + 1;
  store<u64>(d + D_SKIPPED, load<u64>(d + D_SKIPPED) + (next - cursor));
  moveCursor(d, next);
  return next;
}

/** Length of the message bcastReadBegin last returned, never past slotSize (a torn copy is refused later). */
export function bcastLength(d: usize): u32 {
  const length = load<u32>(<usize>load<u32>(d + D_SLOT) + BCAST_SLOT_LENGTH);
  const size = load<u32>(d + D_SLOT_SIZE);
  return length > size ? size : length;
}

/** The reader of `d`: confirms the copy of its next message (BCAST_* flags; no READ_OK means it was overwritten and skipped). */
export function bcastReadEnd(d: usize): i32 {
  const cursor = load<u64>(d + D_CURSOR);
  const lost = load<u64>(d + D_SKIPPED) != 0 ? BCAST_LOST : 0;
  if (atomic.load<u64>(slotOf(d, cursor) + BCAST_SLOT_STAMP) != cursor * 2 + 2) {
    if (load<u32>(d + D_MODE) != BCAST_LOSSY) {
      descFail(d, FAULT_BCAST_SLOT);
      return BCAST_READ_CORRUPT;
    }
    skipTo(d, cursor, atomic.load<u64>(descBase(d) + BCAST_PUBLISHED));
    return 0;
  }
  moveCursor(d, cursor + 1);
  return BCAST_READ_OK | lost | wakeWriter(d);
}

/** The reader of `d`: messages skipped since last asked (as a double: exact below 2^53); resets the count. */
export function bcastTakeSkipped(d: usize): f64 {
  const skipped = load<u64>(d + D_SKIPPED);
  store<u64>(d + D_SKIPPED, 0);
  return <f64>skipped;
}

/** Messages published that the reader of `d` has not read (nor skipped). */
export function bcastBacklog(d: usize): f64 {
  const published = atomic.load<u64>(descBase(d) + BCAST_PUBLISHED);
  const cursor = load<u64>(d + D_CURSOR);
  return published > cursor ? <f64>(published - cursor) : 0;
}

// ── sleeping ─────────────────────────────────────────────────────────────

/**
 * Announces that `who` (a reader, or BCAST_WRITER) may sleep, and returns
 * the value to sleep on. Call it before the try that fails: the other
 * side's next step either is seen by that try or sees the bit and moves
 * the word (both sequentially consistent), so the sleep ends.
 */
export function bcastSleepValue(d: usize, who: i32): u32 {
  return announceSleep(descBase(d) + (who == BCAST_WRITER ? BCAST_PROGRESS : BCAST_READ_SIGNAL));
}
