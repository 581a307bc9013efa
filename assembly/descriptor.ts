// Values read from a segment are untrusted input.
//
// Every segment of a process lives in one Wasm memory, so an address the
// core computes from a value another process wrote could land in another
// segment, in the core's statics or in a read-only mapping. The core
// therefore never takes geometry (offsets, capacities, strides, counts)
// from shared bytes on a hot path. An object is *opened* once: its
// geometry is read, checked against the window it lives in, and kept in a
// DESCRIPTOR, a block of process-private memory that the host hands in
// (it lies in the host's own units of the arena, which no segment maps).
// Every later call takes the descriptor, not the object's address.
// Cursors, lengths and sequence numbers read on hot paths are masked or
// range-checked against the descriptor; every loop over shared state has a
// bound that does not come from shared state. What fails a check is
// recorded as the descriptor's fault (the first one stays) and answered
// with a CORRUPT status; nothing outside [base, end) is ever touched.
//
//   DESCRIPTOR (DESCRIPTOR_SIZE = 128 bytes, process-private, 8-aligned)
//   ┌──────────────────────────────────────────────────────────────┐ +0
//   │ base    u32  the object's first byte in the memory           │
//   │ end     u32  one past its last byte: the window it may touch │ +4
//   │ fault   u32  FAULT_* of the first corruption seen, 0 if none │ +8
//   │ reserved u32                                                 │ +12
//   ├──────────────────────────────────────────────────────────────┤ +16  D_KIND
//   │ what the kind keeps (format/header.ts, channel/spsc.ts,      │
//   │ channel/mpmc.ts, channel/broadcast.ts)                       │
//   └──────────────────────────────────────────────────────────────┘ +128

export const DESCRIPTOR_SIZE: u32 = 128;
export const D_BASE: usize = 0;
export const D_END: usize = D_BASE + 4;
export const D_FAULT: usize = D_END + 4;
export const D_KIND: usize = 16;

// Fault codes: which field of which layout was found wrong. Hosts map the
// code to a name for their error message and never restate the numbers.
export const FAULT_NONE: u32 = 0;
export const FAULT_WINDOW: u32 = 1;            // the object does not fit in its window
export const FAULT_HEADER: u32 = 2;            // segment header: magic/version/sizes/offsets
export const FAULT_DIR_ENTRY: u32 = 3;         // a directory entry's offset, size, align or name
export const FAULT_SPSC_CAPACITY: u32 = 10;
export const FAULT_SPSC_RECORD: u32 = 11;      // a record's type or length
export const FAULT_SPSC_HEAD: u32 = 12;        // the consumer's cursor, as the producer reads it
export const FAULT_SPSC_TAIL: u32 = 13;        // the producer's cursor, as a new holder reads it
export const FAULT_MPMC_GEOMETRY: u32 = 20;    // slots, slotSize or stride
export const FAULT_MPMC_CURSOR: u32 = 21;      // a position or a slot sequence that never settles
export const FAULT_BCAST_GEOMETRY: u32 = 30;   // slots, slotSize, maxReaders or mode
export const FAULT_BCAST_SLOT: u32 = 31;       // a stamp a backpressure reader must find whole
export const FAULT_BCAST_CURSOR: u32 = 32;     // published or a reader cursor out of range

// @ts-ignore: decorator
@inline export function descBase(d: usize): usize {
  return <usize>load<u32>(d + D_BASE);
}

/** Starts a descriptor for the object at [base, end): clears it and records the window. */
export function descStart(d: usize, base: usize, end: usize): void {
  // Checked builds only: a descriptor inside the window could be rewritten by a peer.
  if (!ASC_NO_ASSERT) assert(d + DESCRIPTOR_SIZE <= base || d >= end, "descriptor inside the object's window: hand the core private memory");
  memory.fill(d, 0, DESCRIPTOR_SIZE);
  store<u32>(d + D_BASE, <u32>base);
  store<u32>(d + D_END, <u32>end);
}

/** Records the first fault seen through `d` and returns it. */
export function descFail(d: usize, fault: u32): u32 {
  if (load<u32>(d + D_FAULT) == FAULT_NONE) store<u32>(d + D_FAULT, fault);
  return fault;
}

/** The fault recorded in `d` (FAULT_NONE while the object looked sound). */
export function descFault(d: usize): u32 {
  return load<u32>(d + D_FAULT);
}

/** Whether `size` bytes fit at `base` inside a window ending at `end` (no overflow). */
// @ts-ignore: decorator
@inline export function fits(base: usize, size: u64, end: usize): bool {
  return base <= end && size <= <u64>(end - base);
}

/**
 * Checked builds only: `address` and the `size` bytes there lie inside the
 * window of `d`. What hot paths compute from shared bytes must pass this;
 * a failure is a core bug, never corruption (release builds keep no check).
 */
// @ts-ignore: decorator
@inline export function insideWindow(d: usize, address: usize, size: u64): usize {
  // ASC_NO_ASSERT, not noAssert alone: the loads of a dropped assertion would stay.
  if (!ASC_NO_ASSERT) assert(address >= descBase(d) && fits(address, size, <usize>load<u32>(d + D_END)), "core computed an address outside the object's window");
  return address;
}

/** Whether `value` is a power of two in [min, max]. */
// @ts-ignore: decorator
@inline export function powerOfTwoIn(value: u32, min: u32, max: u32): bool {
  return value >= min && value <= max && (value & (value - 1)) == 0;
}
