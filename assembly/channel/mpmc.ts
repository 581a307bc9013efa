// A bounded multi-producer multi-consumer queue of fixed-size slots, after
// Dmitry Vyukov's: each slot carries a sequence that says which lap of the
// positions it is ready for, so producers and consumers meet only on the
// slot they contend for. Unlike the original, a slot is taken by a
// compare-exchange of its sequence to a BUSY word that names the taker (its
// holder id and the lap), before the position moves on: a taker that dies
// is then always known by name, and whoever finds it dead can give the slot
// back (its message counts as lost). Others seeing a BUSY slot of the
// current lap move the position on for its taker, so nobody waits for that.
// Neither side ever waits here: hosts sleep on a signal word that a side
// bumps only when the other has said it sleeps.
//
// Closing ends the stream, as Go's close(chan): any party may do it (the
// queue keeps no producer list; a producer that dies does not close it, so
// a crash never passes for a clean end). It sets CLOSED in the enqueue
// word, which freezes it at the end position E: nobody moves it on after,
// so a claim at E racing the close is refused (its producer gives the slot
// back) and every claim before E stands and is published or, if its
// producer died, reclaimed. Claims fail from then on; consumers take what
// is before E, and once the dequeue position reaches E they get CLOSED.
//
//   MPMC QUEUE (MPMC_HEADER = 256 bytes, then the slots)
//   ┌───────────────────────────────────────────────────────────────┐ +0    read-mostly
//   │ slots     u32  a power of two                                 │
//   │ slotSize  u32  payload bytes of every message                 │ +4
//   │ stride    u32  bytes per slot (header + payload padded to 8)  │ +8
//   │ reserved  u32                                                 │ +12
//   │ lost      u64  slots given back after their taker died        │ +16
//   ├───────────────────────────────────────────────────────────────┤ +64   MPMC_ENQUEUE
//   │ enqueue   u64  next position to push; bit 63 CLOSED (final)   │       producers write
//   ├───────────────────────────────────────────────────────────────┤ +128  MPMC_DEQUEUE
//   │ dequeue   u64  next position to pop                           │       consumers write
//   ├───────────────────────────────────────────────────────────────┤ +192  written only around sleeps
//   │ pushSignal   u32  futex word of producers (queue full)        │       MPMC_PUSH_SIGNAL
//   │ popSignal    u32  futex word of consumers (queue empty)       │ +196  MPMC_POP_SIGNAL
//   ├───────────────────────────────────────────────────────────────┤ +256  MPMC_HEADER
//   │ slot[slots]                                                   │
//   └───────────────────────────────────────────────────────────────┘
//
//   SLOT (stride bytes; MPMC_SLOT_HEADER = 16)
//   ┌──────────────────────────────┬──────────────────────────────┬──────────────────────┐
//   │ sequence u64                 │ position u64 (while claimed) │ payload, padded to 8 │
//   └──────────────────────────────┴──────────────────────────────┴──────────────────────┘
//   sequence, for the slot's position p of the current lap:
//     p               free: the producer at p may claim it
//     BUSY(id, p)     claimed by producer id, being written
//     p + 1           published: the consumer at p may take it
//     BUSY|TAKING(id, p)  taken by consumer id, being read
//     p + slots       released: free for the next lap
//   BUSY word: bit 63 BUSY, bit 62 TAKING, bits 32..61 holder id, bits 0..31 the low word of p.
//
//   MPMC DESCRIPTOR (process-private; descriptor.ts has the common part)
//   ┌───────────────────────────────────────────────────────────────┐ +16  D_KIND
//   │ slots     u32  checked at open                                │
//   │ slotSize  u32                                                 │ +20
//   │ stride    u32  recomputed from slotSize, never read           │ +24
//   └───────────────────────────────────────────────────────────────┘ +28
import { copyBytes } from "../copy";
import { ID_MASK } from "../sync/ids";
import { CACHE_LINE } from "../format/header";
import { announceSleep, signalAlways, signalEvent } from "../sync/event-count";
import {
  D_KIND, FAULT_MPMC_CURSOR, FAULT_MPMC_GEOMETRY, FAULT_NONE, FAULT_WINDOW, descBase, descFail, descStart, fits, insideWindow, powerOfTwoIn,
} from "../descriptor";

export const MPMC_SLOTS: usize = 0;
export const MPMC_SLOT_SIZE: usize = MPMC_SLOTS + 4;
export const MPMC_STRIDE: usize = MPMC_SLOT_SIZE + 4;
export const MPMC_LOST: usize = MPMC_STRIDE + 8; // past a reserved word
export const MPMC_ENQUEUE: usize = MPMC_SLOTS + CACHE_LINE;
export const MPMC_DEQUEUE: usize = MPMC_ENQUEUE + CACHE_LINE;
export const MPMC_PUSH_SIGNAL: usize = MPMC_DEQUEUE + CACHE_LINE;
export const MPMC_POP_SIGNAL: usize = MPMC_PUSH_SIGNAL + 4;
export const MPMC_HEADER: u32 = <u32>MPMC_PUSH_SIGNAL + CACHE_LINE;

const D_SLOTS: usize = D_KIND;
const D_SLOT_SIZE: usize = D_SLOTS + 4;
const D_STRIDE: usize = D_SLOT_SIZE + 4;

export const MPMC_SLOT_SEQUENCE: usize = 0;
export const MPMC_SLOT_POSITION: usize = MPMC_SLOT_SEQUENCE + 8;
export const MPMC_SLOT_HEADER: u32 = <u32>MPMC_SLOT_POSITION + 8;
/** Payloads are padded to this, so every slot header is 8-aligned. */
export const MPMC_SLOT_ALIGN: u32 = 8;

export const MPMC_MIN_SLOTS: u32 = 2;
export const MPMC_MAX_SLOTS: u32 = 1 << 24;
export const MPMC_MAX_SLOT_SIZE: u32 = 1 << 20;

// Sides, as the sleep and recovery calls take them.
export const MPMC_PUSH: u32 = 0;
export const MPMC_POP: u32 = 1;

// Results of mpmcClaim / mpmcTake besides a payload address (slots start past the header, so never addresses).
export const MPMC_NONE: usize = 0;    // full / empty
export const MPMC_CLOSED: usize = 1;  // closed (claims); closed and every message taken (takes)
export const MPMC_CORRUPT: usize = 2; // positions and sequences no queue could hold: the descriptor holds the fault
// mpmcPublish / mpmcRelease answer a payload outside the slots with this,
// and a caller that holds no claim (or take) there with MPMC_NOT_HELD;
// mpmcReclaim answers MPMC_NOT_HELD when the dead holder holds it no more.
export const MPMC_NOT_HELD: i32 = -1;
export const MPMC_BAD_PAYLOAD: i32 = -2;
/** Fused calls (mpmcSend, mpmcReceive): the queue's bytes break its rules. */
export const MPMC_CORRUPT_COUNT: i32 = -3;
/** Fused calls: set in the count when the other side sleeps (wake its signal). */
export const MPMC_WAKE_PEER: i32 = 0x40000000;
/** Fused calls: set in the count when the batch stopped at the end (closed; for takes, closed and drained). */
export const MPMC_ENDED: i32 = 0x20000000;
/** mpmcInit: the shape is out of range, or the queue does not fit at its place. */
export const MPMC_INIT_REFUSED: i32 = -1;

// A take retries only when another party moved the queue on meanwhile; this
// many retries in one call is no contention a machine can produce, but
// cursors and sequences that a peer keeps inconsistent.
const TAKE_RETRIES: u32 = 1 << 20;

// In the enqueue word: set once by mpmcClose, never cleared (positions never reach 2^63).
export const MPMC_CLOSED_BIT: u32 = 63;
const CLOSED: u64 = <u64>1 << MPMC_CLOSED_BIT;

// A slot sequence with BUSY set is a BUSY word: TAKING, the holder id from
// MPMC_HOLDER_SHIFT up, and the low word of the position below it.
export const MPMC_BUSY_BIT: u32 = 63;
export const MPMC_TAKING_BIT: u32 = 62;
export const MPMC_HOLDER_SHIFT: u32 = 32;
const BUSY: u64 = <u64>1 << MPMC_BUSY_BIT;
const TAKING: u64 = <u64>1 << MPMC_TAKING_BIT;

function busy(position: u64, id: u32, taking: bool): u64 {
  return BUSY | (taking ? TAKING : 0) | (<u64>(id & ID_MASK) << MPMC_HOLDER_SHIFT) | (position & 0xffffffff);
}

/** Laps between a BUSY word and `position`: 0 same, < 0 older, > 0 newer (ours was read before it moved). */
function lapsFrom(word: u64, position: u64): i32 {
  return <i32>(<u32>word - <u32>position);
}

// @ts-ignore: decorator
@inline function slotAt(d: usize, position: u64): usize {
  const mask = <u64>(load<u32>(d + D_SLOTS) - 1);
  const stride = load<u32>(d + D_STRIDE);
  return insideWindow(d, descBase(d) + MPMC_HEADER + <usize>(position & mask) * stride, stride);
}

/** Bytes per slot for `slotSize`-byte messages. */
export function mpmcStride(slotSize: u32): u32 {
  return MPMC_SLOT_HEADER + ((slotSize + MPMC_SLOT_ALIGN - 1) & ~(MPMC_SLOT_ALIGN - 1));
}

/** Bytes a queue of this shape occupies, or 0 unless `slots` is a power of two from 2 and `slotSize` from 1, both in range. */
export function mpmcSize(slots: u32, slotSize: u32): u32 {
  if (!powerOfTwoIn(slots, MPMC_MIN_SLOTS, MPMC_MAX_SLOTS) || slotSize < 1 || slotSize > MPMC_MAX_SLOT_SIZE) return 0;
  const size = <u64>MPMC_HEADER + <u64>slots * mpmcStride(slotSize);
  return size > <u64>0xffffffff ? 0 : <u32>size;
}

/** Formats a queue at `q`, inside a window ending at `end`: MPMC_INIT_REFUSED unless mpmcSize accepts the shape and it fits. */
export function mpmcInit(q: usize, end: usize, slots: u32, slotSize: u32): i32 {
  const size = mpmcSize(slots, slotSize);
  if (size == 0 || (q & (CACHE_LINE - 1)) != 0 || !fits(q, size, end)) return MPMC_INIT_REFUSED;
  memory.fill(q, 0, MPMC_HEADER);
  store<u32>(q + MPMC_SLOTS, slots);
  store<u32>(q + MPMC_SLOT_SIZE, slotSize);
  store<u32>(q + MPMC_STRIDE, mpmcStride(slotSize));
  const stride = <usize>mpmcStride(slotSize);
  for (let i: u32 = 0; i < slots; i++) atomic.store<u64>(q + MPMC_HEADER + <usize>i * stride + MPMC_SLOT_SEQUENCE, i);
  return 0;
}

/** Opens the queue at `q` (inside a window ending at `end`) into descriptor `d`: FAULT_NONE, or the fault. */
export function mpmcOpen(d: usize, q: usize, end: usize): u32 {
  descStart(d, q, end);
  if ((q & (CACHE_LINE - 1)) != 0 || !fits(q, MPMC_HEADER, end)) return descFail(d, FAULT_WINDOW);
  const slots = atomic.load<u32>(q + MPMC_SLOTS);
  const slotSize = atomic.load<u32>(q + MPMC_SLOT_SIZE);
  const size = mpmcSize(slots, slotSize);
  if (size == 0 || atomic.load<u32>(q + MPMC_STRIDE) != mpmcStride(slotSize)) return descFail(d, FAULT_MPMC_GEOMETRY);
  if (!fits(q, size, end)) return descFail(d, FAULT_WINDOW);
  store<u32>(d + D_SLOTS, slots);
  store<u32>(d + D_SLOT_SIZE, slotSize);
  store<u32>(d + D_STRIDE, mpmcStride(slotSize));
  return FAULT_NONE;
}

export function mpmcSlots(d: usize): u32 {
  return load<u32>(d + D_SLOTS);
}

export function mpmcSlotSize(d: usize): u32 {
  return load<u32>(d + D_SLOT_SIZE);
}

/** Messages pushed and not yet popped (claims in progress included); never more than the slots. */
export function mpmcLength(d: usize): u32 {
  const q = descBase(d);
  const dequeue = atomic.load<u64>(q + MPMC_DEQUEUE);
  const enqueue = atomic.load<u64>(q + MPMC_ENQUEUE) & ~CLOSED;
  if (enqueue <= dequeue) return 0;
  const slots = load<u32>(d + D_SLOTS);
  return enqueue - dequeue > <u64>slots ? slots : <u32>(enqueue - dequeue);
}

/**
 * Closes the queue: 1 if this call closed it, 0 if it was closed already.
 * Both signals are bumped, so every sleeper wakes to its answer (the host
 * then wakes both words).
 */
export function mpmcClose(d: usize): i32 {
  if (atomic.or<u64>(descBase(d) + MPMC_ENQUEUE, CLOSED) & CLOSED) return 0;
  signalAlways(signalWord(d, MPMC_PUSH));
  signalAlways(signalWord(d, MPMC_POP));
  return 1;
}

export function mpmcClosed(d: usize): i32 {
  return (atomic.load<u64>(descBase(d) + MPMC_ENQUEUE) & CLOSED) != 0 ? 1 : 0;
}

/** Closed, and every message before the end position taken (a take held by someone may still be being read). */
export function mpmcEnded(d: usize): i32 {
  const q = descBase(d);
  // The enqueue word first: once it says CLOSED, its end position is final.
  const enqueue = atomic.load<u64>(q + MPMC_ENQUEUE);
  return (enqueue & CLOSED) != 0 && atomic.load<u64>(q + MPMC_DEQUEUE) >= (enqueue & ~CLOSED) ? 1 : 0;
}

/** Slots given back because their taker died (as an f64: it is a count, and hosts want a number). */
export function mpmcLost(d: usize): f64 {
  return <f64>atomic.load<u64>(descBase(d) + MPMC_LOST);
}

/**
 * Takes the slot at the position `side` is at (claim to write, take to
 * read), naming `id` in it: its payload address, MPMC_NONE when full
 * (pushing) or empty (popping), MPMC_CLOSED when pushing to a closed queue,
 * or MPMC_CORRUPT when the retries run out.
 */
function take(d: usize, side: u32, id: u32): usize {
  const cursor = descBase(d) + (side == MPMC_PUSH ? MPMC_ENQUEUE : MPMC_DEQUEUE);
  const ready: u64 = side == MPMC_PUSH ? 0 : 1; // sequence - position when the slot is ours to take
  let position = atomic.load<u64>(cursor);
  for (let retry: u32 = 0; retry < TAKE_RETRIES; retry++) {
    if (position & CLOSED) return MPMC_CLOSED; // only the enqueue word carries it
    const slot = slotAt(d, position);
    const sequence = atomic.load<u64>(slot + MPMC_SLOT_SEQUENCE);
    if (sequence & BUSY) {
      const laps = lapsFrom(sequence, position);
      // Still busy from a lap before, or a producer's claim here not yet published: nothing to take.
      if (laps < 0 || (laps == 0 && side == MPMC_POP && !(sequence & TAKING))) return MPMC_NONE;
      // Taken here by someone who has not moved the cursor on yet: do it for them.
      if (laps == 0) atomic.cmpxchg<u64>(cursor, position, position + 1);
    } else {
      const ahead = <i64>(sequence - (position + ready));
      if (ahead == 0) {
        if (atomic.cmpxchg<u64>(slot + MPMC_SLOT_SEQUENCE, sequence, busy(position, id, side == MPMC_POP)) == sequence) {
          if (side == MPMC_PUSH) store<u64>(slot + MPMC_SLOT_POSITION, position);
          // Closed at this very position before anyone moved past it: the
          // close made it the end, so the claim is refused and undone.
          if (atomic.cmpxchg<u64>(cursor, position, position + 1) == (position | CLOSED)) {
            atomic.store<u64>(slot + MPMC_SLOT_SEQUENCE, sequence);
            return MPMC_CLOSED;
          }
          return slot + MPMC_SLOT_HEADER;
        }
      } else if (ahead < 0) {
        return MPMC_NONE;
      }
    }
    position = atomic.load<u64>(cursor); // it moved on: try the position it is at now
  }
  descFail(d, FAULT_MPMC_CURSOR);
  return MPMC_CORRUPT;
}

// Sets the sequence that ends a take, then signals the other side if a
// party of it may sleep: 1 when the host must wake them.
function finish(d: usize, slot: usize, sequence: u64, wakeSide: u32): i32 {
  atomic.store<u64>(slot + MPMC_SLOT_SEQUENCE, sequence);
  return signalEvent(signalWord(d, wakeSide));
}

/** Producer: claims a slot to write in place: its payload address, MPMC_NONE when the queue is full, MPMC_CLOSED when closed, MPMC_CORRUPT. */
export function mpmcClaim(d: usize, id: u32): usize {
  return take(d, MPMC_PUSH, id);
}

// The position of the slot at `payload` if `id` holds it (claimed, or taken
// when `taking`), MPMC_NOT_HELD if not, MPMC_BAD_PAYLOAD when `payload` lies outside
// the slots (so a bad address from the host cannot reach another window).
function heldAt(d: usize, payload: usize, id: u32, taking: bool): i64 {
  const first = descBase(d) + MPMC_HEADER + MPMC_SLOT_HEADER;
  const span = <usize>load<u32>(d + D_SLOTS) * load<u32>(d + D_STRIDE);
  if (payload < first || payload - first >= span || (payload & (MPMC_SLOT_ALIGN - 1)) != 0) return MPMC_BAD_PAYLOAD;
  const slot = payload - MPMC_SLOT_HEADER;
  const position = load<u64>(slot + MPMC_SLOT_POSITION);
  return atomic.load<u64>(slot + MPMC_SLOT_SEQUENCE) == busy(position, id, taking) ? <i64>position : MPMC_NOT_HELD;
}

/**
 * Producer `id`: publishes the slot it claimed at `payload`. Returns 1 when
 * consumers sleep and must be woken, MPMC_NOT_HELD when `id` holds no claim there,
 * MPMC_BAD_PAYLOAD when `payload` is no slot of this queue.
 */
export function mpmcPublish(d: usize, payload: usize, id: u32): i32 {
  const position = heldAt(d, payload, id, false);
  return position < 0 ? <i32>position : finish(d, payload - MPMC_SLOT_HEADER, <u64>position + 1, MPMC_POP);
}

/**
 * Consumer: takes the next published slot to read in place: its payload
 * address, MPMC_NONE when empty, MPMC_CLOSED when closed and nothing is
 * left, MPMC_CORRUPT.
 */
export function mpmcTake(d: usize, id: u32): usize {
  const payload = take(d, MPMC_POP, id);
  return payload == MPMC_NONE && mpmcEnded(d) ? MPMC_CLOSED : payload;
}

/**
 * Consumer `id`: frees the slot it took at `payload`. Returns 1 when
 * producers sleep and must be woken, MPMC_NOT_HELD when `id` holds no take there,
 * MPMC_BAD_PAYLOAD when `payload` is no slot of this queue.
 */
export function mpmcRelease(d: usize, payload: usize, id: u32): i32 {
  const position = heldAt(d, payload, id, true);
  return position < 0 ? <i32>position : finish(d, payload - MPMC_SLOT_HEADER, <u64>position + load<u32>(d + D_SLOTS), MPMC_PUSH);
}

/**
 * Producer `id`, in one call for hosts whose calls are dear: claims up to
 * `count` slots, copies a message of slotSize bytes into each from
 * `source` (back to back) and publishes it. How many, with MPMC_WAKE_PEER
 * (consumers sleep) and MPMC_ENDED (closed) flags; or MPMC_CORRUPT_COUNT,
 * MPMC_NOT_HELD.
 */
export function mpmcSend(d: usize, id: u32, source: usize, count: u32): i32 {
  const size = load<u32>(d + D_SLOT_SIZE);
  let flags: i32 = 0;
  let i: u32 = 0;
  for (; i < count; i++) {
    const payload = take(d, MPMC_PUSH, id);
    if (payload <= MPMC_CORRUPT) {
      if (payload == MPMC_NONE) break;
      if (payload == MPMC_CLOSED) return <i32>i | flags | MPMC_ENDED;
      return MPMC_CORRUPT_COUNT;
    }
    copyBytes(payload, source + <usize>i * size, size);
    const woke = mpmcPublish(d, payload, id);
    if (woke < 0) return MPMC_NOT_HELD;
    if (woke) flags = MPMC_WAKE_PEER;
  }
  return <i32>i | flags;
}

/**
 * Consumer `id`, in one call: takes up to `max` messages (at most
 * `capacity` / slotSize), copies them back to back to `dest` and releases
 * their slots. How many, with MPMC_WAKE_PEER (producers sleep) and
 * MPMC_ENDED (closed and drained) flags; or MPMC_CORRUPT_COUNT, MPMC_NOT_HELD.
 */
export function mpmcReceive(d: usize, id: u32, dest: usize, capacity: u32, max: u32): i32 {
  const size = load<u32>(d + D_SLOT_SIZE);
  const fits = capacity / size;
  const most = max < fits ? max : fits;
  let flags: i32 = 0;
  let i: u32 = 0;
  for (; i < most; i++) {
    const payload = mpmcTake(d, id);
    if (payload <= MPMC_CORRUPT) {
      if (payload == MPMC_NONE) break;
      if (payload == MPMC_CLOSED) return <i32>i | flags | MPMC_ENDED;
      return MPMC_CORRUPT_COUNT;
    }
    copyBytes(dest + <usize>i * size, payload, size);
    const woke = mpmcRelease(d, payload, id);
    if (woke < 0) return MPMC_NOT_HELD;
    if (woke) flags = MPMC_WAKE_PEER;
  }
  return <i32>i | flags;
}

/**
 * The holder id that keeps `side` from moving, or 0: for consumers, a
 * producer whose claim at the dequeue position is unpublished; for
 * producers, a consumer still reading the slot a lap behind the enqueue
 * position. The host asks whether it lives (the core cannot).
 */
export function mpmcStuck(d: usize, side: u32): u32 {
  if (side == MPMC_POP && mpmcEnded(d)) return 0; // a claim at the end was refused by the close: nobody waits for it
  const position = stuckPosition(d, side);
  const sequence = atomic.load<u64>(slotAt(d, position) + MPMC_SLOT_SEQUENCE);
  return isStuck(sequence, position, side) ? <u32>(sequence >> MPMC_HOLDER_SHIFT) & ID_MASK : 0;
}

function stuckPosition(d: usize, side: u32): u64 {
  const q = descBase(d);
  return side == MPMC_POP ? atomic.load<u64>(q + MPMC_DEQUEUE) : (atomic.load<u64>(q + MPMC_ENQUEUE) & ~CLOSED) - load<u32>(d + D_SLOTS);
}

// The BUSY word of the other side's taker at `position`.
function isStuck(sequence: u64, position: u64, side: u32): bool {
  return (sequence & BUSY) != 0 && lapsFrom(sequence, position) == 0 && ((sequence & TAKING) != 0) == (side == MPMC_PUSH);
}

/**
 * Gives back the slot that mpmcStuck named `deadHolder` for (the host found
 * it dead), counting its message lost: MPMC_NOT_HELD when it was not stuck so any more,
 * else whether the other side sleeps and must be woken (0 or 1).
 */
export function mpmcReclaim(d: usize, side: u32, deadHolder: u32, id: u32): i32 {
  const q = descBase(d);
  const position = stuckPosition(d, side);
  const slot = slotAt(d, position);
  const sequence = atomic.load<u64>(slot + MPMC_SLOT_SEQUENCE);
  if (!isStuck(sequence, position, side) || (<u32>(sequence >> MPMC_HOLDER_SHIFT) & ID_MASK) != deadHolder) return MPMC_NOT_HELD;
  const next = position + load<u32>(d + D_SLOTS);
  if (side == MPMC_POP) {
    // A dead producer's claim is taken as a consumer takes a slot (so this
    // caller's own death is recoverable too), then consumed empty. The dead
    // producer may have died before moving the enqueue position on.
    if (atomic.cmpxchg<u64>(slot + MPMC_SLOT_SEQUENCE, sequence, busy(position, id, true)) != sequence) return MPMC_NOT_HELD;
    atomic.cmpxchg<u64>(q + MPMC_ENQUEUE, position, position + 1);
    atomic.cmpxchg<u64>(q + MPMC_DEQUEUE, position, position + 1);
    atomic.add<u64>(q + MPMC_LOST, 1);
    return finish(d, slot, next, MPMC_PUSH);
  }
  // A dead consumer's slot is freed once the dequeue position is past it
  // (else consumers would find a freed slot at their position and spin).
  atomic.cmpxchg<u64>(q + MPMC_DEQUEUE, position, position + 1);
  if (atomic.cmpxchg<u64>(slot + MPMC_SLOT_SEQUENCE, sequence, next) != sequence) return MPMC_NOT_HELD;
  atomic.add<u64>(q + MPMC_LOST, 1);
  return 0;
}

function signalWord(d: usize, side: u32): usize {
  return descBase(d) + (side == MPMC_PUSH ? MPMC_PUSH_SIGNAL : MPMC_POP_SIGNAL);
}

/**
 * Announces that a party of `side` may sleep, and returns the signal value
 * to sleep on. Call it before the try that fails: the other side's next
 * publish or release either is seen by that try or sees the bit and
 * changes the value (sequentially consistent both), so the sleep ends.
 */
export function mpmcSleepValue(d: usize, side: u32): u32 {
  return announceSleep(signalWord(d, side));
}
