// Copying a message's bytes, as fast as the machine allows whatever the
// two addresses are.
//
// Three cases. Small messages: 16-byte vector moves beat memory.copy's call
// (the last move may overlap the one before it). Large ones: memory.copy
// (the host's memmove, at memory speed), except when the destination lies
// just past the source modulo 4 KiB. Then every load of a forward copy
// follows a store to an address with the same low 12 bits, the CPU takes
// it for a dependency ("4K aliasing"), and the copy runs ten times slower
// (2.7 against 34 GB/s for 64 KiB on a 2-core AMD EPYC VM). A ring's
// payloads lie 8 bytes past 8-aligned record headers, so a page-aligned
// source lands there for whole runs of records. Copying backwards, no load
// follows a store it could be taken to depend on.

const SMALL: u32 = 256;
const ALIAS_WINDOW: usize = 64;
const PAGE_MASK: usize = 4095;

/** Copies `length` bytes from `from` to `to` (the two do not overlap). */
// @ts-ignore: decorator
@inline export function copyBytes(to: usize, from: usize, length: u32): void {
  if (length <= SMALL && length >= 16) {
    const last = <usize>length - 16;
    for (let k: usize = 0; k < last; k += 16) v128.store(to + k, v128.load(from + k));
    v128.store(to + last, v128.load(from + last));
  } else if (((to - from) & PAGE_MASK) - 1 < ALIAS_WINDOW - 1 && length > SMALL) {
    copyBackward(to, from, length);
  } else {
    memory.copy(to, from, length);
  }
}

// Highest bytes first, 64 per step, loads before stores.
function copyBackward(to: usize, from: usize, length: u32): void {
  let k = <usize>length;
  while (k >= 64) {
    k -= 64;
    const a = v128.load(from + k, 48);
    const b = v128.load(from + k, 32);
    const c = v128.load(from + k, 16);
    const e = v128.load(from + k);
    v128.store(to + k, a, 48);
    v128.store(to + k, b, 32);
    v128.store(to + k, c, 16);
    v128.store(to + k, e);
  }
  while (k > 0) {
    k--;
    store<u8>(to + k, load<u8>(from + k));
  }
}
