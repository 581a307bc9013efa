// Sequentially consistent atomics on shared words, for hosts whose language
// has none (Python): the same instructions JavaScript's Atomics compile to,
// so a counter bumped from Python and from Node stays exact. The caller
// checks that the address is aligned and inside memory it owns; a
// misaligned one traps, and a trap is the host's error, not a corruption.

/** Adds `delta` to the i32 at `addr`; the value before. */
export function atomicAdd32(addr: usize, delta: i32): i32 {
  return atomic.add<i32>(addr, delta);
}

/** The i32 at `addr`. */
export function atomicLoad32(addr: usize): i32 {
  return atomic.load<i32>(addr);
}

/** Stores `value` at `addr`. */
export function atomicStore32(addr: usize, value: i32): void {
  atomic.store<i32>(addr, value);
}

/** Replaces the i32 at `addr` by `replacement` if it holds `expected`; the value found. */
export function atomicCompareExchange32(addr: usize, expected: i32, replacement: i32): i32 {
  return atomic.cmpxchg<i32>(addr, expected, replacement);
}

/** Adds `delta` to the i64 at `addr` (8-aligned); the value before. */
export function atomicAdd64(addr: usize, delta: i64): i64 {
  return atomic.add<i64>(addr, delta);
}

/** The i64 at `addr` (8-aligned). */
export function atomicLoad64(addr: usize): i64 {
  return atomic.load<i64>(addr);
}
