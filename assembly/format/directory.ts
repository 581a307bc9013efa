// The directory of named objects that follows the segment header, and the
// first-fit placement of objects in the heap after it. Changes happen under
// the header's dirLock (held by a pid, so a dead holder can be detected);
// lookups read without it: an entry is published by one final store of
// its state, and a reader only trusts LIVE entries.
//
//   DIRECTORY ENTRY (ENTRY_SIZE = 128 bytes), dirCapacity of them
//   ┌──────────────────────────────────────────────────────────────┐ +0
//   │ state        u32  FREE / WRITING / LIVE            (atomic)  │
//   │ kind         u32  what the object is: KIND_* (kinds.ts)      │ +4
//   │ offset       u64  object's first byte, from segment start    │ +8
//   │ size         u64  object's bytes                             │ +16
//   │ align        u32  object's alignment                         │ +24
//   │ nameLength   u32  bytes of name used                         │ +28
//   │ layoutHash   u64  FNV-1a of the layout description           │ +32
//   │ layoutOffset u64  where the layout description is stored     │ +40
//   │ layoutLength u32  its bytes (0: none)                        │ +48
//   │ elementSize  u32  bytes per record (structs, tables), else 0 │ +52
//   │ count        u32  records (a struct: 1), or the parameter a  │ +56
//   │                   primitive was made with, else 0            │
//   │ reserved     u32                                             │ +60
//   │ name         u8[MAX_NAME]  UTF-8                             │ +64
//   └──────────────────────────────────────────────────────────────┘ +128
//
//   Placement in the heap: [ object (size, at align) | pad to 8 | layout description ]

//   Entries are read by copying one into private memory (dirRead), where
//   it is checked before the host trusts any of it: an object's bytes and
//   its layout description lie inside the heap, its name fits, its
//   records fit in its bytes. Placement trusts only entries that pass.

import {
  D_DIR_CAPACITY, D_HEAP_OFFSET, D_TOTAL_SIZE, H_DIR_GENERATION, H_DIR_LOCK, HEADER_SIZE,
} from "./header";
import { FAULT_DIR_ENTRY, descBase, descFail } from "../descriptor";

export const ENTRY_SIZE: u32 = 128;
export const E_STATE: usize = 0;
export const E_KIND: usize = E_STATE + 4;
export const E_OFFSET: usize = E_KIND + 4;
export const E_SIZE: usize = E_OFFSET + 8;
export const E_ALIGN: usize = E_SIZE + 8;
export const E_NAME_LENGTH: usize = E_ALIGN + 4;
export const E_LAYOUT_HASH: usize = E_NAME_LENGTH + 4;
export const E_LAYOUT_OFFSET: usize = E_LAYOUT_HASH + 8;
export const E_LAYOUT_LENGTH: usize = E_LAYOUT_OFFSET + 8;
export const E_ELEMENT_SIZE: usize = E_LAYOUT_LENGTH + 4;
export const E_COUNT: usize = E_ELEMENT_SIZE + 4;
export const E_NAME: usize = E_COUNT + 8; // past count and a reserved word
export const MAX_NAME: u32 = <u32>(ENTRY_SIZE - <u32>E_NAME);

export const ENTRY_FREE: u32 = 0;
export const ENTRY_WRITING: u32 = 1;
export const ENTRY_LIVE: u32 = 2;

export const DIR_EXISTS: i32 = -1;
export const DIR_FULL: i32 = -2;
export const DIR_NO_SPACE: i32 = -3;
export const DIR_NOT_LOCKED: i32 = -4;
export const DIR_BAD_ARGUMENT: i32 = -5;
export const DIR_CORRUPT: i32 = -6;

// dirRead results besides DIR_CORRUPT and DIR_BAD_ARGUMENT.
export const DIR_READ_FREE: i32 = 0;  // no LIVE object in the slot
export const DIR_READ_LIVE: i32 = 1;  // the copy holds a checked LIVE entry
export const DIR_READ_MOVED: i32 = 2; // the entry changed while it was copied: read again

// @ts-ignore: decorator
@inline function entry(d: usize, slot: u32): usize {
  return descBase(d) + HEADER_SIZE + <usize>slot * ENTRY_SIZE;
}

// @ts-ignore: decorator
@inline function alignUp(value: u64, align: u64): u64 {
  return (value + align - 1) & ~(align - 1);
}

// @ts-ignore: decorator
@inline function capacityOf(d: usize): u32 {
  return load<u32>(d + D_DIR_CAPACITY);
}

export function dirCapacity(d: usize): u32 {
  return capacityOf(d);
}

export function dirGeneration(d: usize): u32 {
  return atomic.load<u32>(descBase(d) + H_DIR_GENERATION);
}

/** Takes the directory lock for `pid`; 0 on success, else the holder's pid. */
export function dirTryLock(d: usize, pid: u32): u32 {
  return atomic.cmpxchg<u32>(descBase(d) + H_DIR_LOCK, 0, pid);
}

/**
 * Takes the lock from a holder that died, then forgets entries it left
 * half-written. Exactly one caller wins.
 */
export function dirStealLock(d: usize, deadPid: u32, pid: u32): bool {
  if (atomic.cmpxchg<u32>(descBase(d) + H_DIR_LOCK, deadPid, pid) != deadPid) return false;
  const capacity = capacityOf(d);
  for (let slot: u32 = 0; slot < capacity; slot++) {
    const e = entry(d, slot);
    if (atomic.load<u32>(e + E_STATE) == ENTRY_WRITING) atomic.store<u32>(e + E_STATE, ENTRY_FREE);
  }
  return true;
}

export function dirUnlock(d: usize, pid: u32): bool {
  return atomic.cmpxchg<u32>(descBase(d) + H_DIR_LOCK, pid, 0) == pid;
}

// Whether the object and layout ranges of the entry at `e` lie in the
// heap, its alignment and name are sound, and its records fit its bytes.
function entryIsSound(d: usize, e: usize): bool {
  const heap = <u64>load<u32>(d + D_HEAP_OFFSET);
  const total = load<u64>(d + D_TOTAL_SIZE);
  const offset = load<u64>(e + E_OFFSET);
  const size = load<u64>(e + E_SIZE);
  const align = load<u32>(e + E_ALIGN);
  const nameLength = load<u32>(e + E_NAME_LENGTH);
  const layoutOffset = load<u64>(e + E_LAYOUT_OFFSET);
  const layoutLength = <u64>load<u32>(e + E_LAYOUT_LENGTH);
  const records = <u64>load<u32>(e + E_ELEMENT_SIZE) * <u64>load<u32>(e + E_COUNT);
  if (offset < heap || offset > total || size > total - offset) return false;
  if (align == 0 || (align & (align - 1)) != 0 || (offset & <u64>(align - 1)) != 0) return false;
  if (nameLength == 0 || nameLength > MAX_NAME || records > size) return false;
  if (layoutLength == 0) return layoutOffset == 0;
  return layoutOffset >= heap && layoutOffset <= total && layoutLength <= total - layoutOffset;
}

/**
 * Copies slot `slot`'s entry to `out` (ENTRY_SIZE private bytes) and checks
 * the copy: DIR_READ_LIVE (the copy is sound; read it, not the segment),
 * DIR_READ_FREE, DIR_READ_MOVED (it changed meanwhile: ask again),
 * DIR_CORRUPT, or DIR_BAD_ARGUMENT for a slot past the directory.
 */
export function dirRead(d: usize, slot: u32, out: usize): i32 {
  if (slot >= capacityOf(d)) return DIR_BAD_ARGUMENT;
  const e = entry(d, slot);
  const generation = dirGeneration(d);
  if (atomic.load<u32>(e + E_STATE) != ENTRY_LIVE) return DIR_READ_FREE;
  for (let at: usize = 0; at < ENTRY_SIZE; at += 8) store<u64>(out + at, atomic.load<u64>(e + at));
  if (atomic.load<u32>(e + E_STATE) != ENTRY_LIVE || dirGeneration(d) != generation) return DIR_READ_MOVED;
  if (load<u32>(out + E_STATE) != ENTRY_LIVE) return DIR_READ_MOVED;
  if (!entryIsSound(d, out)) {
    descFail(d, FAULT_DIR_ENTRY);
    return DIR_CORRUPT;
  }
  return DIR_READ_LIVE;
}

function nameMatches(e: usize, name: usize, nameLength: u32): bool {
  if (load<u32>(e + E_NAME_LENGTH) != nameLength) return false;
  return memory.compare(e + E_NAME, name, nameLength) == 0;
}

/** Slot of the LIVE object called `name`, or -1 (the host then reads it with dirRead). */
export function dirFind(d: usize, name: usize, nameLength: u32): i32 {
  if (nameLength == 0 || nameLength > MAX_NAME) return -1;
  const capacity = capacityOf(d);
  for (let slot: u32 = 0; slot < capacity; slot++) {
    const e = entry(d, slot);
    if (atomic.load<u32>(e + E_STATE) == ENTRY_LIVE && nameMatches(e, name, nameLength)) return <i32>slot;
  }
  return -1;
}

// First fit: the lowest aligned start whose range overlaps no occupied
// one. Returns it, 0 when nothing fits, or 1 when an occupied entry is not
// sound (objects start past the header, so neither is a real start). With
// sound entries every entry moves the start at most once, so a pass more
// than there are entries means the entries are changing under it.
function place(d: usize, total: u64, align: u64): u64 {
  const capacity = capacityOf(d);
  const limit = load<u64>(d + D_TOTAL_SIZE);
  if (total > limit) return 0;
  let start = alignUp(<u64>load<u32>(d + D_HEAP_OFFSET), align);
  let moved = true;
  for (let pass: u32 = 0; moved; pass++) {
    if (pass > capacity) return 1;
    moved = false;
    for (let slot: u32 = 0; slot < capacity; slot++) {
      const e = entry(d, slot);
      if (atomic.load<u32>(e + E_STATE) == ENTRY_FREE) continue;
      if (!entryIsSound(d, e)) return 1;
      const begin = load<u64>(e + E_OFFSET);
      const objectEnd = begin + load<u64>(e + E_SIZE);
      const layoutEnd = load<u64>(e + E_LAYOUT_OFFSET) + <u64>load<u32>(e + E_LAYOUT_LENGTH);
      const end = max(objectEnd, layoutEnd);
      if (start < end && begin < start + total) {
        start = alignUp(end, align);
        moved = true;
        if (start > limit - total) return 0;
      }
    }
  }
  return start + total <= limit ? start : 0;
}

/**
 * Creates a LIVE entry (caller holds the lock as `pid`): places the object
 * and its layout description, zeroes the object, copies name and
 * description, then publishes. Returns the slot or a DIR_* code.
 */
export function dirCreate(
  d: usize, pid: u32, name: usize, nameLength: u32, kind: u32, size: u64, align: u32,
  layoutHash: u64, layout: usize, layoutLength: u32, elementSize: u32, count: u32,
): i32 {
  const seg = descBase(d);
  if (atomic.load<u32>(seg + H_DIR_LOCK) != pid) return DIR_NOT_LOCKED;
  if (nameLength == 0 || nameLength > MAX_NAME || align == 0 || (align & (align - 1)) != 0) return DIR_BAD_ARGUMENT;
  if (size == 0 || size > load<u64>(d + D_TOTAL_SIZE) || <u64>elementSize * <u64>count > size) return DIR_BAD_ARGUMENT;
  if (dirFind(d, name, nameLength) >= 0) return DIR_EXISTS;
  const capacity = capacityOf(d);
  let slot: u32 = 0;
  while (slot < capacity && atomic.load<u32>(entry(d, slot) + E_STATE) != ENTRY_FREE) slot++;
  if (slot == capacity) return DIR_FULL;

  const layoutAt = alignUp(size, 8);
  const start = place(d, layoutAt + <u64>layoutLength, <u64>align);
  if (start == 0) return DIR_NO_SPACE;
  if (start == 1) {
    descFail(d, FAULT_DIR_ENTRY);
    return DIR_CORRUPT;
  }

  const e = entry(d, slot);
  atomic.store<u32>(e + E_STATE, ENTRY_WRITING); // claims the range for later placements
  store<u32>(e + E_KIND, kind);
  store<u64>(e + E_OFFSET, start);
  store<u64>(e + E_SIZE, size);
  store<u32>(e + E_ALIGN, align);
  store<u32>(e + E_NAME_LENGTH, nameLength);
  store<u64>(e + E_LAYOUT_HASH, layoutHash);
  store<u64>(e + E_LAYOUT_OFFSET, layoutLength > 0 ? start + layoutAt : 0);
  store<u32>(e + E_LAYOUT_LENGTH, layoutLength);
  store<u32>(e + E_ELEMENT_SIZE, elementSize);
  store<u32>(e + E_COUNT, count);
  memory.fill(e + E_NAME, 0, MAX_NAME);
  memory.copy(e + E_NAME, name, nameLength);
  memory.fill(seg + <usize>start, 0, <usize>size);
  if (layoutLength > 0) memory.copy(seg + <usize>(start + layoutAt), layout, layoutLength);
  atomic.store<u32>(e + E_STATE, ENTRY_LIVE);
  atomic.add<u32>(seg + H_DIR_GENERATION, 1);
  return <i32>slot;
}

/** Frees a LIVE entry (caller holds the lock as `pid`). Its bytes may be reused. */
export function dirRemove(d: usize, pid: u32, slot: u32): i32 {
  const seg = descBase(d);
  if (atomic.load<u32>(seg + H_DIR_LOCK) != pid) return DIR_NOT_LOCKED;
  if (slot >= capacityOf(d)) return DIR_BAD_ARGUMENT;
  const e = entry(d, slot);
  if (atomic.load<u32>(e + E_STATE) != ENTRY_LIVE) return DIR_BAD_ARGUMENT;
  atomic.store<u32>(e + E_STATE, ENTRY_FREE);
  atomic.add<u32>(seg + H_DIR_GENERATION, 1);
  return 0;
}
