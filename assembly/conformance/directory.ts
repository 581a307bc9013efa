// The segment directory against a model of its entries: creates, finds and
// removes under the lock; an object goes to the lowest aligned place that
// overlaps no live object (first fit), comes zeroed, and reads back as
// created; EXISTS, FULL and NO_SPACE exactly when the model says. Then the
// same calls over a segment whose header and entries a peer corrupts.
import { descFault, FAULT_NONE } from "../descriptor";
import {
  DIR_CORRUPT, DIR_EXISTS, DIR_FULL, DIR_NO_SPACE, DIR_READ_LIVE, ENTRY_SIZE, E_ALIGN, E_OFFSET, E_SIZE, MAX_NAME,
  dirCreate, dirFind, dirRead, dirRemove, dirTryLock, dirUnlock,
} from "../format/directory";
import { FORMAT_OK, HEADER_SIZE, H_HEAP_OFFSET, formatClaim, formatInit, formatOpen } from "../format/header";
import { userTokenOf } from "../format/users";
import { Rng } from "./prng";
import { Property } from "./property";
import { Window, allocate, descriptor } from "./window";

const PID: u32 = 4242;
const SEGMENT_SIZE: u32 = 32768;
const NAMES: u32 = 24;

class Segment {
  readonly window: Window;
  readonly d: usize = descriptor();
  readonly capacity: u32;

  constructor(capacity: u32, salt: u32) {
    this.capacity = capacity;
    this.window = new Window(SEGMENT_SIZE, salt);
    this.format();
  }

  format(): void {
    memory.fill(this.window.base, 0, HEADER_SIZE);
    formatClaim(this.window.base, PID);
    formatInit(this.window.base, SEGMENT_SIZE, PID, this.capacity, 1, 0, userTokenOf(PID, 1), 0, 0);
    formatOpen(this.d, this.window.base, SEGMENT_SIZE);
  }

  /** Opens again; formats anew when the header fails the checks (a host refuses such a segment). */
  reopen(): void {
    if (formatOpen(this.d, this.window.base, SEGMENT_SIZE) != FORMAT_OK) this.format();
  }
}

/** A name of the pool, written to private bytes: "obj-<i>", padded to vary lengths. */
function writeName(at: usize, i: u32): u32 {
  const text = "obj-" + i.toString() + "-".repeat(<i32>(i % 5) * 9);
  const length = String.UTF8.encodeUnsafe(changetype<usize>(text), text.length, at);
  return <u32>length;
}

// @ts-ignore: decorator
@inline function alignUp(value: u64, align: u64): u64 {
  return (value + align - 1) & ~(align - 1);
}

class Entry {
  name: u32;
  slot: i32;
  offset: u64;
  end: u64;

  constructor(name: u32, slot: i32, offset: u64, end: u64) {
    this.name = name;
    this.slot = slot;
    this.offset = offset;
    this.end = end;
  }
}

/** The lowest `align`-aligned start at or past `heap` where `total` bytes overlap no live range, or 0. */
function firstFit(live: Entry[], heap: u64, total: u64, align: u64): u64 {
  // Candidates: the heap's start and the end of every live range; the answer is one of them, aligned.
  let best: u64 = 0;
  for (let c = -1; c < live.length; c++) {
    const start = alignUp(c < 0 ? heap : live[c].end, align);
    if (start < heap || start + total > <u64>SEGMENT_SIZE) continue;
    let free = true;
    for (let k = 0; k < live.length && free; k++) free = start >= live[k].end || start + total <= live[k].offset;
    if (free && (best == 0 || start < best)) best = start;
  }
  return best;
}

export function directoryMatchesModel(rng: Rng, p: Property): void {
  const name = allocate(MAX_NAME, 8);
  const layout = allocate(64, 8);
  const out = allocate(ENTRY_SIZE, 8);
  for (let round = 0; round < 6; round++) {
    const capacity = 1 + rng.below(12);
    const seg = new Segment(capacity, 1000 + round);
    const base = seg.window.base;
    const heap = <u64>load<u32>(base + H_HEAP_OFFSET);
    const live: Entry[] = [];
    if (dirTryLock(seg.d, PID) != 0) { p.fail("the directory lock of a fresh segment was taken"); return; }
    for (let op = 0; op < 300; op++, p.operations++) {
      const which = rng.below(NAMES);
      const nameLength = writeName(name, which);
      let known = -1;
      for (let k = 0; k < live.length; k++) if (live[k].name == which) known = k;
      const what = rng.below(10);
      if (what < 5) {
        const size: u64 = 1 + rng.below(rng.chance(20) ? 8192 : 512);
        const align: u32 = 1 << rng.below(7);
        const layoutLength = rng.below(64);
        const total = alignUp(size, 8) + layoutLength;
        // A live range ends past its layout description, or past its bytes when it has none.
        const end = layoutLength > 0 ? total : size;
        const got = dirCreate(seg.d, PID, name, nameLength, 7, size, align, 0, layout, layoutLength, 0, 0);
        if (known >= 0) {
          if (got != DIR_EXISTS) { p.fail("creating a live name answered " + got.toString()); return; }
          continue;
        }
        if (<u32>live.length == capacity) {
          if (got != DIR_FULL) { p.fail("a create in a full directory answered " + got.toString()); return; }
          continue;
        }
        const start = firstFit(live, heap, total, align);
        if (start == 0) {
          if (got != DIR_NO_SPACE) { p.fail("a create the model cannot place answered " + got.toString()); return; }
          continue;
        }
        if (got < 0 || dirRead(seg.d, got, out) != DIR_READ_LIVE) { p.fail("a create with room answered " + got.toString()); return; }
        if (load<u64>(out + E_OFFSET) != start || load<u64>(out + E_SIZE) != size || load<u32>(out + E_ALIGN) != align) { p.fail("an object of " + size.toString() + " at align " + align.toString() + " went to " + load<u64>(out + E_OFFSET).toString() + ", first fit " + start.toString()); return; }
        for (let b: u64 = 0; b < size; b++) if (load<u8>(base + <usize>(start + b)) != 0) { p.fail("a new object was not zeroed"); return; }
        // Dirty it, so a later object placed over these bytes must be zeroed again.
        memory.fill(base + <usize>start, 0xa5, <usize>size);
        live.push(new Entry(which, got, start, start + end));
      } else if (what < 8) {
        const got = dirFind(seg.d, name, nameLength);
        if (got != (known >= 0 ? live[known].slot : -1)) { p.fail("finding obj-" + which.toString() + " answered " + got.toString()); return; }
      } else if (known >= 0) {
        if (dirRemove(seg.d, PID, live[known].slot) != 0) { p.fail("removing a live entry failed"); return; }
        live.splice(known, 1);
      }
      if (!seg.window.canariesIntact()) { p.fail("a canary beside the segment changed"); return; }
    }
    dirUnlock(seg.d, PID);
  }
}

export function directoryUnderCorruption(rng: Rng, p: Property): void {
  const name = allocate(MAX_NAME, 8);
  const layout = allocate(64, 8);
  const out = allocate(ENTRY_SIZE, 8);
  for (let round = 0; round < 30; round++) {
    const capacity = 1 + rng.below(12);
    const seg = new Segment(capacity, 1100 + round);
    const w = seg.window;
    const headerBytes = <usize>HEADER_SIZE + <usize>capacity * ENTRY_SIZE;
    for (let op = 0; op < 200; op++, p.operations++) {
      if (rng.chance(15)) w.corrupt(rng, headerBytes);
      const nameLength = writeName(name, rng.below(NAMES));
      const what = rng.below(10);
      let corrupt = false;
      if (what < 4) {
        if (dirTryLock(seg.d, PID) != 0) continue;
        const got = dirCreate(seg.d, PID, name, nameLength, 7, 1 + rng.below(2048), 1 << rng.below(7), 0, layout, rng.below(64), 0, 0);
        if (got == DIR_CORRUPT) corrupt = true;
        dirUnlock(seg.d, PID);
      } else if (what < 6) {
        dirFind(seg.d, name, nameLength);
      } else if (what < 8) {
        const slot = rng.below(capacity + 2);
        const got = dirRead(seg.d, slot, out);
        if (got == DIR_CORRUPT) corrupt = true;
        if (got == DIR_READ_LIVE && !w.holds(w.base + <usize>load<u64>(out + E_OFFSET), <usize>load<u64>(out + E_SIZE))) { p.fail("a sound entry names bytes outside the segment"); return; }
        if (got == DIR_READ_LIVE && dirTryLock(seg.d, PID) == 0) {
          dirRemove(seg.d, PID, slot);
          dirUnlock(seg.d, PID);
        }
      } else {
        seg.reopen();
      }
      if (corrupt && descFault(seg.d) == FAULT_NONE) { p.fail("CORRUPT was answered with no fault recorded"); return; }
      if (!w.canariesIntact()) { p.fail("a canary beside the segment changed (operation " + what.toString() + ")"); return; }
    }
  }
}
